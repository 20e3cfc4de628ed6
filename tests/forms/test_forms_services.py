"""The actions on the one form: drafts, edits, submission in one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from tests import factories
from tests.forms.conftest import example_data, parse
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_application, verify
from yilian.forms import services
from yilian.forms.models import Application, Seal, Status


def _chain_services():
    """The lead's chain service; fail loudly (never stub it) if it is not there."""
    try:
        from yilian.chain.services import start_chain  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"yilian.chain.services.start_chain is missing ({exc}); submission "
                    "needs the chain to start")


def _actions(application: Application) -> list[str]:
    stream = stream_for_application(application.pk)
    return list(Entry.objects.filter(stream=stream).values_list("action", flat=True))


def test_a_draft_keeps_the_order_and_types_of_its_parts(draft):
    assert draft.status == Status.DRAFT
    assert draft.registered_capital == Decimal("1000000.00")
    assert [p.role for p in draft.people.order_by("position")][:2] == [
        "legal_representative", "director"]
    assert [i.position for i in draft.investors.all()] == [0, 1]
    assert draft.bank_appointment["date"] == "2030-12-31"  # JSON-safe
    assert _actions(draft) == ["application.draft_created", *["party.added"] * 5]


def test_editing_replaces_the_lists_present_and_keeps_the_rest(draft, owner):
    employees = example_data()["employees"][:1]
    services.update_draft(draft, owner, parse({"name": "威海二链科技有限公司",
                                              "employees": employees}))
    draft.refresh_from_db()
    assert draft.name == "威海二链科技有限公司"
    assert draft.employees.count() == 1
    assert draft.investors.count() == 2 and draft.people.count() == 7
    services.update_draft(draft, owner, {"investors": []})
    assert draft.investors.count() == 0
    assert _actions(draft)[-1] == "application.draft_updated"


def test_only_the_owner_edits_and_only_while_editable(draft, owner):
    stranger = get_user_model().objects.create_user("stranger", is_staff=True)
    with pytest.raises(PermissionDenied):
        services.update_draft(draft, stranger, {"name": "别人的公司"})
    Application.objects.filter(pk=draft.pk).update(status=Status.IN_REVIEW)
    with pytest.raises(services.NotEditable) as refused:
        services.update_draft(draft, owner, {"name": "改名有限公司"})
    assert "人工审查中" in refused.value.message_zh and "in_review" in refused.value.message_en
    Application.objects.filter(pk=draft.pk).update(status=Status.RETURNED)
    services.update_draft(draft, owner, {"name": "改名科技有限公司"})  # returned: editable


def test_an_invalid_submission_changes_nothing(draft, owner):
    services.update_draft(draft, owner, {"name": "", "registered_capital": None})
    with pytest.raises(services.InvalidApplication) as refused:
        services.submit_application(draft, owner)
    assert {e["field"] for e in refused.value.errors} >= {"name", "registered_capital"}
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.submitted_at is None
    assert "application.submitted" not in _actions(draft)


def test_submission_accepts_audits_and_starts_the_chain(draft, owner):
    _chain_services()
    services.update_draft(draft, owner, {"seals": []})
    factories.confirm_parties(draft)
    services.submit_application(draft, owner)
    draft.refresh_from_db()
    assert draft.status == Status.ACCEPTED
    assert draft.submitted_at == draft.accepted_at is not None
    assert draft.seals == list(Seal.values)  # the free set of four by default
    assert draft.chain.steps.filter(code="registration").exists()
    assert draft.public_status() == "processing"
    assert _actions(draft)[-2:] == ["application.submitted", "chain.started"]
    assert verify(stream_for_application(draft.pk)) == (True, "ok")
    with pytest.raises(services.NotEditable):
        services.submit_application(draft, owner)


def test_submission_is_one_transaction(draft, owner, monkeypatch):
    """If starting the chain fails, the application is not accepted and no audit entry
    claims it was (fault injection, not a stand-in for the chain)."""
    _chain_services()
    from yilian.chain import services as chain_services

    def broken(application, actor=None):
        raise RuntimeError("chain down")

    monkeypatch.setattr(chain_services, "start_chain", broken)
    factories.confirm_parties(draft)
    with pytest.raises(RuntimeError):
        services.submit_application(draft, owner)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.accepted_at is None
    assert "application.submitted" not in _actions(draft)


def test_the_example_dates_are_still_ahead():
    """docs/examples/application.json is static: its contribution and appointment dates
    must lie ahead (and within five years). Bump them when this fails."""
    data = example_data()
    dates = [dt.date.fromisoformat(i["contribution_date"]) for i in data["investors"]]
    dates.append(dt.date.fromisoformat(data["bank_appointment"]["date"]))
    assert min(dates) >= dt.date.today() + dt.timedelta(days=90), (
        "bump the dates in docs/examples/application.json")
