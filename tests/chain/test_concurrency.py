"""Parallel workers on one database: no step runs twice, no USCC is handed out twice.

These run on every database; on PostgreSQL (the production path) the claims really
race through ``SELECT … FOR UPDATE SKIP LOCKED``, on SQLite through its single writer.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from tests import factories
from yilian.chain import engine
from yilian.chain.models import Step, StepStatus
from yilian.chain.services import start_chain
from yilian.codes import uscc
from yilian.departments.models import Effect
from yilian.registry.models import Enterprise

pytestmark = pytest.mark.django_db(transaction=True)


def _in_threads(n: int, target) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def run() -> None:
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # surfaced to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_parallel_registrations_get_distinct_valid_codes():
    chains = [start_chain(factories.application()) for _ in range(24)]
    ids = [c.steps.get(code="registration").pk for c in chains]

    def register_all() -> None:
        for step_id in ids:
            engine.advance(step_id)

    assert _in_threads(4, register_all) == []
    codes = list(Enterprise.objects.values_list("uscc", flat=True))
    assert len(codes) == 24 == len(set(codes))
    for code in codes:
        uscc.validate(code)
    steps = Step.objects.filter(pk__in=ids)
    assert all(s.status == StepStatus.DONE and s.attempts == 1 for s in steps)


def test_many_workers_drain_many_chains_without_running_a_step_twice():
    chains = [start_chain(factories.application()) for _ in range(12)]
    assert _in_threads(4, engine.drain) == []
    for chain in chains:
        chain.refresh_from_db()
        assert chain.status == "completed"
    attempts = Counter(Step.objects.values_list("attempts", flat=True))
    assert attempts == Counter({1: 12 * 6})
    per_key = Counter(Effect.objects.values_list("department", "idempotency_key"))
    assert set(per_key.values()) == {1}
    assert Effect.objects.filter(calls__gt=1).count() == 0


def test_the_same_key_asked_concurrently_acts_once():
    from yilian.departments import registry
    from yilian.departments.base import StepRequest

    chain = start_chain(factories.application())
    engine.drain()
    app = chain.application
    app.refresh_from_db()
    department = registry.get("housing_fund")
    request = StepRequest("housing_fund", "race-key", str(app.pk), app.uscc,
                          {"name": app.name, "employees": 1})
    answers = []

    def ask() -> None:
        answers.append(department.submit(request).reference)

    assert _in_threads(6, ask) == []
    assert len(set(answers)) == 1
    assert Effect.objects.filter(idempotency_key="race-key").count() == 1


def test_backend_is_what_the_run_says():
    # Guards the PostgreSQL run from silently running on SQLite.
    import os

    expected = "postgresql" if os.environ.get("YILIAN_DATABASE_URL") else "sqlite"
    assert connection.vendor == expected
