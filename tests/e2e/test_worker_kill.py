"""Production path: Celery workers on PostgreSQL + Redis. A worker is killed with SIGKILL
in the middle of chains; every chain still completes and no department acted twice."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from django.db import connection

from tests import factories
from tests.e2e.processes import child_env, kill, start, wait_for
from yilian.chain.models import Chain, Step, StepStatus
from yilian.chain.services import start_chain
from yilian.departments.models import Effect

BROKER = os.environ.get("YILIAN_TEST_BROKER_URL", "")
ON_POSTGRES = os.environ.get("YILIAN_DATABASE_URL", "").startswith("postgres")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(not (BROKER and ON_POSTGRES),
                       reason="runs in the PostgreSQL + Redis suite"),
]


def _purge_broker() -> None:
    import redis

    redis.Redis.from_url(BROKER).flushdb()


def test_sigkill_in_the_middle_of_chains_loses_nothing_and_duplicates_nothing(tmp_path):
    assert connection.vendor == "postgresql"
    _purge_broker()
    chains = [start_chain(factories.application(employees=1)) for _ in range(12)]
    env = child_env(
        YILIAN_BROKER_URL=BROKER,
        YILIAN_SIM_LATENCY_MS="100-300",
        YILIAN_STEP_LEASE_SECONDS="3",
        YILIAN_SWEEP_SECONDS="0.5",
    )
    log = tmp_path / "workers.log"
    first = start(["worker", "--concurrency", "4", "--beat"], env, log)
    try:
        def running_mid_chain():
            done = Step.objects.filter(status=StepStatus.DONE).count()
            running = list(Step.objects.filter(status=StepStatus.RUNNING)
                           .values_list("pk", flat=True))
            return running if done >= 15 and running else None

        in_flight = wait_for(running_mid_chain, 60, interval=0.02, what="steps in flight")
    finally:
        kill(first)
    assert Chain.objects.filter(finished_at__isnull=True).exists(), "killed too late"

    second = start(["worker", "--concurrency", "4", "--beat"], env, log)
    try:
        wait_for(lambda: not Chain.objects.filter(finished_at__isnull=True).exists(), 120,
                 interval=0.2, what=f"all chains to complete (log: {log})")
    finally:
        kill(second)

    steps = Step.objects.filter(chain__in=chains)
    assert steps.count() == 12 * 6
    assert set(steps.values_list("status", flat=True)) == {StepStatus.DONE}
    # The steps that were running when the worker died were asked again...
    assert all(s.attempts >= 2 for s in Step.objects.filter(pk__in=in_flight))
    # ...and yet every department acted exactly once per step.
    effects = Counter(Effect.objects.values_list("department", "idempotency_key"))
    assert len(effects) == steps.count()
    assert set(effects.values()) == {1}
    for step in steps:
        effect = Effect.objects.get(department=step.code, idempotency_key=step.idempotency_key)
        assert step.reference == effect.reference
