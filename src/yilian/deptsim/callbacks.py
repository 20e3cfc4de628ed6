"""The reference department's background work (后台): finishing accepted requests when
their time comes, and delivering their callbacks (回调) until Yilian answers 200.

Both read their work from the ledger, so after a SIGKILL and a restart nothing is lost
(accepted requests and unacknowledged deliveries are rows) and nothing is done twice (a
request is finished in the transaction that changes its status from accepted, once).
Deliveries are at-least-once: each one is signed anew (§2), retried with doubling
back-off, and sent in parallel by a few threads so a slow receiver does not hold up the
rest. While the department is in an outage it does nothing at all.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx

from yilian.departments import protocol
from yilian.deptsim.ledger import Delivery
from yilian.deptsim.service import DepartmentSystem

log = logging.getLogger(__name__)
_TICK = 0.1
_IDLE = 1.0
_SENDERS = 4
_PURGE_EVERY = 30.0


class Courier:
    """The background thread of one department system."""

    def __init__(self, system: DepartmentSystem, secret: str) -> None:
        self.system = system
        self.secret = secret
        self._stop = threading.Event()
        self._busy: set[int] = set()
        self._busy_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(_SENDERS, thread_name_prefix="callback")
        self._http = httpx.Client(timeout=10.0)
        self._thread = threading.Thread(target=self._run, name="courier", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.system.wake.set()
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        purged = 0.0
        wait = _TICK
        while not self._stop.is_set():
            self.system.wake.wait(wait)
            self.system.wake.clear()
            wait = _TICK
            try:
                if self.system.down_for() is not None:
                    continue
                due = self.system.ledger.next_due()
                now = time.time()
                if due is not None and due <= now:
                    self.system.complete_due()
                    self._send_due()
                if time.monotonic() - purged > _PURGE_EVERY:
                    self.system.forget_signatures(now)
                    purged = time.monotonic()
                # Idle, sleep until the next due work (a new accepted request, a fault
                # setting or a finished delivery wakes it sooner): an idle department
                # costs next to nothing, where polling every tick cost a write
                # transaction ten times a second.
                due = self.system.ledger.next_due()
                wait = _IDLE if due is None else min(_IDLE, max(_TICK, due - time.time()))
            except Exception:  # the loop must outlive one bad turn (a locked file, …)
                log.exception("department background work failed; trying again")
                time.sleep(1)

    def _send_due(self) -> None:
        with self._busy_lock:
            busy = set(self._busy)
        for delivery in self.system.ledger.deliveries_due(time.time(), busy):
            with self._busy_lock:
                self._busy.add(delivery.id)
            self._pool.submit(self._deliver, delivery)

    def _deliver(self, delivery: Delivery) -> None:
        try:
            parts = urlsplit(delivery.url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            headers = protocol.signed_headers(self.secret, self.system.code, "POST", path,
                                              delivery.body)
            try:
                response = self._http.post(delivery.url, content=delivery.body,
                                           headers=headers)
                problem = "" if response.status_code == 200 else \
                    f"HTTP {response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as failure:
                problem = f"{type(failure).__name__}: {failure}"
            now = time.time()
            if not problem:
                self.system.ledger.delivered(delivery.id, now)
                return
            wait = self.system.faults.backoff(delivery.attempts + 1)
            self.system.ledger.retry_later(delivery.id, now + wait, problem)
        except Exception:
            log.exception("callback %s could not be handled; it stays due", delivery.id)
        finally:
            with self._busy_lock:
                self._busy.discard(delivery.id)
            self.system.wake.set()  # its next try (or the next delivery) is now known
