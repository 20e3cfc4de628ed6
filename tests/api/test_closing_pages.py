"""The closing's phone page (``/me/enterprises/<uscc>/close/``) in process: the owner
opens a closing (field errors for a route without its declarations, nothing stored),
the investors confirm, the owner pledges and submits, and the page shows the notice and
the enterprise closed; nobody else gets the page."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.api.conftest import make_user
from tests.api.test_closures import registered  # noqa: F401
from yilian.accounts import roles
from yilian.chain import engine
from yilian.closing.models import Closure
from yilian.forms.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_page(applicant):
    roles.grant(applicant, roles.APPLICANT)
    client = Client()
    client.force_login(applicant)
    return client


def test_the_owner_closes_the_enterprise_from_the_phone_page(owner_page, registered):  # noqa: F811
    url = f"/me/enterprises/{registered['uscc']}/close/"
    page = owner_page.get(url)
    assert page.status_code == 200 and 'id="closing-form"' in page.content.decode()
    refused = owner_page.post(url, {"action": "open", "route": "simplified"})
    assert refused.status_code == 400 and 'id="debts-error">简易注销' in refused.content.decode()
    assert not Closure.objects.exists()
    opened = owner_page.post(url, {"action": "open", "route": "simplified", "debts": "none"})
    assert opened.status_code == 302
    application = Application.objects.get(purpose="close")
    early = owner_page.post(url, {"action": "submit", "declaration": "yes"})
    assert early.status_code == 400 and "parties.unconfirmed" not in early.content.decode()
    assert "尚未确认" in early.content.decode()
    factories.confirm_parties(application)
    unpledged = owner_page.post(url, {"action": "submit"})
    assert unpledged.status_code == 400 and 'id="declaration-error"' in unpledged.content.decode()
    assert owner_page.post(url, {"action": "submit", "declaration": "yes"}).status_code == 302
    engine.drain()
    done = owner_page.get(url).content.decode()
    assert "已注销" in done and 'data-kind="simplified"' in done


def test_others_do_not_get_the_page(registered, client):  # noqa: F811
    url = f"/me/enterprises/{registered['uscc']}/close/"
    other = make_user("someone-else")
    roles.grant(other, roles.APPLICANT)
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "open", "route": "simplified",
                             "debts": "none"}).status_code == 404
    assert not Closure.objects.exists()


def test_a_clerk_closes_it_at_the_counter_for_the_owner(staff_user, registered):  # noqa: F811
    """Both routes' page at the counter: the clerk opens the closing (it stays the
    owner's), confirms the investors present in person, ticks the paper pledge and
    submits; the enterprise page a clerk sees sends them here."""
    clerk = Client()
    clerk.force_login(staff_user)
    url = f"/workbench/counter/close/{registered['uscc']}/"
    enterprise_page = clerk.get(f"/me/enterprises/{registered['uscc']}/").content.decode()
    assert f'href="{url}"' in enterprise_page
    assert clerk.get(url).status_code == 200
    assert clerk.post(url, {"action": "open", "route": "simplified",
                            "debts": "settled"}).status_code == 302
    application = Application.objects.get(purpose="close")
    assert application.owner.username != staff_user.username  # the owner's application
    page = clerk.get(url).content.decode()
    present = [p for p in application.parties.all() if f'value="confirm:{p.pk}"' in page]
    assert present  # the investors, each confirmed here in person
    for party in present:
        assert clerk.post(url, {"action": f"confirm:{party.pk}"}).status_code == 302
    assert all(p.confirmed_via == "in_person" for p in present if not p.refresh_from_db())
    answer = clerk.post(url, {"action": "submit", "declaration": "yes"})
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    application.refresh_from_db()
    assert application.declared_via == "counter"
    engine.drain()
    assert "已注销" in clerk.get(url).content.decode()
