"""实名确认 on the dashboard: parties of the year's applications by how they confirmed —
ID card seen at the counter against a code to their phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from yilian.accounts import roles
from yilian.dashboard import stats
from yilian.forms import consent, counter, parties
from yilian.forms.models import Application

pytestmark = pytest.mark.django_db


def _submitted_with(via: str) -> Application:
    app = factories.application(accepted=False)
    clerk = factories.user()
    roles.grant(clerk, roles.CLERK)
    for party in parties.sync(app):
        if via == "in_person":
            counter.confirm_in_person(clerk, party)
        else:
            consent._confirm(party, None, via)
    Application.objects.filter(pk=app.pk).update(submitted_at=timezone.now())
    return app


def test_parties_are_counted_by_how_they_confirmed(client):
    _submitted_with("in_person")
    _submitted_with("code")
    _submitted_with("code")
    factories.application(accepted=False)  # a draft: not counted
    rows = {r.code: r.count for r in stats.confirmations(stats.Scope(timezone.localdate().year))}
    per_application = 7  # two investors and five people in office (factories.application)
    assert rows == {"in_person": per_application, "code": 2 * per_application, "account": 0}

    admin = factories.user()
    roles.grant(admin, roles.ADMIN)
    client.force_login(admin)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "当事人实名确认方式" in page and "现场核验身份证" in page
    csv = client.get(reverse("dashboard:export", args=["confirmations"])).content.decode()
    assert f"现场核验身份证,{per_application}," in csv
