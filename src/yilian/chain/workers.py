"""Threads that run steps from this process's inbox (:data:`yilian.chain.dispatch.inbox`):
the embedded worker's, and a Celery worker's while its broker is down.

Degrade, don't stop (降级运行): a Celery worker whose broker does not answer
(:class:`BrokerFallback`, checked at every sweeper tick) turns into an embedded worker
until it answers again: it finds the ready steps in the database itself, runs them in
threads of its main process, and what it makes ready goes to its own inbox instead of
the broker. Claims keep every worker doing so from running a step twice. When the broker
is back, what is still queued here is handed to it once, and the sweeper resends nothing
that was not left waiting a grace period.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from django.db import close_old_connections

from yilian.chain import dispatch, engine

log = logging.getLogger("yilian.chain")


class InboxThreads:
    """``count`` threads that run each step id from the inbox through
    :func:`yilian.chain.engine.advance`, until stopped."""

    def __init__(self, count: int, name: str = "yilian-worker") -> None:
        self.count = max(1, count)
        self.name = name
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._stop.clear()
        self._threads = [threading.Thread(target=self._work, name=f"{self.name}-{i}",
                                          daemon=True) for i in range(self.count)]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)

    def _work(self) -> None:
        while not self._stop.is_set():
            step_id = dispatch.inbox.get(timeout=0.5)
            if step_id is None:
                continue
            try:
                engine.advance(step_id)
            except Exception:  # keep the thread alive; the sweeper retries the step
                log.exception("%s: step %s", self.name, step_id)
            finally:
                keep_connection()


def keep_connection() -> None:
    """A worker thread keeps its database connection from one step to the next: a fresh
    SQLite connection re-reads the schema and re-runs the PRAGMAs, which cost a step more
    than its own statements (docs/BENCHMARKS.md). Requests still close theirs
    (CONN_MAX_AGE 0), so a database that went away is met afresh by each. Only a
    connection that failed is replaced."""
    from django.db import connection

    if connection.connection is not None and connection.errors_occurred:
        if connection.in_atomic_block or not connection.is_usable():
            connection.close()
        else:
            connection.errors_occurred = False


def broker_answers() -> bool:
    from yilian.observability import health

    try:
        health.broker()
    except Exception:
        return False
    return True


class BrokerFallback:
    """A Celery worker's way through a broker outage: :meth:`check` (every sweeper
    tick) starts running ready steps here when the broker does not answer, and stops
    when it does."""

    def __init__(self, threads: int, consuming: Callable[[], bool] = lambda: True,
                 feed_seconds: float = 1.0, batch: int = 200) -> None:
        self.threads = InboxThreads(threads, name="yilian-direct")
        #: Whether this worker takes messages again (Celery reconnects on its own
        #: schedule, up to 30 s after the broker is back): until then, carry on here.
        self.consuming = consuming
        self.feed_seconds = feed_seconds
        self.batch = batch
        self.active = False
        self._stop = threading.Event()
        self._feeder: threading.Thread | None = None

    def check(self) -> None:
        up = broker_answers()
        if not up and not self.active:
            self.start()
        elif up and self.active and self.consuming():
            self.stop()

    def start(self) -> None:
        log.warning("broker unreachable: this worker runs ready steps from the database "
                    "itself until it answers again")
        self.active = True
        self._stop.clear()
        dispatch.inbox.active = True
        self.threads.start()
        self._feeder = threading.Thread(target=self._feed, name="yilian-direct-feed",
                                        daemon=True)
        self._feeder.start()

    def stop(self) -> None:
        self._stop.set()
        if self._feeder is not None:
            self._feeder.join(30)
        self.threads.stop()  # steps they finish still make their followers ready here
        dispatch.inbox.active = False  # from now on, what becomes ready goes to the broker
        self.active = False
        left = dispatch.inbox.drain()
        for step_id, delay in left:  # queued here, never sent: sent once now
            dispatch.send([step_id], delay)
        log.warning("broker answers again: %d queued step(s) handed to it", len(left))

    def _feed(self) -> None:
        """Put the ready steps in the inbox every ``feed_seconds``: those made ready by
        other processes (the web's submissions) reach nobody else while the broker is
        down. Shuffled, so that several workers doing the same meet in few claims."""
        while not self._stop.is_set():
            try:
                ids = engine.ready_step_ids(limit=self.batch)
                random.shuffle(ids)
                dispatch.send(ids)
            except Exception:
                log.exception("broker fallback: looking for ready steps")
                close_old_connections()
            else:
                keep_connection()
            self._stop.wait(self.feed_seconds)
