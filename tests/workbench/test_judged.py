"""The examiner sees what each rule judged, beside its reason, and returns an application
naming the reasons (from the standard list) and so the fields at fault."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.forms.conftest import example_data
from tests.workbench.conftest import UNLISTED, submitted
from yilian.forms import returns, review
from yilian.forms.models import Application, Status
from yilian.portal import steps
from yilian.rules.engine import shipped_rules
from yilian.workbench import judged

pytestmark = pytest.mark.django_db


def _finding(page: str, rule: str) -> str:
    match = re.search(rf'<li class="wb-finding" data-rule="{rule}">(.*?)</li>', page, re.S)
    assert match, f"no finding for {rule}"
    return match.group(1)


def test_every_rule_says_how_it_reads_and_what_it_judged():
    for rule in shipped_rules().rules:
        assert rule.title and rule.title_en and rule.basis_en, rule.id
        assert rule.facts in judged.PRESENTERS, rule.id
        if rule.facts == "form":
            assert rule.looks_at, rule.id


def test_a_capital_rule_shows_the_investors_amounts_and_dates(client, clerk, applicant,
                                                               examiner):
    data = example_data()
    data["registered_capital"] = "200000000.00"
    data["investors"][0]["amount"] = "120000000.00"
    data["investors"][1]["amount"] = "80000000.00"
    application = submitted(clerk, applicant, **{k: data[k] for k in
                                                 ("registered_capital", "investors")})
    assert application.status == Status.IN_REVIEW
    client.force_login(examiner)
    page = client.get(reverse("workbench:detail", args=[application.pk])).content.decode()
    facts = _finding(page, "R-LARGE-CAPITAL")
    assert "注册资本超过一亿元" in facts
    assert "200,000,000.00" in facts
    for investor in data["investors"]:
        assert investor["name"] in facts
        assert investor["contribution_date"] in facts
    assert "120,000,000.00" in facts and "80,000,000.00" in facts


def test_a_scope_rule_shows_the_entry_and_its_catalogue_status(client, in_review, examiner):
    client.force_login(examiner)
    page = client.get(reverse("workbench:detail", args=[in_review.pk])).content.decode()
    facts = _finding(page, "R-UNLISTED-SCOPE")
    assert UNLISTED in facts and "目录外表述，需人工审查" in facts
    assert "经营范围表述不在规范目录中" in facts
    # The decision's outcome in words, not its code.
    assert "转人工审查" in page and ">manual_review<" not in page


def test_a_licensed_entry_shows_pre_or_post_and_the_department(in_review):
    from yilian.refdata import scope

    entry = next(e for e in scope.entries() if e.timing == "pre" and e.department)
    facts = judged._scope_facts(None, {"subject": entry.text}, in_review, {})
    assert [f.label for f in facts.flags][:2] == ["许可项目（登记前审批）", entry.department]
    assert ("所需许可", entry.permit) in facts.pairs


def test_english_reasons_are_english(client, in_review, examiner):
    client.force_login(examiner)
    with translation.override("en"):
        reasons = judged.reasons_with_facts(in_review)
    assert reasons[0].title == "Business scope wording not in the catalogue"
    assert "catalogue" in reasons[0].basis


def test_standard_reasons_name_a_step_that_owns_their_field():
    listed = returns.standard_reasons()
    assert listed.edition and listed.reasons
    for reason in listed.reasons:
        path = reason.field.replace(returns.ROW_WILDCARD, "[0]")
        assert steps.BY_SLUG[reason.step].owns(path), reason.code
        assert reason.zh and reason.en


def test_return_stores_the_reasons_and_their_fields(client, in_review, examiner):
    client.force_login(examiner)
    page = client.get(reverse("workbench:detail", args=[in_review.pk])).content.decode()
    assert 'value="domicile.incomplete"' in page and "住所信息不完整" in page
    answer = client.post(reverse("workbench:return", args=[in_review.pk]),
                         {"reasons": ["domicile.incomplete", "investors.date_over_five_years"],
                          "comment": ""})
    assert answer.status_code == 302
    returned = Application.objects.get(pk=in_review.pk)
    assert returned.status == Status.RETURNED
    assert [(r["code"], r["step"], r["fields"]) for r in returned.return_reasons] == [
        ("domicile.incomplete", "enterprise", ["domicile"]),
        ("investors.date_over_five_years", "investors",
         ["investors[0].contribution_date", "investors[1].contribution_date"]),
    ]
    assert returned.return_reasons[0]["en"] == "The domicile (registered address) is incomplete"


def test_a_return_needs_a_reason_or_words_and_only_listed_reasons(in_review, examiner):
    with pytest.raises(review.ReviewRefused) as missing:
        review.return_for_correction(in_review, examiner, "  ")
    assert missing.value.code == "review.comment_required"
    with pytest.raises(review.ReviewRefused) as unknown:
        review.return_for_correction(in_review, examiner, "", ["no.such.reason"])
    assert unknown.value.code == "review.reason_unknown"
    assert Application.objects.get(pk=in_review.pk).status == Status.IN_REVIEW


def test_resubmitting_clears_the_reasons(clerk, in_review, examiner):
    from yilian.forms import counter

    review.return_for_correction(in_review, examiner, "", ["scope.wording"])
    application = Application.objects.get(pk=in_review.pk)
    counter.update(clerk, application, {"business_scope": example_data()["business_scope"]})
    counter.confirm_everyone_present(clerk, Application.objects.get(pk=in_review.pk))
    resubmitted = counter.submit(clerk, Application.objects.get(pk=in_review.pk))
    assert resubmitted.status == Status.ACCEPTED and resubmitted.return_reasons == []
