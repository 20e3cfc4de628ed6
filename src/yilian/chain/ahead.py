"""Claiming the steps one message carries together (一次认领).

A message wakes the steps made ready together (a registration's six followers,
:mod:`yilian.chain.dispatch`), and its worker runs them one after another. Claimed one
by one, each paid a transaction of its own (begin, claim, audit entry, commit) before
its department was asked. On PostgreSQL the worker claims all of them that are ready
in one transaction — one statement, then the steps' audit entries — and then asks
each, and records a chain's results together (:mod:`yilian.chain.together`), anything
else as the engine records a single answer (docs/BENCHMARKS.md, "The production chain
on PostgreSQL"). A round that is all results is done in one transaction before it comes
to this (:mod:`yilian.chain.at_once`); this is the way for the rest, and for a round
that was rolled back.

Only steps of departments that answer from inside this process
(:attr:`~yilian.departments.base.Department.in_process`) are claimed ahead: a step
claimed ahead waits for the ones before it, and its lease must not run out meanwhile,
which a department over the network (seconds a call, up to its timeout) could not
promise. Every other step, a waiting step's poll, and every step while a department's
circuit is open, is claimed when its turn comes (:func:`yilian.chain.engine.advance`).
A worker that dies leaves what it claimed to expire and the sweeper to hand out again,
as for a single claim.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from yilian.audit.services import record_many
from yilian.chain import engine, together
from yilian.chain.batch import TAKE_READY
from yilian.chain.engine import Claim
from yilian.chain.models import StepStatus
from yilian.chain.workers import keep_connection
from yilian.db import prepared
from yilian.departments import circuit, registry, simulator
from yilian.departments.base import Outcome
from yilian.observability.logs import bind_step, unbind_step

log = logging.getLogger("yilian.chain")

# The engine's claim (engine._CLAIM_AND_TAKE) for several steps: ready, not waiting for
# a department (a poll is not an ask), of the given departments. Parameters: ids, codes,
# now, now, token, lease, now.
_TAKE_AHEAD = f"""
WITH ready AS (
SELECT s.id, s.status, s.code, s.idempotency_key, s.payload, s.chain_id,
       c.application_id, a.uscc
  FROM chain_step s
  JOIN chain_chain c ON c.id = s.chain_id
  JOIN forms_application a ON a.id = c.application_id
 WHERE s.id = ANY(%b) AND s.code = ANY(%b) AND s.status <> '{StepStatus.WAITING}'
   AND {engine._READY_SQL}
   FOR UPDATE OF s SKIP LOCKED)""" + TAKE_READY


def in_process_codes() -> list[str]:
    """The departments whose steps may be claimed ahead: they answer at once, here."""
    return [code for code, department in registry.departments().items()
            if department.in_process and department.answers_at_once()]


def may_claim(step_ids: list[int], codes: list[str], least: int = 1) -> bool:
    """Whether claims ahead are possible now: PostgreSQL's ``SKIP LOCKED``, a
    department to claim for, no department's circuit open."""
    return (len(step_ids) >= least and bool(codes)
            and connection.features.has_select_for_update_of and not circuit.any_open())


def claim(step_ids: list[int], alone_too: bool = False) -> dict[int, Claim]:
    """Claim, in one transaction, every step of ``step_ids`` that may be claimed ahead
    and is ready: each one's claim by step id (none on SQLite, or while any department's
    circuit is open; none for one step unless ``alone_too``, since the ordinary claim
    costs the same)."""
    codes = in_process_codes()
    if not may_claim(step_ids, codes, least=1 if alone_too else 2):
        return {}
    with transaction.atomic(), prepared.cursor() as cursor:
        return take(cursor, step_ids, codes)


def take(cursor, step_ids: list[int], codes: list[str]) -> dict[int, Claim]:
    """The claim itself, in the caller's transaction: one statement, then each claim's
    audit entry in one more."""
    now = timezone.now()
    token = uuid.uuid4().hex
    lease = now + dt.timedelta(seconds=settings.STEP_LEASE_SECONDS)
    cursor.execute(_TAKE_AHEAD, [list(step_ids), codes, now, now, token, lease, now])
    rows = cursor.fetchall()
    entries: list = []  # each claim's audit entry, appended together
    claimed = {row[0]: engine._taken(row[0], token, *engine._claimable(row[0], row[1:]),
                                     entries=entries) for row in rows}
    record_many(entries, actor_label="worker")
    return claimed


def run_together(claims: list[Claim]) -> int:
    """Ask for each step claimed here, then record the answers: the results of each
    chain's steps in one transaction (:func:`together.record_successes`), anything else
    as a single ask's. Returns the attempts made (all of them)."""
    answered: dict[int, list[tuple[Claim, Outcome]]] = {}
    try:
        for claimed, answer in zip(claims, _ask_all(claims), strict=True):
            bind_step(claimed.application_id, claimed.code)
            if isinstance(answer, Outcome):
                answered.setdefault(claimed.chain_id, []).append((claimed, answer))
            else:
                _safely(engine.settle, claimed, answer)
        for results in answered.values():
            _safely(together.record_successes, results)
            for code in {claimed.code for claimed, _ in results}:
                circuit.succeeded(code)
    finally:
        unbind_step()
    return len(claims)


class _Doomed(Exception):
    """A department's act failed inside the shared transaction: roll it back whole."""


def _ask_all(claims: list[Claim]) -> list[engine.Answer]:
    """Each claimed step's answer, the departments' ledgers written in one transaction
    (:func:`simulator.acting_together`: the departments that answer in this process are
    the simulated ones). If an act failed in it, nothing of it stands, and each is asked
    again on its own — the first asks then show twice in /metrics, as the retries they
    are."""
    def each() -> list[engine.Answer]:
        answers = []
        for claimed in claims:
            bind_step(claimed.application_id, claimed.code)
            answers.append(engine.ask(claimed))
        return answers

    if len(claims) < 2:
        return each()
    try:
        with simulator.acting_together([(c.code, c.idempotency_key) for c in claims]):
            answers = each()
            if transaction.get_rollback():
                raise _Doomed
        return answers
    except _Doomed:
        log.warning("steps %s: an act failed among those asked together; asking each "
                    "on its own", [claimed.step_id for claimed in claims])
        return each()


def _safely(record, *args) -> None:
    """One record that fails does not keep the others from theirs: its claim expires,
    and the sweeper hands the step out again."""
    try:
        record(*args)
    except Exception:
        log.exception("recording %s", args[0])
        keep_connection()
