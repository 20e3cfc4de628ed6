"""Reservations: one holder per name under an authority, lazy expiry, and two concurrent
reservations of one name on the real database — exactly one succeeds."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from yilian.names import services
from yilian.names.models import NameReservation

pytestmark = pytest.mark.django_db


def test_reserve_and_release(alice, bob):
    held = services.reserve("威海蓝峰科技有限公司", "371071", alice)
    assert held.is_active and held.authority == "3710" and held.normalized_key == "蓝峰科技"
    assert held.expires_at - held.reserved_at == dt.timedelta(days=30)
    with pytest.raises(services.NameTaken) as caught:
        services.reserve("蓝峰科技（威海）股份有限公司", "371002", bob)
    assert caught.value.holder == held and "蓝峰" in str(caught.value)
    with pytest.raises(PermissionError):
        services.release(held, bob)
    services.release(held.pk, alice)
    assert services.reserve("威海蓝峰科技有限公司", "371002", bob).owner == bob


def test_reserving_again_returns_ones_own_reservation(alice):
    first = services.reserve("威海蓝峰科技有限公司", "371071", alice)
    assert services.reserve("威海蓝峰科技有限公司", "371071", alice) == first


def test_another_authority_may_reserve_the_same_name(alice, bob):
    services.reserve("蓝峰科技有限公司", "371071", alice)
    assert services.reserve("蓝峰科技有限公司", "370602", bob).authority == "3706"


def test_reservations_of_others_show_in_check_name(alice, bob):
    services.reserve("威海蓝峰科技有限公司", "371071", alice)
    verdict = services.check_name("威海蓝峰信息科技有限公司", "371002", "llc_multi", user=bob)
    assert [(c.rule, c.reserved) for c in verdict.conflicts] == [
        ("same_trade_name_same_industry", True)]
    assert "保留" in verdict.conflicts[0].message_zh
    assert services.check_name("威海蓝峰科技有限公司", "371002", user=alice).acceptable


def test_a_name_in_conflict_cannot_be_reserved(registered, alice):
    with pytest.raises(services.NameUnavailable) as caught:
        services.reserve("威海易链科技有限公司", "371002", alice)
    assert [c.rule for c in caught.value.check.conflicts] == ["homophone"]


def test_expired_reservations_are_released_lazily(alice, bob):
    old = services.reserve("威海蓝峰科技有限公司", "371071", alice, days=1)
    NameReservation.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert services.check_name("威海蓝峰科技有限公司", "371071", user=bob).acceptable
    new = services.reserve("威海蓝峰科技有限公司", "371071", bob)
    old.refresh_from_db()
    assert old.released_at == old.expires_at and new.owner == bob


def test_the_database_refuses_a_second_active_reservation(alice, bob):
    services.reserve("威海蓝峰科技有限公司", "371071", alice)
    row = dict(name="威海蓝峰科技有限公司", normalized_key="蓝峰科技", trade_key="蓝峰",
               pinyin_key="lan feng", division_code="371002", authority="3710", owner=bob,
               expires_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        NameReservation.objects.create(**row)
    NameReservation.objects.create(**row, released_at=timezone.now())  # released: fine


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reservations_exactly_one_succeeds():
    users = [get_user_model().objects.create_user(f"racer{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(user):
        try:
            barrier.wait()
            services.reserve("威海蓝峰科技有限公司", "371071", user)
            outcomes.append("reserved")
        except services.NameTaken:
            outcomes.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["reserved", "taken"]
    assert NameReservation.objects.filter(released_at__isnull=True).count() == 1
