"""Steps done in one transaction (一次办结): claimed, asked and recorded together.

A department that answers from inside this process (the register, the simulated
departments) acts in Yilian's own database. Its steps then need no claim that outlives
a transaction: the worker takes the ready steps with their rows locked, asks each
department, and records the answers — the departments' ledgers, the steps, their audit
entries, the chain's release or completion, the texts — in one transaction. Either all
of it commits, or none of it does and the steps are still ready, untouched; a worker
that dies in the middle leaves nothing for the sweeper. A round of a chain costs one
transaction instead of three: claim, act, record (docs/BENCHMARKS.md).

Only a round that is all results is done so. A department that refuses, fails or is
down, an act that raises, a record that fails: any of these rolls the round back, and
the caller takes the same steps the usual way — claimed, asked and recorded each in its
own transaction (:mod:`yilian.chain.ahead`, :func:`yilian.chain.engine.advance`), where
each of those outcomes has its own record. Every step is claimed, audited ("running",
then "done") and recorded exactly as that way does it, so nothing downstream can tell.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from yilian.chain import ahead, engine, together
from yilian.chain.outcomes import Claim
from yilian.chain.workers import keep_connection
from yilian.db import prepared
from yilian.departments import circuit, simulator
from yilian.departments.base import Outcome
from yilian.notices import notify
from yilian.observability.logs import bind_step, unbind_step

log = logging.getLogger("yilian.chain")


class _NotAllAnswered(Exception):
    """A step of the round got something other than a result: undo the round."""


def run(step_ids: list[int]) -> set[int] | None:
    """Claim, ask and record, in one transaction, the steps of ``step_ids`` that may be
    claimed ahead (:func:`ahead.may_claim`) and are ready. Returns the ids done — the
    others could not be claimed ahead either — or ``None`` when the round was rolled
    back, and the caller should take every one of them the usual way."""
    try:
        codes = ahead.in_process_codes()
        if not ahead.may_claim(step_ids, codes):
            return set()
        recorded = _round(step_ids, codes)
    except _NotAllAnswered as exc:
        log.info("steps %s: %s; each taken on its own", step_ids, exc)
        return None
    except Exception:
        log.exception("steps %s: done at once; each taken on its own", step_ids)
        keep_connection()
        return None
    finally:
        unbind_step()
    for code in {claimed.code for claimed, _ in recorded}:
        circuit.succeeded(code)
    together.log_done(recorded)
    unbind_step()
    return {claimed.step_id for claimed, _ in recorded}


def _round(step_ids: list[int], codes: list[str]) -> list[tuple[Claim, Outcome]]:
    now = timezone.now()
    with (transaction.atomic(), prepared.cursor() as cursor,
          simulator.acting_together(), notify.texts_together()):
        claims = list(ahead.take(cursor, step_ids, codes).values())
        simulator.take_rows([(c.code, c.idempotency_key) for c in claims])
        by_chain: dict[int, list[tuple[Claim, Outcome]]] = {}
        for claimed, outcome in _ask_each(claims):
            by_chain.setdefault(claimed.chain_id, []).append((claimed, outcome))
        # Chains locked in the order of their ids: two workers that each hold steps of
        # the same chains (the sweeper's resends) cannot wait on one another.
        recorded = [done for chain_id in sorted(by_chain)
                    for done in together.record_in(cursor, by_chain[chain_id], now)]
        if len(recorded) != len(claims):  # not with their rows locked; if ever, undo
            raise _NotAllAnswered("a step was recorded by someone else meanwhile")
        return recorded


def _ask_each(claims: list[Claim]) -> list[tuple[Claim, Outcome]]:
    answered = []
    for claimed in claims:
        bind_step(claimed.application_id, claimed.code)
        answer = engine.ask(claimed)
        if transaction.get_rollback():
            raise _NotAllAnswered(f"{claimed.code}'s act failed")
        if not isinstance(answer, Outcome):
            raise _NotAllAnswered(f"{claimed.code} answered {type(answer).__name__}")
        answered.append((claimed, answer))
    return answered
