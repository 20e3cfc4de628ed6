"""Degrade, don't stop (issue 11 §7, the broker's half): two `yilian worker` processes
on PostgreSQL and a Redis of the test's own (never the machine's shared one), killed in
the middle of chains. While it is down the workers find ready steps in the database and
run them; chains submitted during the outage complete during it. When a fresh Redis
comes back, the messages sent to it are counted against the attempts made: no flood.

``YILIAN_TEST_OUTAGE_SECONDS`` (default 20) sets how long Redis stays down."""

from __future__ import annotations

import os
import subprocess
import time

from django.db.models import Sum

from tests import factories
from tests.e2e.processes import PRODUCTION_WORKERS, child_env, kill, start, wait_for
from yilian.chain.models import Chain, Step
from yilian.chain.services import start_chain

OUTAGE_SECONDS = float(os.environ.get("YILIAN_TEST_OUTAGE_SECONDS", "20"))
GRACE = 3.0

pytestmark = PRODUCTION_WORKERS


def _redis(port: int, log) -> subprocess.Popen:
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"],
                            stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    wait_for(lambda: _answers(port), 10, what="redis-server to answer")
    return proc


def _answers(port: int) -> bool:
    import redis

    try:
        return redis.Redis(port=port, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def _messages(port: int) -> int:
    """Messages pushed onto the queues since this Redis started (kombu pushes each
    message with LPUSH; restoring an unacknowledged one pushes it again)."""
    import redis

    stats = redis.Redis(port=port).info("commandstats")
    return sum(stats.get(f"cmdstat_{cmd}", {}).get("calls", 0) for cmd in ("lpush", "rpush"))


def _chains(n: int, queue_to: str = "") -> list:
    """``n`` chains accepted; with ``queue_to``, each registration step is queued there
    at once, as the web process does on submission (else it could not be queued)."""
    from celery import Celery

    sender = Celery("yilian-test", broker=queue_to) if queue_to else None
    chains = []
    for _ in range(n):
        chain = start_chain(factories.application(employees=1))
        if sender is not None:
            sender.send_task("yilian.chain.tasks.run_step",
                             (chain.steps.get(code="registration").pk,))
        chains.append(chain)
    if sender is not None:
        sender.close()
    return chains


def _unfinished(chains) -> int:
    return Chain.objects.filter(pk__in=[c.pk for c in chains], finished_at__isnull=True) \
        .count()


def _attempts() -> int:
    return Step.objects.aggregate(n=Sum("attempts"))["n"] or 0


def test_chains_complete_while_the_broker_is_down_and_its_return_brings_no_flood(tmp_path):
    port = 18101  # this engineer's range (18100-18199): never the shared Redis
    url = f"redis://127.0.0.1:{port}/0"
    broker = _redis(port, tmp_path / "redis.log")
    env = child_env(YILIAN_BROKER_URL=url, YILIAN_SIM_LATENCY_MS="20-80",
                    YILIAN_SWEEP_SECONDS="1", YILIAN_SWEEP_GRACE_SECONDS=str(GRACE),
                    YILIAN_STEP_LEASE_SECONDS="10")
    workers = [start(["worker", "--concurrency", "2"], env, tmp_path / f"w{i}.log")
               for i in range(2)]
    try:
        wait_for(lambda: all(b"sweeper: every" in (tmp_path / f"w{i}.log").read_bytes()
                             for i in range(2)), 60, what=f"workers (logs in {tmp_path})")
        before = _chains(4, queue_to=url)
        wait_for(lambda: _unfinished(before) < 4, 60, what="chains under way")

        kill(broker)  # SIGKILL: a Redis gone at once, and with it every queued message
        down_at = time.monotonic()
        during = []
        while time.monotonic() - down_at < OUTAGE_SECONDS:
            during += _chains(1)  # submitted: the web could not queue them
            time.sleep(2)
        wait_for(lambda: _unfinished(before + during) == 0, 120, interval=0.2,
                 what=f"chains to complete while Redis is down (logs in {tmp_path})")
        down_for = time.monotonic() - down_at
        assert not _answers(port)

        broker = _redis(port, tmp_path / "redis.log")  # back, empty
        attempts_at_return = _attempts()
        wait_for(lambda: all(b"broker answers again" in (tmp_path / f"w{i}.log").read_bytes()
                             for i in range(2)), 90, interval=0.2,
                 what=f"workers to consume again (logs in {tmp_path})")
        after = _chains(4, queue_to=url)
        wait_for(lambda: _unfinished(after) == 0, 60, interval=0.2,
                 what=f"chains after the outage (logs in {tmp_path})")
        time.sleep(3 * GRACE)  # time for any late resends to show
        messages = _messages(port)
        attempts = _attempts() - attempts_at_return
        # Neither worker stopped: losing the broker is not a reason to.
        assert [proc.poll() for proc in workers] == [None, None]
    finally:
        for proc in workers:
            kill(proc)
        kill(broker)

    steps = Step.objects.filter(chain__in=after).count()
    print(f"Redis down {down_for:.0f} s: {len(before)} chains begun before, {len(during)} "
          f"submitted during, all completed while it was down; after its return: "
          f"{messages} messages for {attempts} attempts ({steps} steps of "
          f"{len(after)} new chains)")
    # Every attempt after the return was woken by one message (the new chains'
    # registrations were queued once, each finished step queued its followers once):
    # nothing of the outage was sent again, and no step twice.
    assert len(during) >= 3
    assert attempts == steps
    assert messages <= attempts + 1
