"""Admission at submission, against the shipped catalogues and the administrators'
amendments: every outcome, the rule that led to it, and the edition it used."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from yilian.forms import services
from yilian.forms.models import Status
from yilian.rules.models import (
    AdmissionDecision,
    CatalogueAmendment,
    NegativeListAmendment,
    PostVerification,
)

pytestmark = pytest.mark.django_db

SECURITY = "S0554"  # 保安服务: a prior permit (保安服务许可证) from public security


def submit(*scope: str, **fields):
    app = factories.application(accepted=False)
    app.business_scope = ["软件开发", *scope]
    for name, value in fields.items():
        setattr(app, name, value)
    app.save()
    factories.confirm_parties(app)
    return services.submit_application(app, app.owner)


def rules(app) -> set[str]:
    return {f["rule"] for f in app.decisions.first().findings}


def test_general_items_are_accepted_at_once_and_the_chain_starts():
    app = submit()
    assert app.status == Status.ACCEPTED and app.chain.steps.count() == 6
    decision = app.decisions.get()
    assert decision.outcome == "approve" and rules(app) == {"R-GENERAL"}
    assert decision.editions["scope"] and decision.editions["negative_list"] == "2022"


def test_a_prior_permit_missing_returns_it_for_correction_saying_which():
    app = submit("保安服务")
    assert app.status == Status.RETURNED
    assert not hasattr(app, "chain") or app.chain is None
    assert rules(app) == {"R-PRE-PERMIT"}
    assert "保安服务许可证" in app.review_comment and "公安部门" in app.review_comment


def test_with_a_permit_its_department_confirms_it_is_accepted():
    # Seeded in the simulated register for this enterprise (tests/rules/test_permits.py
    # covers the permits that are not valid here).
    app = submit("保安服务", permits={SECURITY: "鲁公保服字〔2026〕001号"},
                 name="威海磐石保安服务有限公司")
    assert app.status == Status.ACCEPTED


def test_a_prohibited_activity_is_refused_with_the_basis():
    app = submit("象牙制品销售")
    assert app.status == Status.REJECTED
    assert rules(app) == {"R-PROHIBITED"}
    assert "负面清单" in app.review_comment


def test_wording_outside_the_catalogue_goes_to_an_examiner():
    app = submit("宇宙飞船维修")
    assert app.status == Status.IN_REVIEW and rules(app) == {"R-UNLISTED-SCOPE"}


def test_an_amendment_in_force_allows_a_pledge_and_opens_post_verification(admin_user):
    today = timezone.localdate()
    CatalogueAmendment.objects.create(
        entry_id=SECURITY, kind="licensed", timing="pre", department="公安部门",
        permit="保安服务许可证", commitment=True, effective_from=today, created_by=admin_user)
    app = submit("保安服务", pledges=[SECURITY])
    assert app.status == Status.ACCEPTED
    decision = app.decisions.get()
    assert decision.outcome == "pledge" and rules(app) == {"R-PRE-PLEDGE"}
    task = PostVerification.objects.get(application=app)
    assert task.department == "公安部门" and task.subject == "保安服务"
    assert task.due_on > today


def test_an_amendment_applies_from_its_date_and_earlier_decisions_keep_their_edition():
    before = submit("保安服务", pledges=[SECURITY])
    assert before.status == Status.RETURNED  # no pledge allowed yet
    later = CatalogueAmendment.objects.create(
        entry_id=SECURITY, kind="licensed", timing="pre", department="公安部门",
        permit="保安服务许可证", commitment=True,
        effective_from=timezone.localdate() + dt.timedelta(days=1))
    not_yet = submit("保安服务", pledges=[SECURITY])
    assert not_yet.status == Status.RETURNED
    later.effective_from = timezone.localdate()
    later.save()
    now = submit("保安服务", pledges=[SECURITY])
    assert now.status == Status.ACCEPTED
    editions = [d.editions["scope_amendments"] for d in
                AdmissionDecision.objects.order_by("decided_at", "id")]
    assert editions == ["", "", str(later.pk)]


def test_the_decision_is_in_the_api_representation(client):
    app = submit("宇宙飞船维修")
    client.force_login(app.owner)
    body = client.get(f"/api/v1/applications/{app.pk}/").json()
    assert body["status"] == "in_review"
    assert body["decision"]["outcome"] == "manual_review"
    assert body["decision"]["findings"][0]["rule"] == "R-UNLISTED-SCOPE"


TRADING = "虚拟货币交易服务"  # a prohibited term of NL2022-P04 (非法金融活动)


def test_a_negative_list_amendment_applies_from_its_date_and_earlier_decisions_keep_theirs():
    """R-PROHIBITED refuses under NL2022-P04 until an administrator withdraws the item from
    a date; later decisions use the amendment (the wording then goes to an examiner under
    R-UNLISTED-SCOPE), the stored earlier ones keep the list they were decided on."""
    before = submit(TRADING)
    assert before.status == Status.REJECTED and rules(before) == {"R-PROHIBITED"}
    withdrawal = NegativeListAmendment.objects.create(
        item_id="NL2022-P04", withdrawn=True, note="test: withdrawn",
        effective_from=timezone.localdate() + dt.timedelta(days=1))
    assert submit(TRADING).status == Status.REJECTED  # not in force yet
    withdrawal.effective_from = timezone.localdate()
    withdrawal.save()
    after = submit(TRADING)
    assert after.status == Status.IN_REVIEW and rules(after) == {"R-UNLISTED-SCOPE"}
    stored = list(AdmissionDecision.objects.order_by("decided_at", "id"))
    assert [d.outcome for d in stored] == ["refuse", "refuse", "manual_review"]
    assert [d.editions["negative_list_amendments"] for d in stored] == [
        "", "", str(withdrawal.pk)]
    before.refresh_from_db()
    assert before.decisions.get().outcome == "refuse"


def test_a_negative_list_amendment_can_withhold_the_pledge(admin_user):
    """R-PRE-PLEDGE while the entry allows a pledge; once its negative-list item is
    amended to allow none, R-PRE-PERMIT returns the application for the permit."""
    today = timezone.localdate()
    CatalogueAmendment.objects.create(
        entry_id=SECURITY, kind="licensed", timing="pre", department="公安部门",
        permit="保安服务许可证", commitment=True, negative_list_id="NL2022-L001",
        effective_from=today, created_by=admin_user)
    assert rules(submit("保安服务", pledges=[SECURITY])) == {"R-PRE-PLEDGE"}
    amendment = NegativeListAmendment.objects.create(
        item_id="NL2022-L001", commitment=False, effective_from=today, created_by=admin_user)
    later = submit("保安服务", pledges=[SECURITY])
    assert later.status == Status.RETURNED and rules(later) == {"R-PRE-PERMIT"}
    assert later.decisions.get().editions["negative_list_amendments"] == str(amendment.pk)


def test_a_new_negative_list_item_needs_its_wording_and_kind():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        NegativeListAmendment(item_id="NL-NEW-1", effective_from=timezone.localdate()).clean()
    NegativeListAmendment(item_id="NL-NEW-1", text="新增禁止事项", kind="prohibited",
                          effective_from=timezone.localdate()).clean()
    NegativeListAmendment(item_id="NL2022-P04", withdrawn=True,
                          effective_from=timezone.localdate()).clean()


def test_an_amendment_changed_in_place_counts_at_the_next_submission():
    """The catalogues are built once per set of amendment rows (rules.catalogues): a row
    edited where it stands, same id and date, is another set."""
    amendment = CatalogueAmendment.objects.create(
        entry_id=SECURITY, kind="licensed", timing="pre", department="公安部门",
        permit="保安服务许可证", commitment=False, effective_from=timezone.localdate())
    assert submit("保安服务", pledges=[SECURITY]).status == Status.RETURNED
    amendment.commitment = True
    amendment.save()
    assert submit("保安服务", pledges=[SECURITY]).status == Status.ACCEPTED
