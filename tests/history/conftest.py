"""An enterprise with a life behind it, made the way the register makes one: established
through the one form, then changed, filed and — for some tests — closed, each by its own
application running its chain in process (as tests/afterwards/test_foundation.py does)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from tests import kindapps
from yilian.accounts import roles
from yilian.chain import engine
from yilian.chain.services import start_chain
from yilian.forms import afterwards
from yilian.forms.models import Application, Status
from yilian.registry.models import Enterprise

NEW_DOMICILE = "威海市环翠区新威路88号新址"


@pytest.fixture(autouse=True)
def _quick_departments(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(SIMULATOR={"latency_ms": "0", "failure_rate": 0.0, "outages": "",
                                      "seed": "7"}):
        yield


def run(app: Application):
    """Accept ``app`` and run its chain to the end."""
    app.status = Status.ACCEPTED
    app.save(update_fields=["status"])
    chain = start_chain(app)
    engine.drain()
    chain.refresh_from_db()
    assert chain.status == "completed", [(s.code, s.status, s.last_error)
                                         for s in chain.steps.all()]
    return chain


def establish() -> Enterprise:
    app = kindapps.company()
    run(app)
    app.refresh_from_db()
    roles.grant(app.owner, roles.APPLICANT)
    return Enterprise.objects.get(uscc=app.uscc)


def change(enterprise: Enterprise, *, domicile: str | None = None,
           capital: Decimal | None = None, contact: str | None = None) -> Application:
    app = afterwards.open_change(enterprise, enterprise.application.owner)
    if domicile:
        app.domicile = domicile
    if capital:
        app.registered_capital = capital
    app.save()
    if contact:
        person = app.people.get(role="contact")
        person.name = contact
        person.save()
    run(app)
    return app


def close(enterprise: Enterprise) -> Application:
    app = afterwards.open_closing(enterprise, enterprise.application.owner)
    run(app)
    enterprise.refresh_from_db()
    return app


@pytest.fixture
def enterprise(db) -> Enterprise:
    return establish()


@pytest.fixture
def changed(enterprise) -> Enterprise:
    """Established, then its domicile and capital changed (license v2), then its liaison
    filed (no license)."""
    change(enterprise, domicile=NEW_DOMICILE, capital=Decimal("2000000"))
    change(enterprise, contact="新联络员")
    enterprise.refresh_from_db()
    return enterprise
