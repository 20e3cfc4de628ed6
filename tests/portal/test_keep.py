"""Never lose what was typed: the step pages' autosave endpoint, deleting a draft, and
the pledge of truthfulness (承诺书) before submitting — online and at the counter."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from tests.portal.conftest import make_applicant
from yilian.accounts import roles
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_application
from yilian.forms.models import Application, Investor, Status
from yilian.names import services as names
from yilian.names.models import NameReservation

pytestmark = pytest.mark.django_db


def _autosave(application, slug: str) -> str:
    return reverse("portal:autosave", kwargs={"pk": application.pk, "step": slug})


def _step(application, slug: str) -> str:
    return reverse("portal:step", kwargs={"pk": application.pk, "step": slug})


def _enterprise(**changes) -> dict:
    form = {"name": "威海保存科技有限公司", "org_form": "llc_multi",
            "registered_capital": "80", "domicile": "威海市火炬路2号",  # capital in 万元
            "division_code": "371071", "industry_code": "6513", "operating_term_years": ""}
    return {**form, **changes}


# 自动保存

def test_autosave_saves_the_step_and_answers_json(signed_in, draft):
    answer = signed_in.post(_autosave(draft, "enterprise"), _enterprise())
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json", answer.content.decode()
    body = answer.json()
    assert body["saved"] is True and body["errors"] == [] and body["unsaved"] == []
    assert len(body["time"]) == 5 and body["updated_at"]
    draft.refresh_from_db()
    assert draft.name == "威海保存科技有限公司" and draft.registered_capital == Decimal(800000)
    assert body["updated_at"] == draft.updated_at.isoformat()
    # The page renders the version the browser's copy builds on.
    page = signed_in.get(_step(draft, "enterprise")).content.decode()
    assert f'data-version="{draft.updated_at.isoformat()}"' in page
    assert f'data-autosave-url="{_autosave(draft, "enterprise")}"' in page


def test_a_malformed_field_is_reported_and_the_rest_is_saved(signed_in, draft):
    answer = signed_in.post(_autosave(draft, "enterprise"),
                            _enterprise(registered_capital="八十万"))
    assert answer.status_code == 400
    body = answer.json()
    assert body["saved"] is False and body["unsaved"] == ["registered_capital"]
    assert [e["id"] for e in body["errors"]] == ["registered_capital"]
    assert body["errors"][0]["message"]
    draft.refresh_from_db()
    assert draft.name == "威海保存科技有限公司"  # the rest of the page is saved
    assert draft.registered_capital == Decimal("1000000.00")  # the server keeps the last good


def test_a_malformed_row_keeps_its_table_as_it_was(signed_in, draft):
    before = list(Investor.objects.filter(application=draft).values_list("name", "amount"))
    form = {"investors-0-kind": "natural", "investors-0-name": "新名字",
            "investors-0-amount": "很多"}
    answer = signed_in.post(_autosave(draft, "investors"), form)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["id"] == "investors-0-amount"
    after = list(Investor.objects.filter(application=draft).values_list("name", "amount"))
    assert after == before


def test_autosave_refuses_what_can_no_longer_change(signed_in, draft):
    Application.objects.filter(pk=draft.pk).update(status=Status.IN_REVIEW)
    answer = signed_in.post(_autosave(draft, "enterprise"), _enterprise())
    assert answer.status_code == 409 and answer.json()["code"] == "application.not_editable"
    draft.refresh_from_db()
    assert draft.name == "威海一链科技有限公司"


def test_autosave_of_someone_elses_application_is_404(client, draft, other):
    client.force_login(other)
    answer = client.post(_autosave(draft, "enterprise"), _enterprise())
    assert answer.status_code == 404
    draft.refresh_from_db()
    assert draft.name == "威海一链科技有限公司"


def test_autosave_only_for_the_form_steps_and_only_post(signed_in, draft):
    assert signed_in.post(_autosave(draft, "review"), {}).status_code == 404
    assert signed_in.get(_autosave(draft, "enterprise")).status_code == 405


def test_the_counter_autosaves_on_the_applicants_behalf(client, draft, django_user_model):
    clerk = django_user_model.objects.create_user("clerk-keep", password="pw-clerk-1")
    roles.grant(clerk, roles.CLERK)
    client.force_login(clerk)
    url = reverse("workbench:counter-autosave", kwargs={"pk": draft.pk, "step": "enterprise"})
    assert client.post(url, _enterprise()).status_code == 200
    draft.refresh_from_db()
    assert draft.name == "威海保存科技有限公司"
    actions = set(Entry.objects.filter(stream=stream_for_application(draft.pk))
                  .values_list("action", flat=True))
    assert "application.counter_draft_updated" in actions


# 删除草稿

def test_a_draft_is_deleted_after_confirmation_and_releases_its_name(signed_in, draft,
                                                                    applicant):
    names.reserve(draft.name, draft.division_code, applicant, application=draft,
                  industry_code=draft.industry_code)
    url = reverse("portal:delete", kwargs={"pk": draft.pk})
    index = signed_in.get(reverse("portal:index")).content.decode()
    assert url in index
    assert url in signed_in.get(_step(draft, "enterprise")).content.decode()
    asked = signed_in.get(url)
    assert asked.status_code == 200 and "确认删除" in asked.content.decode()
    assert Application.objects.filter(pk=draft.pk).exists()  # asking deletes nothing
    done = signed_in.post(url)
    assert done.status_code == 302 and done["Location"] == reverse("portal:index")
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert NameReservation.objects.get().release_reason == "holder"  # given up
    entry = Entry.objects.get(stream=stream_for_application(draft.pk),
                              action="application.deleted")
    assert entry.actor_id == applicant.pk


def test_only_a_draft_never_submitted_is_deleted(signed_in, draft, client, other):
    url = reverse("portal:delete", kwargs={"pk": draft.pk})
    client.force_login(other)
    assert client.post(url).status_code == 404
    client.force_login(draft.owner)
    Application.objects.filter(pk=draft.pk).update(status=Status.RETURNED)
    answer = client.post(url)
    assert answer.status_code == 302 and Application.objects.filter(pk=draft.pk).exists()
    assert "从未提交的草稿" in client.get(url).content.decode()


def test_the_api_deletes_a_draft_with_204(client, draft):
    client.force_login(draft.owner)
    url = f"/api/v1/applications/{draft.pk}/"
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    accepted = factories.application(draft.owner)
    answer = client.delete(f"/api/v1/applications/{accepted.pk}/")
    assert answer.status_code == 409
    assert answer.json()["errors"][0]["code"] == "application.not_deletable"
    client.force_login(make_applicant("13900000077"))
    assert client.delete(f"/api/v1/applications/{accepted.pk}/").status_code == 404


# 承诺书

def test_the_review_page_asks_for_the_pledge_before_submitting(signed_in, draft):
    factories.confirm_parties(draft)
    page = signed_in.get(_step(draft, "review")).content.decode()
    assert 'id="declaration"' in page and "法律责任" in page
    refused = signed_in.post(_step(draft, "review"), {"go": "submit"})
    assert refused.status_code == 400 and "请阅读并确认承诺书" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.declared_at is None
    signed_in.post(_step(draft, "review"), {"go": "submit", "declaration": "yes"})
    draft.refresh_from_db()
    assert draft.status == Status.ACCEPTED
    assert draft.declared_via == "online" and draft.declared_by == draft.owner
    assert draft.declared_at and draft.declaration_edition


def test_at_the_counter_the_clerk_records_the_signed_pledge(client, draft,
                                                           django_user_model):
    clerk = django_user_model.objects.create_user("clerk-pledge", password="pw-clerk-1")
    roles.grant(clerk, roles.CLERK)
    client.force_login(clerk)
    factories.confirm_parties(draft)
    url = reverse("workbench:counter-step", kwargs={"pk": draft.pk, "step": "review"})
    assert "纸质承诺书上签字" in client.get(url).content.decode()
    assert client.post(url, {"go": "submit"}).status_code == 400
    client.post(url, {"go": "submit", "declaration": "yes"})
    draft.refresh_from_db()
    assert draft.status == Status.ACCEPTED
    assert draft.declared_via == "counter" and draft.declared_by == clerk
    # The examiner's page shows who recorded the pledge, how and when.
    shown = client.get(reverse("workbench:detail", kwargs={"pk": draft.pk})).content.decode()
    assert "申请人在窗口签字，窗口人员记录" in shown and "clerk-pledge" in shown


def test_the_api_submission_is_the_pledge(client, draft):
    client.force_login(draft.owner)
    factories.confirm_parties(draft)
    url = f"/api/v1/applications/{draft.pk}/submit/"
    refused = client.post(url, {"pledge": False}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "declaration.required"
    answer = client.post(url)  # no body, as the README walk-through
    assert answer.status_code == 202, answer.content
    draft.refresh_from_db()
    assert draft.declared_via == "api" and draft.declared_by == draft.owner


@pytest.mark.parametrize(("language", "saved"), [
    ("zh-hans", "已自动保存 %(time)s"), ("en", "Saved automatically at %(time)s")])
def test_the_status_line_speaks_the_pages_language(signed_in, draft, language, saved):
    page = signed_in.get(_step(draft, "enterprise"), HTTP_ACCEPT_LANGUAGE=language)
    assert f'data-saved="{saved}"' in page.content.decode()


def test_an_autosave_overtaken_by_a_newer_save_is_refused(signed_in, draft):
    seen = draft.updated_at.isoformat()
    signed_in.post(_step(draft, "enterprise"), _enterprise(name="威海按钮科技有限公司",
                                                           go="save"))
    late = signed_in.post(_autosave(draft, "enterprise"),
                          {**_enterprise(name="威海迟到科技有限公司"), "_version": seen})
    assert late.status_code == 409
    assert late.json()["code"] == "application.changed_elsewhere"
    draft.refresh_from_db()
    assert draft.name == "威海按钮科技有限公司"
    fresh = signed_in.post(_autosave(draft, "enterprise"),
                           {**_enterprise(name="威海最新科技有限公司"),
                            "_version": draft.updated_at.isoformat()})
    assert fresh.status_code == 200


def test_a_page_shown_again_with_refused_input_is_marked_unsaved(signed_in, draft):
    refused = signed_in.post(_step(draft, "enterprise"),
                             _enterprise(registered_capital="八十万", go="save"))
    assert refused.status_code == 400 and "data-unsaved" in refused.content.decode()
    assert "data-unsaved" not in signed_in.get(_step(draft, "enterprise")).content.decode()
