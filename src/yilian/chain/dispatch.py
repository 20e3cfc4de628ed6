"""Waking workers. Messages carry only a step id and are sent after the transaction that
made the step ready commits; a lost message loses nothing (the sweeper finds the step)."""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

log = logging.getLogger("yilian.chain")

#: The embedded worker's inbox; only read when an embedded runner is active.
inbox: queue.SimpleQueue[int] = queue.SimpleQueue()
_embedded_active = False


def activate_embedded() -> None:
    global _embedded_active
    _embedded_active = True


def on_commit(step_ids: Iterable[int]) -> None:
    ids = list(step_ids)
    if ids:
        transaction.on_commit(lambda: send(ids))


def send(step_ids: Iterable[int]) -> None:
    if settings.EMBEDDED_WORKER:
        if _embedded_active:
            for step_id in step_ids:
                inbox.put(step_id)
        return
    from yilian.chain.tasks import run_step

    for step_id in step_ids:
        try:
            run_step.delay(step_id)
        except Exception:  # the broker being down must not fail the request
            log.warning("could not queue step %s; the sweeper will pick it up", step_id,
                        exc_info=True)
