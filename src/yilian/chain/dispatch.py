"""Waking workers. Messages carry only step ids — the steps made ready together, up to
``YILIAN_STEPS_PER_MESSAGE`` in one (a registration releasing six followers wakes one
worker, not six: docs/DECISIONS.md) — and are sent after the transaction that made the
steps ready commits (a retry's message is sent with its backoff as a delay); a
lost message loses nothing, because the sweeper finds every step that stayed ready.

Embedded mode keeps the messages in this process: an inbox that holds each step id at
most once, and a timer heap for delayed ones.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction

from yilian.observability import logs

log = logging.getLogger("yilian.chain")


class Inbox:
    """The embedded worker's queue: FIFO, each step id at most once, delays honoured."""

    def __init__(self) -> None:
        self._ready: deque[int] = deque()
        self._queued: set[int] = set()
        self._delayed: list[tuple[float, int]] = []
        self._cond = threading.Condition()
        self.active = False

    def put(self, step_id: int, delay: float = 0.0) -> None:
        with self._cond:
            if delay > 0:
                heapq.heappush(self._delayed, (time.monotonic() + delay, step_id))
            elif step_id not in self._queued:
                self._queued.add(step_id)
                self._ready.append(step_id)
            self._cond.notify()

    def get(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                while self._delayed and self._delayed[0][0] <= now:
                    _, step_id = heapq.heappop(self._delayed)
                    if step_id not in self._queued:
                        self._queued.add(step_id)
                        self._ready.append(step_id)
                if self._ready:
                    step_id = self._ready.popleft()
                    self._queued.discard(step_id)
                    return step_id
                wait = deadline - now
                if self._delayed:
                    wait = min(wait, self._delayed[0][0] - now)
                if wait <= 0:
                    return None
                self._cond.wait(wait)

    def drain(self) -> list[tuple[int, float]]:
        """Empty the inbox: each step id with the seconds it still had to wait."""
        with self._cond:
            now = time.monotonic()
            left = [(step_id, 0.0) for step_id in self._ready]
            left += [(step_id, max(0.0, at - now)) for at, step_id in sorted(self._delayed)]
            self._ready.clear()
            self._queued.clear()
            self._delayed.clear()
            return left

    def clear(self) -> None:
        with self._cond:
            self._ready.clear()
            self._queued.clear()
            self._delayed.clear()


inbox = Inbox()


def activate_embedded() -> None:
    inbox.active = True


def on_commit(step_ids: Iterable[int], delay: float = 0.0) -> None:
    ids = list(step_ids)
    if ids:
        transaction.on_commit(lambda: send(ids, delay))


class Held:
    """Steps made ready, with no delay, while a worker thread runs a message's steps
    (:func:`held`): it may run them itself instead of sending them."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.passed_on: list[int] = []

    def take(self) -> list[int]:
        ids, self.ids = list(dict.fromkeys(self.ids)), []
        return ids

    def pass_on(self, step_ids: Iterable[int]) -> None:
        """Send these after all, when the message is done."""
        self.passed_on.extend(step_ids)


_holding = threading.local()


@contextmanager
def held() -> Iterator[Held]:
    """Within this block, what this thread makes ready with no delay is kept rather
    than sent (:mod:`yilian.chain.tasks` runs it next); whatever is left kept or passed
    on at the end is sent then, however the block ends. Only the sending waits: the
    steps are ready in the database from their commit, where the sweeper finds them if
    this worker dies."""
    keep, outer = Held(), getattr(_holding, "keep", None)
    _holding.keep = keep
    try:
        yield keep
    finally:
        _holding.keep = outer
        left = [*keep.passed_on, *keep.take()]
        if left:
            send(left)


def send(step_ids: Iterable[int], delay: float = 0.0) -> None:
    if inbox.active:  # the embedded worker, or a Celery worker whose broker is down
        for step_id in step_ids:
            inbox.put(step_id, delay)
        return
    if settings.EMBEDDED_WORKER:
        return
    keep = getattr(_holding, "keep", None)
    if keep is not None and not delay:
        keep.ids.extend(step_ids)
        return
    publish(list(step_ids), delay)


def publish(ids: list[int], delay: float = 0.0) -> None:
    """Put the steps' messages in the broker's queue, or (it does not answer) leave them
    for the workers to find in the database."""
    # The project's Celery app, named explicitly: a bare shared task would fall back to
    # Celery's default app (amqp://localhost) in a process that never loaded ours.
    from yilian.celery import app

    global _broker_down_until
    if ids and time.monotonic() < _broker_down_until:
        log.info("broker down: steps %s left for the workers to find", ids)
        return
    for start in range(0, len(ids), settings.STEPS_PER_MESSAGE):
        batch = ids[start:start + settings.STEPS_PER_MESSAGE]
        try:
            app.send_task("yilian.chain.tasks.run_steps", (batch,),
                          countdown=delay or None,
                          headers={**logs.carried(), SENT_AT: time.time()})
        except Exception:  # the broker being down must not fail the request
            # Each try costs about a second (Celery's own retries): the rest of these,
            # and what follows for a few seconds, are not tried. They stay ready in the
            # database, where the workers look for them (yilian.chain.workers).
            _broker_down_until = time.monotonic() + BROKER_RETRY_SECONDS
            log.warning("could not queue steps %s; the workers will find them in the "
                        "database", ids[start:], exc_info=True)
            return


#: The message header saying when a step message was sent (seconds since the epoch):
#: how far behind the queue is (:func:`queued_since`).
SENT_AT = "yilian_sent_at"


def queued_since() -> float | None:
    """When the oldest step message still waiting in the broker's queue was sent
    (seconds since the epoch), or ``None``: the queue is empty, the broker is not Redis,
    or it did not answer. The queue is first in, first out, so a step made ready after
    that moment has its message in the queue still: the sweeper does not send it again
    (a backlog would otherwise be resent whole, one grace period behind, and every copy
    found taken by the time a worker reached it: docs/BENCHMARKS.md)."""
    url = settings.BROKER_URL
    if inbox.active or settings.EMBEDDED_WORKER or not url.startswith(
            ("redis://", "rediss://", "unix://")):
        return None
    import json

    import redis

    from yilian.celery import app
    from yilian.observability.health import BROKER_TIMEOUT_SECONDS

    client = redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
                                  socket_timeout=BROKER_TIMEOUT_SECONDS)
    try:
        # kombu's Redis queue is a list: LPUSH to send, BRPOP to take, so its oldest
        # message is the last one.
        oldest = client.lindex(app.conf.task_default_queue, -1)
        if oldest is None:
            return None
        return float(json.loads(oldest)["headers"][SENT_AT])
    except Exception:  # another task's message, or no answer: resend as before
        return None
    finally:
        client.close()


#: After failing to reach the broker, a process does not try again for this long.
BROKER_RETRY_SECONDS = 5.0
_broker_down_until = 0.0
