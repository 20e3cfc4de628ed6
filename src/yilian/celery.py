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
from celery.signals import task_prerun

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


@task_prerun.connect
def _carry_request_id(task=None, **kwargs) -> None:
    # Celery puts custom message headers on the task's request (yilian.observability.logs).
    from yilian.observability import logs

    logs.received({"request_id": getattr(task.request, "request_id", None)} if task else None)
