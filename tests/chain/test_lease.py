"""The sweeper's lease (租约) on the real database (SQLite here, PostgreSQL in that suite):
one holder at a time, taken over once it expires or is released. The processes that
hold it for real, and die, are in tests/e2e/test_sweeper_lease.py."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from tests import factories
from yilian.chain.lease import Lease
from yilian.chain.models import Lease as LeaseRow
from yilian.chain.models import Step
from yilian.chain.services import start_chain
from yilian.chain.sweeper import Sweeper

pytestmark = pytest.mark.django_db


def test_one_holder_at_a_time_and_the_holder_renews():
    a, b = Lease("job", 30), Lease("job", 30)
    assert a.hold() and a.held()
    assert not b.hold() and not b.held()
    first = LeaseRow.objects.get(name="job")
    assert first.holder == a.holder
    assert a.hold()  # renewed: later expiry, same taking
    again = LeaseRow.objects.get(name="job")
    assert again.expires_at >= first.expires_at and again.acquired_at == first.acquired_at
    assert not b.hold()
    assert Lease("other job", 30).hold()  # leases by name


def test_an_expired_lease_is_taken_over_and_the_old_holder_knows_it_lost():
    a, b = Lease("job", 0.3), Lease("job", 0.3)
    assert a.hold() and not b.hold()
    time.sleep(0.4)  # a stopped renewing (it died, or hung)
    assert not a.held()
    assert b.hold()
    assert LeaseRow.objects.get(name="job").holder == b.holder
    assert not a.hold()


def test_a_released_lease_is_taken_at_once():
    a, b = Lease("job", 60), Lease("job", 60)
    assert a.hold()
    a.release()
    assert not a.held()
    time.sleep(0.01)  # the database clock moves on
    assert b.hold()


def test_the_database_clock_decides_not_the_hosts(monkeypatch):
    """A host whose clock runs an hour ahead does not see the holder's lease as run
    out: expiry is judged by the database's clock."""
    a = Lease("job", 60)
    assert a.hold()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(hours=1))
    assert not Lease("job", 60).hold()
    # Run out by the database's clock (the holder stopped renewing): taken.
    LeaseRow.objects.filter(name="job").update(expires_at=real_now() - dt.timedelta(seconds=1))
    assert Lease("job", 60).hold()


@override_settings(SWEEP_GRACE_SECONDS=0)
def test_only_the_holders_sweeper_does_the_work(inbox):
    lost = start_chain(factories.application()).steps.get(code="registration")
    holder, other = Sweeper(every=0, lease_seconds=30), Sweeper(every=0, lease_seconds=30)
    assert holder.tick() is True
    assert inbox.get(timeout=0) == lost.pk
    Step.objects.filter(pk=lost.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert other.tick() is False
    assert inbox.get(timeout=0) is None  # the other did not send it again
    holder.stop()  # a clean stop gives the lease up
    time.sleep(0.01)
    assert other.tick() is True
    assert inbox.get(timeout=0) == lost.pk


@pytest.mark.django_db(transaction=True)
def test_two_sweeper_threads_take_turns_and_the_survivor_takes_over():
    """The loops as workers run them: the second waits while the first holds the
    lease, and takes it over within the lease once the first stops renewing."""
    first = Sweeper(every=0.05, lease_seconds=0.6)
    second = Sweeper(every=0.05, lease_seconds=0.6)
    first.start()
    try:
        time.sleep(0.3)
        second.start()
        time.sleep(0.5)
        assert LeaseRow.objects.get(name="sweeper").holder == first.lease.holder
        # The first "dies": its thread stops without giving the lease up.
        first._stop.set()
        first._thread.join(5)
        stopped = time.monotonic()
        while LeaseRow.objects.get(name="sweeper").holder != second.lease.holder:
            assert time.monotonic() - stopped < 5, "the second never took over"
            time.sleep(0.02)
        assert time.monotonic() - stopped >= 0.2  # not before the lease ran out
    finally:
        first._stop.set()
        second.stop()
        for thread in threading.enumerate():
            if thread.name == "yilian-sweeper":
                thread.join(5)
        connections.close_all()
