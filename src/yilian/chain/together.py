"""Recording several claimed steps of one chain together (一并记录).

A chain's followers, claimed ahead and asked one after another by one worker
(:mod:`yilian.chain.ahead`), were each recorded in a transaction of their own: the step's
row, its audit entry, then the chain's lock, a read of its steps, the release of
followers — six times over for a chain's six followers. Recorded together, the rows move
in one statement, the audit entries go in one statement, and the chain is locked, read
and (when done) completed once; each step's record is otherwise exactly what the engine
writes for one (:func:`yilian.chain.engine._record_success`), and should the shared
transaction fail, each is recorded on its own instead (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.db import connection, transaction
from django.utils import timezone

from yilian.audit.services import record_many
from yilian.chain import engine
from yilian.chain.outcomes import Claim, step_entry
from yilian.db import prepared
from yilian.departments.base import Outcome
from yilian.notices import notify
from yilian.observability.logs import bind_step

log = logging.getLogger("yilian.chain")


def record_successes(answered: list[tuple[Claim, Outcome]]) -> None:
    """Record the results of several claimed steps of one chain in one transaction
    (一并记录): each step's row, audit entry, finish and texts as :func:`_record_success`
    writes them, then the chain's lock, its followers and its completion once, not once
    a step. Should that transaction fail, each is recorded on its own instead."""
    if len(answered) < 2:
        for taken, outcome in answered:
            engine._record_success(taken, outcome)
        return
    first = answered[0][0]
    if any(taken.chain_id != first.chain_id for taken, _ in answered):
        raise ValueError("steps recorded together must be of one chain")
    now = timezone.now()
    try:
        with (transaction.atomic(), prepared.cursor() as cursor,
              notify.texts_together()):
            recorded = record_in(cursor, answered, now)
    except Exception:
        log.exception("chain %s: recording %d steps together; one at a time instead",
                      first.chain_id, len(answered))
        for taken, outcome in answered:
            try:
                engine._record_success(taken, outcome)
            except Exception:  # its claim expires and the sweeper hands it out again
                log.exception("step %s (%s): recording its answer", taken.step_id,
                              taken.code)
        return
    log_done(recorded)


def record_in(cursor, answered: list[tuple[Claim, Outcome]],
              now: dt.datetime) -> list[tuple[Claim, Outcome]]:
    """:func:`record_successes` inside the caller's transaction, steps of one chain:
    returns those recorded here."""
    recorded = _mark_all_done(cursor, answered, now)
    for taken, outcome in recorded:
        engine._finish_step(taken.application_id, taken.code, outcome)
    if recorded:
        first = recorded[0][0]
        engine._settle_chain(cursor, first.chain_id, first.application_id, now)
    return recorded


def log_done(recorded: list[tuple[Claim, Outcome]]) -> None:
    """One line a step, once its record committed, naming its own step."""
    for taken, outcome in recorded:
        bind_step(taken.application_id, taken.code)
        log.info("step %s (%s) done: %s", taken.step_id, taken.code, outcome.reference)


# Several claimed steps to done in one statement (PostgreSQL): each only from where the
# state machine allows it; the ids that moved come back.
_STEPS_DONE = """
UPDATE chain_step t
   SET status = 'done', finished_at = %s, reference = v.reference, result = v.result,
       last_error = '', lease_expires_at = NULL
  FROM (VALUES {}) AS v(id, reference, result)
 WHERE t.id = v.id AND t.status IN (""" + engine.DONE_FROM_SQL + """)
RETURNING t.id"""


def _mark_all_done(cursor, answered: list[tuple[Claim, Outcome]],
                   now: dt.datetime) -> list[tuple[Claim, Outcome]]:
    """:func:`_mark_done` for several steps: one update and one audit statement on
    PostgreSQL. Returns those moved to done here."""
    if connection.vendor != "postgresql":
        return [(taken, outcome) for taken, outcome in answered
                if engine._mark_done(cursor, taken, outcome, now)]
    cursor.execute(_STEPS_DONE.format(
        ", ".join(["(%s::bigint, %s::text, %s::jsonb)"] * len(answered))),
        [now, *(value for taken, outcome in answered for value in (
            taken.step_id, outcome.reference, json.dumps(outcome.data, ensure_ascii=False)))])
    moved = {step_id for (step_id,) in cursor.fetchall()}
    recorded = [(taken, outcome) for taken, outcome in answered
                if taken.step_id in moved
                or not engine._recorded_elsewhere(cursor, taken, outcome)]
    record_many([step_entry(taken.application_id, taken.code, taken.attempts, "step.done",
                            reference=outcome.reference) for taken, outcome in recorded],
                actor_label="worker")
    return recorded
