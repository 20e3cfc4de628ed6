"""The sweeper (巡检): the periodic jobs that make a lost message, a crashed worker or a
department back from an outage cost only time — resend ready and abandoned steps, flag
overdue ones, probe open circuits (:func:`yilian.chain.engine.sweep`), expire stale
drafts, checkpoint the audit trail, deliver due text messages.

Every worker process runs one, as a thread: each ``yilian worker`` (a Celery worker
bootstep, :mod:`yilian.celery`) and the embedded worker beside the web server. One at a
time does the work: the holder of the ``sweeper`` lease in the database
(:mod:`yilian.chain.lease`). So no deployment can be left without one, and when the
process doing it dies another takes over within ``YILIAN_SWEEPER_LEASE_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections

from yilian.chain.lease import Lease

log = logging.getLogger("yilian.chain")

LEASE_NAME = "sweeper"


def jobs() -> tuple[Callable[[], object], ...]:
    """What the lease holder runs, in order, every ``YILIAN_SWEEP_SECONDS``."""
    from yilian.audit.checkpoints import checkpoint_if_due
    from yilian.chain import engine
    from yilian.closing.services import start_due
    from yilian.forms.lifecycle import expire_drafts
    from yilian.notices.outbox import deliver_due

    # expire_drafts, checkpoint_if_due and start_due (closings whose notice ended) are one
    # indexed query when nothing is due.
    return (engine.sweep, expire_drafts, checkpoint_if_due, deliver_due, start_due)


class Sweeper:
    """The sweeper loop of one process. ``on_tick`` runs at every tick whether or not
    this process holds the lease (a Celery worker checks its broker there)."""

    def __init__(self, every: float | None = None, lease_seconds: float | None = None,
                 on_tick: Callable[[], None] | None = None) -> None:
        self.every = settings.SWEEP_SECONDS if every is None else every
        self.lease = Lease(LEASE_NAME, lease_seconds or settings.SWEEPER_LEASE_SECONDS)
        self.on_tick = on_tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_run = float("-inf")
        self._own_thread = False

    @property
    def tick_seconds(self) -> float:
        """How often the lease is looked at: renewed three times per lease, so one slow
        renewal does not lose it; and at least as often as the jobs run."""
        return max(0.05, min(self.every, self.lease.seconds / 3))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="yilian-sweeper",
                                        daemon=True)
        self._thread.start()
        log.info("sweeper: every %ss, lease %ss (%s)", self.every, self.lease.seconds,
                 self.lease.holder)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop and give the lease up, so another process takes over at once."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        try:
            self.lease.release()
        except Exception:  # the database may be what is going away
            log.warning("sweeper: could not release the lease", exc_info=True)

    def _loop(self) -> None:
        self._own_thread = True
        try:
            while True:
                self.tick()
                if self._stop.wait(self.tick_seconds):
                    return
        finally:
            connections.close_all()  # this thread's own

    def _tidy(self) -> None:
        """In the loop's own thread: drop a connection that failed or is past its age
        (a test calling :meth:`tick` keeps its own)."""
        if self._own_thread:
            close_old_connections()

    def tick(self) -> bool:
        """One look: ``on_tick``, then the lease; the jobs if held and due. Returns
        whether the jobs ran."""
        try:
            if self.on_tick is not None:
                self.on_tick()
            held = self.lease.hold()
        except Exception:  # the database away: try again at the next tick
            log.exception("sweeper: tick")
            return False
        finally:
            self._tidy()
        if not held or time.monotonic() - self._last_run < self.every:
            return False
        self._last_run = time.monotonic()
        self.run_jobs()
        return True

    def run_jobs(self) -> None:
        # Each job alone: one failing must not stop the others. A job that outlasts the
        # lease lets another process take over; the rest waits for the next turn.
        for job in jobs():
            if not self.lease.held():
                log.warning("sweeper: lease ran out during the jobs; %s waits",
                            getattr(job, "__name__", job))
                return
            try:
                job()
            except Exception:
                log.exception("sweeper: %s", getattr(job, "__name__", job))
            finally:
                self._tidy()
