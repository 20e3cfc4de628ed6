"""The core of a change and a closing, in process (issue 13): the form pre-filled from
the register, what changes, the chain that only asks the departments that must know (and a
closing's the other way round), a new license version superseding the old, and a closing
revoking it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests import kindapps
from tests.history.conftest import _quick_departments  # noqa: F401  (autouse)
from tests.history.conftest import run as _run
from yilian.chain.models import Step
from yilian.forms import afterwards
from yilian.forms.models import Application, Purpose
from yilian.licenses import standing
from yilian.licenses.models import License, LicenseStatus
from yilian.registry import history
from yilian.registry.models import Enterprise, EnterpriseStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprise() -> Enterprise:
    app = kindapps.company()
    _run(app)
    app.refresh_from_db()
    return Enterprise.objects.get(uscc=app.uscc)


def test_a_change_is_prefilled_and_says_what_changes(enterprise):
    change = afterwards.open_change(enterprise, enterprise.application.owner)
    assert change.purpose == Purpose.CHANGE and change.uscc == enterprise.uscc
    assert afterwards.snapshot(change) == afterwards.snapshot(enterprise.application)
    assert afterwards.changes(change) == {}
    change.domicile = "济南市高新区舜华路1号新址"
    change.registered_capital = Decimal("2000000")
    change.save()
    changed = afterwards.changes(change)
    assert set(changed) == {"domicile", "registered_capital"}
    assert changed["domicile"][1] == "济南市高新区舜华路1号新址"
    assert not afterwards.is_filing_only(changed)


def test_one_open_change_or_closing_at_a_time(enterprise):
    owner = enterprise.application.owner
    afterwards.open_change(enterprise, owner)
    with pytest.raises(afterwards.CannotOpen) as refused:
        afterwards.open_closing(enterprise, owner)
    assert refused.value.code == "enterprise.open_application"
    # The database says so too, whatever a caller checked before.
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(owner=owner, purpose=Purpose.CHANGE, open_on=enterprise)


def test_a_change_asks_registration_then_only_who_must_know(enterprise):
    old = License.objects.get(enterprise=enterprise)
    change = afterwards.open_change(enterprise, enterprise.application.owner)
    change.domicile = "济南市高新区舜华路1号新址"
    change.save()
    chain = _run(change)
    asked = set(chain.steps.values_list("code", flat=True))
    assert "registration" in asked and "seals" not in asked
    assert {"tax", "social_security"} <= asked
    assert chain.steps.get(code="tax").payload["changes"] == {
        "domicile": [enterprise.application.domicile, "济南市高新区舜华路1号新址"]}
    new = License.objects.get(application=change)
    old.refresh_from_db()
    assert (old.version, old.status) == (1, LicenseStatus.SUPERSEDED)
    assert (new.version, new.status) == (2, LicenseStatus.CURRENT)
    assert new.fields["domicile"] == "济南市高新区舜华路1号新址"
    assert standing.standing(old.signed["license"]) == "superseded"
    assert standing.standing(new.signed["license"]) == "current"
    kinds = [e.kind for e in history.timeline(enterprise)]
    assert kinds == ["established", "changed"]
    change.refresh_from_db()
    assert change.open_on is None  # the next change may be opened
    again = afterwards.open_change(enterprise, enterprise.application.owner)
    assert again.domicile == "济南市高新区舜华路1号新址"  # from the latest registered form


def test_a_filing_only_change_issues_no_license(enterprise):
    change = afterwards.open_change(enterprise, enterprise.application.owner)
    contact = change.people.get(role="contact")
    contact.name = "新联络员"
    contact.save()
    changed = afterwards.changes(change)
    assert set(changed) == {"people.contact"} and afterwards.is_filing_only(changed)
    chain = _run(change)
    assert list(chain.steps.values_list("code", flat=True)) == ["registration"]
    assert not License.objects.filter(application=change).exists()
    assert [e.kind for e in history.timeline(enterprise)] == ["established", "filed"]


def test_a_closing_clears_tax_first_and_closes_the_register_last(enterprise):
    lic = License.objects.get(enterprise=enterprise)
    closing = afterwards.open_closing(enterprise, enterprise.application.owner)
    chain = _run(closing)
    steps = {s.code: s for s in Step.objects.filter(chain=chain)}
    assert "tax" in steps and "registration" in steps
    others = [s for code, s in steps.items() if code not in ("tax", "registration")]
    assert others
    assert all(s.started_at >= steps["tax"].finished_at for s in others)
    assert all(steps["registration"].started_at >= s.finished_at for s in others)
    enterprise.refresh_from_db()
    lic.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.CLOSED and enterprise.closed_on
    assert lic.status == LicenseStatus.REVOKED and lic.ended_at
    assert standing.standing(lic.signed["license"]) == "revoked"
    with pytest.raises(afterwards.CannotOpen):
        afterwards.open_change(enterprise, enterprise.application.owner)
