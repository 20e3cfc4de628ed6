"""Asking a department for several steps in one request (批量请求,
docs/department-protocol.md §3a).

Over HTTP most of a step's cost is the request itself (docs/BENCHMARKS.md): a worker
that has claimed a step of a department reached over HTTP, which takes batches
(:attr:`~yilian.departments.base.Department.batch_limit` > 1), claims up to that many
more ready steps of the same department in one statement, asks for all of them in one
signed request, and records each answer as the engine records a single one — each step
in its own short transaction, through the engine's own recording — so every guarantee of
DESIGN.md §2 holds step by step:

- every step is claimed (running, with a lease and its claim token) before it is asked;
  a worker that dies mid-batch leaves the unrecorded ones to expire and the sweeper to
  hand out again, and the department answers their second ask as the first (each item
  has its own idempotency key);
- a step whose record finds it recorded by someone else (a callback, a reclaiming
  worker) is left as they left it, as for a single ask;
- the circuit breaker counts the request once: any item answered means the department is
  there; no answer at all is one failure, and during an outage no step waits for a person.

A step waiting for a department's late result is polled alone, and in-process
departments are asked one step at a time (:func:`yilian.chain.engine.advance`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from yilian.chain import engine
from yilian.chain.engine import Claim
from yilian.chain.models import StepStatus
from yilian.departments import circuit
from yilian.departments.base import (
    Accepted,
    Department,
    Outcome,
    PermanentError,
    StepRequest,
    TransientError,
)
from yilian.observability import metrics
from yilian.observability.logs import bind_step

log = logging.getLogger("yilian.chain")

Answer = Outcome | Accepted | Exception

# Steps of one department that may be asked now — not those waiting for a late result
# (those are polled, one at a time). Parameters: code, the first step's id, now, now.
_COMPANY = f"""
SELECT s.id, s.status, s.attempts, s.code, s.idempotency_key, s.payload, s.chain_id,
       c.application_id, a.uscc
  FROM chain_step s
  JOIN chain_chain c ON c.id = s.chain_id
  JOIN forms_application a ON a.id = c.application_id
 WHERE s.code = %s AND s.id <> %s
   AND ((s.status IN ('{StepStatus.PENDING}', '{StepStatus.RETRYING}')
         AND s.next_attempt_at <= %s)
        OR (s.status = '{StepStatus.RUNNING}' AND s.lease_expires_at < %s))
 ORDER BY s.next_attempt_at
 LIMIT %s"""

# Taking the steps a ``ready`` CTE found (its columns as the claim reads them): each
# an attempt, under one claim token. Parameters: token, lease, now.
TAKE_READY = """
UPDATE chain_step t
   SET status = 'running', attempts = t.attempts + 1, claim_token = %s,
       lease_expires_at = %s, started_at = COALESCE(t.started_at, %s)
  FROM ready
 WHERE t.id = ready.id
RETURNING t.id, ready.status, t.attempts, ready.code, ready.idempotency_key,
          ready.payload, ready.chain_id, ready.application_id, ready.uscc"""

# PostgreSQL: found, locked (skipping rows other workers hold) and taken in one statement.
_TAKE_COMPANY = f"""
WITH ready AS ({_COMPANY}
   FOR UPDATE OF s SKIP LOCKED)""" + TAKE_READY

# SQLite: the claim's IMMEDIATE transaction already holds the only write lock.
_TAKE = ("UPDATE chain_step SET status = 'running', attempts = attempts + 1, "
         "claim_token = %s, lease_expires_at = %s, started_at = COALESCE(started_at, %s) "
         "WHERE id IN ({})")


def ask_together(first: Claim, department: Department) -> bool:
    """Ask for ``first`` (claimed, not a poll) with the department's other ready steps
    in one request. False — nothing done — when no other step is ready: the engine then
    asks for ``first`` alone, as ever."""
    if circuit.is_open(first.code):  # a half-open probe goes alone
        return False
    company = claim_company(first, department.batch_limit - 1)
    if not company:
        return False
    claims = [first, *company]
    answers = ask(department, claims)
    answered = any(isinstance(a, Outcome | Accepted | PermanentError) for a in answers)
    outage = False
    if not answered:  # one request, one failure, whatever its size
        outage = circuit.failed(first.code, str(answers[0]))
    for claim, answer in zip(claims, answers, strict=True):
        bind_step(claim.application_id, claim.code)
        try:
            record(claim, answer, outage)
        except Exception:  # its claim expires and the sweeper hands it out again
            log.exception("step %s (%s): recording the batch's answer", claim.step_id,
                          claim.code)
    if answered:
        circuit.succeeded(first.code)
    return True


def claim_company(first: Claim, limit: int) -> list[Claim]:
    """Claim up to ``limit`` more ready steps of ``first``'s department, oldest ready
    first; each is an attempt, audited like any claim."""
    if limit < 1:
        return []
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value
    token = uuid.uuid4().hex
    lease = now + dt.timedelta(seconds=settings.STEP_LEASE_SECONDS)
    found = [first.code, first.step_id, at(now), at(now), limit]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.features.has_select_for_update_of:
            cursor.execute(_TAKE_COMPANY, [*found, token, at(lease), at(now)])
            rows = cursor.fetchall()
        else:
            cursor.execute(_COMPANY, found)
            rows = [(pk, status, attempts + 1, *rest)
                    for pk, status, attempts, *rest in cursor.fetchall()]
            if rows:
                cursor.execute(_TAKE.format(", ".join(["%s"] * len(rows))),
                               [token, at(lease), at(now), *(row[0] for row in rows)])
        return [engine._taken(row[0], token, *engine._claimable(row[0], row[1:]))
                for row in rows]


def ask(department: Department, claims: list[Claim]) -> list[Answer]:
    """One request for every claim; each step's answer (a result, or what went wrong),
    counted and timed by outcome like a single ask's (/metrics)."""
    requests = [StepRequest(c.code, c.idempotency_key, str(c.application_id), c.uscc,
                            c.payload) for c in claims]
    started = time.perf_counter()
    try:
        answers: list[Answer] = list(department.submit_batch(requests))
    except Exception as exc:  # no answer to the request: the same for every step
        if not isinstance(exc, TransientError | PermanentError):
            log.exception("batch of %d %s steps raised", len(claims), claims[0].code)
        answers = [exc] * len(claims)
    if len(answers) != len(claims):  # an adapter's bug must not lose a step
        answers = [TransientError("the batch's answers do not match its asks")] * len(claims)
    metrics.count_batch(claims[0].code, [c.attempts for c in claims], answers,
                        time.perf_counter() - started)
    return answers


def record(claim: Claim, answer: Answer, outage: bool) -> None:
    """Record one step's answer exactly as the engine records a single ask's."""
    if isinstance(answer, Outcome):
        engine._record_success(claim, answer)
    elif isinstance(answer, Accepted):
        engine._record_accepted(claim, answer)
    elif isinstance(answer, PermanentError):
        engine._record_failure(claim, str(answer), permanent=True)
    elif isinstance(answer, TransientError):
        engine._record_failure(claim, str(answer), permanent=False,
                               retry_after=answer.retry_after, outage=outage)
    else:
        engine._record_failure(claim, f"{type(answer).__name__}: {answer}", permanent=False)
