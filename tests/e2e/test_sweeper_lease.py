"""The sweeper needs no singleton (issue 11 §2): two `yilian worker` processes (one
started with the old `--beat`, which changes nothing), on PostgreSQL + Redis. One holds
the sweeper's lease; it is killed with SIGKILL; the other takes the lease over within
seconds and rescues a step the dead one left claimed."""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone

from tests import factories
from tests.e2e import processes
from tests.e2e.processes import kill, sweeper_holder_pid, wait_for
from yilian.chain import engine
from yilian.chain.models import Step, StepStatus
from yilian.chain.services import start_chain

pytestmark = processes.PRODUCTION_WORKERS


def test_the_lease_holder_killed_the_other_worker_takes_over_and_rescues_its_step(tmp_path):
    import redis

    redis.Redis.from_url(processes.BROKER).flushdb()
    # The lease as deployed (YILIAN_SWEEPER_LEASE_SECONDS, 10 s); sweeps every second.
    env = processes.child_env(YILIAN_BROKER_URL=processes.BROKER, YILIAN_SWEEP_SECONDS="1")
    workers = {}
    for name, extra in (("a", []), ("b", ["--beat"])):
        proc = processes.start(["worker", "--concurrency", "1", *extra], env,
                               tmp_path / f"{name}.log")
        workers[proc.pid] = proc
    try:
        def both_sweeping() -> bool:
            return all(b"sweeper: every" in (tmp_path / f"{n}.log").read_bytes()
                       for n in ("a", "b"))

        wait_for(both_sweeping, 60, interval=0.2, what=f"two sweepers (logs in {tmp_path})")
        holder = wait_for(sweeper_holder_pid, 30, interval=0.1, what="a lease holder")
        assert holder in workers
        time.sleep(4)  # more than a tick of each: the lease stays where it is
        assert sweeper_holder_pid() == holder
        survivor = next(pid for pid in workers if pid != holder)

        kill(workers[holder])
        killed = time.monotonic()
        # A step the dead worker held: claimed (a real claim, its lease as a worker's),
        # never finished. Nothing else sends it: only a sweeper can rescue it.
        chain = start_chain(factories.application(employees=1))
        registration = chain.steps.get(code="registration")
        assert engine.claim(registration.pk) is not None
        Step.objects.filter(pk=registration.pk).update(
            lease_expires_at=timezone.now() + dt.timedelta(seconds=2))

        wait_for(lambda: sweeper_holder_pid() == survivor, 30, interval=0.1,
                 what="the survivor to take the lease")
        takeover = time.monotonic() - killed
        wait_for(lambda: Step.objects.filter(chain=chain).exclude(
            status=StepStatus.DONE).count() == 0, 60, interval=0.2,
            what=f"the abandoned chain to complete (logs in {tmp_path})")
    finally:
        for proc in workers.values():
            kill(proc)

    # The lease ran out (10 s after the last renewal, renewed every ~3 s) and the
    # survivor looked within a tick.
    assert takeover <= 15, f"took over after {takeover:.1f} s"
    registration.refresh_from_db()
    assert registration.attempts == 2  # the dead worker's try, then the survivor's
    chain.refresh_from_db()
    assert chain.status == "completed"
    print(f"lease taken over {takeover:.1f} s after SIGKILL")
