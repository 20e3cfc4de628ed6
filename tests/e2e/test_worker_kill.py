"""Production path: two Celery workers on PostgreSQL + Redis. One is killed with SIGKILL in
the middle of chains; the other finishes every chain, no step is run twice except the ones
the dead worker held, and no department acted twice even for those."""

from __future__ import annotations

from django.db import connection

from tests import factories
from tests.e2e.processes import (
    BROKER,
    PRODUCTION_WORKERS,
    assert_each_department_acted_once,
    child_env,
    kill,
    start,
    sweeper_holder_pid,
    wait_for,
)
from yilian.chain.models import Chain, Step, StepStatus
from yilian.chain.services import start_chain

pytestmark = PRODUCTION_WORKERS


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
    # Both run the sweeper (one at a time holds its lease), so the survivor takes back
    # the claims the dead one held once their leases expire, whichever was sweeping.
    first = start(["worker", "--concurrency", "2"], env, log)
    second = start(["worker", "--concurrency", "2"], env, tmp_path / "b.log")
    doomed = first
    try:
        def running_mid_chain():
            # More steps running than the survivor's two processes can hold: at least one
            # of them belongs to the worker about to die.
            done = Step.objects.filter(status=StepStatus.DONE).count()
            running = Step.objects.filter(status=StepStatus.RUNNING).count()
            return done >= 15 and running >= 3

        wait_for(running_mid_chain, 60, interval=0.02, what="steps in flight")
        # The one doing the sweeper's work dies: the other must take that over too.
        holder = sweeper_holder_pid()
        assert holder in (first.pid, second.pid)
        doomed = second if holder == second.pid else first
        kill(doomed)
        in_flight = list(Step.objects.filter(status=StepStatus.RUNNING)
                         .values_list("pk", flat=True))
        assert Chain.objects.filter(finished_at__isnull=True).exists(), "killed too late"
        wait_for(lambda: not Chain.objects.filter(finished_at__isnull=True).exists(), 120,
                 interval=0.2, what=f"all chains to complete (logs in {tmp_path})")
        wait_for(lambda: sweeper_holder_pid() not in (None, doomed.pid), 30,
                 what="the survivor to hold the sweeper's lease")
    finally:
        kill(first)
        kill(second)

    steps = Step.objects.filter(chain__in=chains)
    assert steps.count() == 12 * 6
    # Only steps that were in flight when the worker died were asked twice (some of
    # them belonged to the survivor and finished normally)...
    assert set(steps.filter(attempts__gt=1).values_list("pk", flat=True)) <= set(in_flight)
    assert steps.filter(attempts__gt=2).count() == 0
    assert steps.filter(attempts=2).exists(), "no step of the dead worker was taken back"
    # ...and yet every department acted exactly once per step.
    assert_each_department_acted_once(steps)
