"""Celery tasks: thin wrappers over the engine, which holds every decision."""

from __future__ import annotations

import logging

from celery import shared_task

from yilian.chain import ahead, engine
from yilian.chain.workers import keep_connection

log = logging.getLogger("yilian.chain")


@shared_task(name="yilian.chain.tasks.run_steps", acks_late=True)
def run_steps(step_ids: list[int]) -> int:
    """Run the steps woken together (:mod:`yilian.chain.dispatch`), one after another.
    One that raises does not keep the others from running: it stays ready, and the
    sweeper sends it again. Returns how many attempts were made."""
    made = 0
    try:  # those that can be, claimed together (yilian.chain.ahead)
        claimed = ahead.claim(list(dict.fromkeys(step_ids)))
    except Exception:
        log.exception("steps %s: claiming together", step_ids)
        keep_connection()
        claimed = {}
    for step_id in step_ids:
        try:
            taken = claimed.pop(step_id, None)
            made += ahead.run(taken) if taken else engine.advance(step_id)
        except Exception:
            log.exception("step %s", step_id)
            keep_connection()  # a connection that failed is not the next step's
    return made


@shared_task(name="yilian.chain.tasks.run_step", acks_late=True)
def run_step(step_id: int) -> bool:
    """One step per message: what was queued before :func:`run_steps`, and tools."""
    return engine.advance(step_id)
