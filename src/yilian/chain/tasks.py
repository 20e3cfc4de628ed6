"""Celery tasks: thin wrappers over the engine, which holds every decision."""

from __future__ import annotations

import logging

from celery import shared_task

from yilian.chain import ahead, at_once, dispatch, engine
from yilian.chain.workers import keep_connection

log = logging.getLogger("yilian.chain")

#: How many times a message's worker goes on with the steps its own steps made ready
#: (a registration's followers; a closing's tax clearance, then the rest, then the
#: register) before it sends what is left to the queue.
FOLLOW_ON_ROUNDS = 3


@shared_task(name="yilian.chain.tasks.run_steps", acks_late=True)
def run_steps(step_ids: list[int]) -> int:
    """Run the steps woken together (:mod:`yilian.chain.dispatch`), one after another.
    One that raises does not keep the others from running: it stays ready, and the
    sweeper sends it again. Returns how many attempts were made.

    The steps they make ready next, this worker runs too where it can claim them ahead
    (:mod:`yilian.chain.ahead`: departments in this process) — a chain's followers then
    cost no second message, publish and delivery (docs/BENCHMARKS.md); the others (a
    department over the network, or taken meanwhile) are sent to the queue as ever."""
    ids = list(dict.fromkeys(step_ids))
    with dispatch.held() as released:
        made = _run(ids, released=None)
        for _ in range(FOLLOW_ON_ROUNDS):
            ids = released.take()
            if not ids:
                break
            made += _run(ids, released, alone_too=True)
    return made


def _claim_ahead(step_ids: list[int], alone_too: bool = False) -> dict:
    try:  # those that can be, claimed together (yilian.chain.ahead)
        return ahead.claim(step_ids, alone_too)
    except Exception:
        log.exception("steps %s: claiming together", step_ids)
        keep_connection()
        return {}


def _run(step_ids: list[int], released: dispatch.Held | None, alone_too: bool = False) -> int:
    """The steps that can be, done in one transaction (:mod:`yilian.chain.at_once`);
    the rest claimed ahead, together; then the others, each claimed in turn — or, for
    steps this message did not carry (``released``), passed on to the queue."""
    done = at_once.run(step_ids)
    if done is None:  # rolled back: the usual way, claims ahead included
        made, claimed = 0, _claim_ahead(step_ids, alone_too)
    else:  # what it could not take, a claim ahead could not either
        step_ids = [step_id for step_id in step_ids if step_id not in done]
        made, claimed = len(done), {}
    if claimed:
        try:
            made += ahead.run_together(list(claimed.values()))
        except Exception:
            log.exception("steps %s", list(claimed))
            keep_connection()  # a connection that failed is not the next step's
    rest = [step_id for step_id in step_ids if step_id not in claimed]
    if released is not None:
        released.pass_on(rest)
        return made
    for step_id in rest:
        try:
            made += engine.advance(step_id)
        except Exception:
            log.exception("step %s", step_id)
            keep_connection()
    return made


@shared_task(name="yilian.chain.tasks.run_step", acks_late=True)
def run_step(step_id: int) -> bool:
    """One step per message: what was queued before :func:`run_steps`, and tools."""
    return engine.advance(step_id)
