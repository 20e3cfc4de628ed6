"""The dashboard's changes, closings and net growth (变更、注销与净增长): per month and per
kind, as a chart, a table and CSV; counted from the register's history, including the
events a real change and a real closing write; and in the demo's history."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.dashboard.build import enterprise as registered
from tests.dashboard.build import local
from tests.history.conftest import change, close, establish
from yilian.accounts import roles
from yilian.dashboard import afterwards, demo, stats
from yilian.registry import history
from yilian.registry.models import EventKind, RegistrationEvent

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year - 1  # a whole past year: twelve months


@pytest.fixture
def admin(client):
    user = factories.user()
    roles.grant(user, roles.ADMIN)
    client.force_login(user)
    return client


@pytest.fixture
def last_year():
    """Last year: three established (two companies in January, an individual business in
    March); in March one company changes and the other files; in May the individual
    business closes; one more change in another division, not counted."""
    a = registered(dt.date(YEAR, 1, 5))
    b = registered(dt.date(YEAR, 1, 20))
    c = registered(dt.date(YEAR, 3, 2), org_form="individual_business")
    elsewhere = registered(dt.date(YEAR, 2, 1), division="371002")
    history.record(a, EventKind.CHANGED, None, {"domicile": ["旧", "新"]},
                   at=local(YEAR, 3, 10, 10))
    history.record(b, EventKind.FILED, None, {"people.contact": [[], []]},
                   at=local(YEAR, 3, 31, 23, 30))  # still March in the zone's clock
    history.record(c, EventKind.CLOSED, None, at=local(YEAR, 5, 6, 15))
    history.record(elsewhere, EventKind.CHANGED, None, {}, at=local(YEAR, 3, 11, 10))


def test_per_month_changes_closings_and_net_growth(last_year):
    rows = afterwards.by_month(stats.Scope(YEAR))
    assert len(rows) == 12
    got = {r.month: (r.established, r.changed, r.filed, r.closed, r.net) for r in rows
           if (r.established, r.changes, r.closed) != (0, 0, 0)}
    assert got == {1: (2, 0, 0, 0, 2), 3: (1, 1, 1, 0, 1), 5: (0, 0, 0, 1, -1)}
    # Every division: the change elsewhere counts too.
    everywhere = afterwards.by_month(stats.Scope(YEAR, ""))
    assert sum(r.changed for r in everywhere) == 2


def test_per_kind(last_year):
    rows = {r.kind: (r.established, r.changes, r.closed, r.net)
            for r in afterwards.by_kind(stats.Scope(YEAR))}
    assert rows["llc_multi"] == (2, 2, 0, 2)
    assert rows["individual_business"] == (1, 0, 1, 0)
    assert set(rows) >= {"llc_single_natural", "cooperative"}  # every kind listed


def test_the_page_and_the_csv(admin, last_year):
    html = admin.get(reverse("dashboard:index"), {"year": YEAR}).content.decode()
    for name in ("changes", "changes-kinds"):
        assert f'id="section-{name}"' in html
    assert 'id="chart-changes"' in html and 'id="chart-net-growth"' in html
    response = admin.get(reverse("dashboard:export", args=["changes"]), {"year": YEAR})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["月份", "新设", "变更登记", "备案", "注销", "净增长"]
    assert rows[-1] == ["合计", "3", "1", "1", "1", "2"]
    assert rows[5][1:] == ["0", "0", "0", "1", "-1"]  # May
    response = admin.get(reverse("dashboard:export", args=["changes-kinds"]), {"year": YEAR})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["市场主体类型", "新设", "变更（含备案）", "注销", "净增长"]
    assert rows[-1] == ["合计", "3", "2", "1", "2"]


def test_a_real_change_and_closing_are_counted_this_month(db):
    first = establish()
    change(first, domicile="威海市环翠区新威路1号")
    close(first)
    scope = stats.Scope(timezone.localdate().year, "")
    month = afterwards.by_month(scope)[-1]
    assert (month.changed, month.closed) == (1, 1)


def test_the_demo_history_has_changes_and_closings(db):
    lines = demo.seed()
    events = RegistrationEvent.objects.filter(enterprise__source=demo.SOURCE)
    changes = events.exclude(kind=EventKind.CLOSED).count()
    closings = events.filter(kind=EventKind.CLOSED).count()
    assert changes > 100 and closings > 50
    assert f"{changes} changes and {closings} closings" in lines[0]
    # A closed enterprise changes nothing after it closed.
    for event in events.filter(kind=EventKind.CLOSED)[:50]:
        assert event.enterprise.status == "closed"
        assert not event.enterprise.events.filter(at__gt=event.at).exists()
    rows = afterwards.by_month(stats.Scope(timezone.localdate().year - 1))
    assert all(r.changes for r in rows) and sum(r.closed for r in rows) > 10
    assert demo.seed() == lines
