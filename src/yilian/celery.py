"""The Celery application for production workers (``yilian worker``).

Pool processes do not warm the name index (名称比对索引) at start, unlike the web
processes (``runner.py``): no chain task checks names — submission does, in the web
process — and at a province's 10 M names each pool process would hold 1.1 GB for nothing.
A task that comes to check names can still call ``names.services.current_index()``,
which loads the data dir's snapshot on first use.
"""

from __future__ import annotations

import os

from celery import Celery, bootsteps
from celery.signals import task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yilian.settings")

app = Celery("yilian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["yilian.chain", "yilian.audit", "yilian.forms",
                        "yilian.notices"])


class SweeperStep(bootsteps.StartStopStep):
    """Every ``yilian worker`` runs the sweeper (巡检) in a thread of its main process,
    started after the pool (so no pool process is forked with it) and before the
    consumer connects (so it runs, and carries the chains, while the broker is down).
    The lease decides which worker does the work (:mod:`yilian.chain.sweeper`); at every
    tick each worker also checks its broker (:class:`yilian.chain.workers.BrokerFallback`).
    """

    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.sweeper = None
        self.fallback = None

    def start(self, worker) -> None:
        from yilian.chain.sweeper import Sweeper
        from yilian.chain.workers import BrokerFallback

        def consuming() -> bool:
            consumer = getattr(worker, "consumer", None)
            return getattr(consumer, "connection", None) is not None

        self.fallback = BrokerFallback(worker.concurrency, consuming=consuming)
        self.sweeper = Sweeper(on_tick=self.fallback.check)
        self.sweeper.start()

    def stop(self, worker) -> None:
        if self.sweeper is not None:
            self.sweeper.stop()  # gives the lease up: another worker sweeps at once
        if self.fallback is not None and self.fallback.active:
            self.fallback.threads.stop()

    terminate = stop


app.steps["worker"].add(SweeperStep)


def _survive_losing_redis() -> None:
    """kombu 5.7 on Redis: once the connection is lost, a channel of the old connection
    still used — to restore the unacknowledged messages as it closes, or to acknowledge
    a step a pool process finished after the reconnection — builds a Redis client from
    the transport's settings, which are gone: an ``AttributeError`` (``'NoneType'
    object has no attribute 'hostname'`` / ``'client'``) that kombu's error handling
    does not expect, so the whole worker stopped ("Unrecoverable error") instead of
    carrying on (seen in tests/e2e/test_broker_outage.py; the same error in
    celery/kombu#582). Here that case is the connection error it is, which kombu logs
    and survives. What was not acknowledged stays in Redis (redelivered after its
    visibility timeout, if Redis survived): a message that finds its step done is no
    attempt, and the sweeper resends any step still waiting — the database is the
    truth."""
    import redis
    from kombu.transport import redis as kombu_redis

    connparams = kombu_redis.Channel._connparams
    if getattr(connparams, "yilian_guarded", False):
        return

    def guarded(self, *args, **kwargs):
        if self.connection is None or getattr(self.connection, "client", None) is None:
            raise redis.exceptions.ConnectionError("this channel's connection is closed")
        return connparams(self, *args, **kwargs)

    guarded.yilian_guarded = True
    kombu_redis.Channel._connparams = guarded


_survive_losing_redis()


@worker_process_init.connect
def _pool_process_sends_to_the_broker(**kwargs) -> None:
    # A pool process forked while its parent runs steps itself (broker down) would
    # inherit the parent's switched-on inbox, which nobody reads in the child.
    from yilian.chain import dispatch

    dispatch.inbox.active = False
    dispatch.inbox.clear()


@task_prerun.connect
def _carry_request_id(task=None, **kwargs) -> None:
    # Celery puts custom message headers on the task's request (yilian.observability.logs).
    from yilian.observability import logs

    logs.received({"request_id": getattr(task.request, "request_id", None)} if task else None)
