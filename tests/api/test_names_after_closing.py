"""A closed enterprise's name is freed only after the period the name rules set (one
year: data/after_closing.json, 企业名称登记管理规定第十七条, checked: false): until then a
new application with it is refused at submission, afterwards it is accepted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.api.conftest import confirm_every_party
from tests.api.test_closures import URL, _open, _submit, registered  # noqa: F401
from yilian.chain import engine
from yilian.names import services as names
from yilian.names import words
from yilian.registry.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(api_client, registered):  # noqa: F811
    body = _open(api_client, registered["uscc"], route="simplified", debts="none").json()
    assert _submit(api_client, body["id"]).status_code == 202
    engine.drain()
    enterprise = Enterprise.objects.get(uscc=registered["uscc"])
    assert enterprise.status == "closed" and enterprise.closed_on == timezone.localdate()
    return enterprise


def _closed_days_ago(enterprise: Enterprise, days: int) -> None:
    Enterprise.objects.filter(pk=enterprise.pk).update(
        closed_on=timezone.localdate() - dt.timedelta(days=days))


def test_the_period_is_data_with_its_basis():
    rule = words.after_closing()
    assert rule["years"] == 1 and "第十七条" in rule["basis"] and rule["checked"] is False
    assert names.freed_before(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)


def test_a_closed_name_is_taken_until_its_period_ends(closed):
    def verdict():
        return names.check_name(closed.name, closed.division_code, "llc_multi",
                                industry_code=closed.industry_code)

    assert [c.uscc for c in verdict().conflicts] == [closed.uscc]
    _closed_days_ago(closed, 364)
    assert [c.uscc for c in verdict().conflicts] == [closed.uscc]
    _closed_days_ago(closed, 366)
    assert verdict().acceptable, verdict().errors()


def test_a_new_application_takes_the_name_only_after_the_period(api_client, example, closed):
    draft = api_client.post(URL, example, format="json").json()
    assert draft["name"] == closed.name
    confirm_every_party(api_client, draft["id"])
    refused = api_client.post(f"{URL}{draft['id']}/submit/")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"].startswith("name.conflict.")
    _closed_days_ago(closed, 400)
    assert api_client.post(f"{URL}{draft['id']}/submit/").status_code == 202
    engine.drain()  # and the register enters it: its own check frees the name too
    done = api_client.get(f"{URL}{draft['id']}/").json()
    assert done["status"] == "completed", done["steps"]
    assert Enterprise.objects.filter(name=closed.name).count() == 2
