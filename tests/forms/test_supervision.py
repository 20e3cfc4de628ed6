"""A company's supervisory arrangement (监督机构): a board of supervisors or a supervisor,
or an audit committee of the board instead (公司法第69条、第121条) — issue 12, kind 3."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from yilian.forms.models import OrgForm, Role
from yilian.forms.validation import check_application

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)


def codes(app) -> set[str]:
    return {e["code"] for e in check_application(app, today=TODAY)}


def _llc(**fields):
    app = factories.application(accepted=False)
    for key, value in fields.items():
        setattr(app, key, value)
    app.save()
    return app


def _directors(app, count: int) -> None:
    """``count`` directors in the form (the factory's LLC has one 执行董事)."""
    first = app.people.filter(role=Role.DIRECTOR).first()
    for i in range(count - 1):
        someone = factories.resident(f"董事{i}")
        first.pk = None
        first.position = 100 + i
        first.name, first.id_number, first.phone = (someone.name, someone.id_number,
                                                    someone.phone)
        first.save()


def test_company_law_art_69_an_audit_committee_sits_in_a_board_of_three():
    app = _llc(audit_committee=True)
    app.people.filter(role=Role.SUPERVISOR).delete()
    assert "audit_committee.needs_board" in codes(app)
    _directors(app, 3)
    assert "audit_committee.needs_board" not in codes(app)


def test_company_law_art_121_a_joint_stock_company_has_supervisors_or_an_audit_committee():
    app = _llc(org_form=OrgForm.JOINT_STOCK)
    app.people.filter(role=Role.SUPERVISOR).delete()
    assert "people.supervisor.or_audit_committee" in codes(app)
    app.audit_committee = True
    app.save()
    assert "people.supervisor.or_audit_committee" not in codes(app)


def test_company_law_art_83_an_llc_may_have_neither_with_its_shareholders_consent():
    app = _llc()
    app.people.filter(role=Role.SUPERVISOR).delete()
    assert not {c for c in codes(app) if "supervisor" in c or "audit_committee" in c}


def test_only_a_company_has_an_audit_committee():
    app = _llc(org_form=OrgForm.PARTNERSHIP_GENERAL, audit_committee=True)
    assert "audit_committee.not_applicable" in codes(app)


# --- a joint-stock company's shares (认购股份) -------------------------------------------


def _promoters(*pairs):
    app = _llc(org_form=OrgForm.JOINT_STOCK)
    for investor, (amount, shares) in zip(app.investors.all(), pairs, strict=True):
        investor.amount, investor.shares = amount, shares
        investor.save()
    return app


def test_company_law_art_97_each_promoter_subscribes_shares():
    app = _promoters(("600000.00", 600000), ("400000.00", None))
    assert ("investors[1].shares", "investors.shares.required") in {
        (e["field"], e["code"]) for e in check_application(app, today=TODAY)}


def test_company_law_art_143_every_share_is_issued_at_one_price():
    assert "investors.shares.price" in codes(_promoters(("600000.00", 600000),
                                                        ("400000.00", 200000)))
    assert "investors.shares.price" not in codes(_promoters(("600000.00", 300000),
                                                            ("400000.00", 200000)))


def test_only_a_joint_stock_company_issues_shares():
    app = _llc()
    investor = app.investors.first()
    investor.shares = 1000
    investor.save()
    assert "investors.shares.not_applicable" in codes(app)
