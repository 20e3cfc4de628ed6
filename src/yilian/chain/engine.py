"""The chain engine: claim a ready step, ask its department, record the answer.

Each of the three phases is its own short transaction; the department call happens
outside any transaction. Exactly-once *effects* come from the department honouring the
step's idempotency key; the engine guarantees at-least-once *asking* (a crashed worker's
claim expires and the sweeper hands the step out again). See DESIGN.md §2.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from yilian.audit.services import record, stream_for_application
from yilian.chain import dispatch
from yilian.chain.models import READY_STATUSES, TRANSITIONS, Step, StepStatus
from yilian.chain.outcomes import (  # noqa: F401  (the engine's names before the split)
    RETRY_BASE_SECONDS,
    RETRY_CAP_SECONDS,
    Claim,
    backoff,
    poll_at,
    step_entry,
)
from yilian.chain.outcomes import audit as _audit
from yilian.chain.outcomes import record_accepted as _record_accepted
from yilian.chain.outcomes import record_failure as _record_failure
from yilian.db import prepared
from yilian.departments import circuit, registry
from yilian.departments import steps as steps_plan
from yilian.departments.base import Accepted, Outcome, PermanentError, StepRequest, TransientError
from yilian.notices import notify
from yilian.observability import metrics
from yilian.observability.logs import bind_step, unbind_step

log = logging.getLogger("yilian.chain")


def _ready(now: dt.datetime) -> Q:
    """When a step may be claimed: due for an attempt, or its claim's lease ran out.
    :data:`_READY_SQL` says the same for the claim; a test keeps the two in step."""
    return Q(status__in=READY_STATUSES, next_attempt_at__lte=now) | Q(
        status=StepStatus.RUNNING, lease_expires_at__lt=now
    )


# The same condition for the claim's SQL (parameters: now, now).
_READY_SQL = (
    f"((s.status IN ({', '.join(repr(str(s)) for s in READY_STATUSES)}) "
    f"AND s.next_attempt_at <= %s) "
    f"OR (s.status = '{StepStatus.RUNNING}' AND s.lease_expires_at < %s))"
)


# The claim runs for every attempt of every step, so it is written in SQL: the ORM's
# query compilation cost more than the database work (docs/BENCHMARKS.md).
_CLAIM_SELECT = """
SELECT s.status, s.attempts, s.code, s.idempotency_key, s.payload, s.chain_id,
       c.application_id, a.uscc
  FROM chain_step s
  JOIN chain_chain c ON c.id = s.chain_id
  JOIN forms_application a ON a.id = c.application_id
 WHERE s.id = %s
   AND """ + _READY_SQL
_CLAIM_UPDATE = """
UPDATE chain_step
   SET status = 'running', attempts = %s, claim_token = %s, lease_expires_at = %s,
       started_at = COALESCE(started_at, %s)
 WHERE id = %s
"""


# PostgreSQL: the select and the update in one statement (one round trip fewer per
# step); the attempt is not counted for a poll of a waiting step.
_CLAIM_AND_TAKE = """
WITH ready AS (""" + _CLAIM_SELECT.replace("SELECT s.status,", "SELECT s.id, s.status,") + """
   FOR UPDATE OF s SKIP LOCKED)
UPDATE chain_step t
   SET status = 'running',
       attempts = t.attempts + CASE WHEN ready.status = 'waiting' THEN 0 ELSE 1 END,
       claim_token = %s, lease_expires_at = %s, started_at = COALESCE(t.started_at, %s)
  FROM ready
 WHERE t.id = ready.id
RETURNING ready.status, t.attempts, ready.code, ready.idempotency_key, ready.payload,
          ready.chain_id, ready.application_id, ready.uscc
"""


def claim(step_id: int) -> Claim | None:
    """Take a ready step for this worker, or ``None`` if it is not ready or taken.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` — a step another worker is claiming is simply
    not ready for us. SQLite: the IMMEDIATE transaction already holds the only write lock.
    """
    now = timezone.now()
    if connection.features.has_select_for_update_of and not circuit.any_open():
        return _claim_and_take(step_id, now)
    at = connection.ops.adapt_datetimefield_value
    lock = " FOR UPDATE OF s SKIP LOCKED" if connection.features.has_select_for_update_of \
        else ""
    with transaction.atomic(), prepared.cursor() as cursor:
        cursor.execute(_CLAIM_SELECT + lock, [step_id, at(now), at(now)])
        row = _claimable(step_id, cursor.fetchone())
        if row is None:
            return None
        status, attempts, code, application_id = row[0], row[1], row[2], row[6]
        if circuit.is_open(code):  # the department is down: wait without asking
            wait = circuit.defer_for(code, now)
            if wait is not None:
                _defer(cursor, step_id, status, code, attempts, application_id, now, wait)
                return None
        token = uuid.uuid4().hex
        lease = now + dt.timedelta(seconds=settings.STEP_LEASE_SECONDS)
        # Asking how an accepted request stands is not a try that can fail the step:
        # only asks count towards YILIAN_MAX_AUTO_ATTEMPTS.
        attempts += 0 if status == StepStatus.WAITING else 1
        cursor.execute(_CLAIM_UPDATE, [attempts, token, at(lease), at(now), step_id])
        return _taken(step_id, token, status, attempts, *row[2:])


def _claim_and_take(step_id: int, now: dt.datetime) -> Claim | None:
    """:func:`claim` in one statement, when no department's circuit is open (a claim
    that must defer the step instead needs the step's department before the update)."""
    at = connection.ops.adapt_datetimefield_value
    token = uuid.uuid4().hex
    lease = now + dt.timedelta(seconds=settings.STEP_LEASE_SECONDS)
    with transaction.atomic(), prepared.cursor() as cursor:
        cursor.execute(_CLAIM_AND_TAKE, [step_id, at(now), at(now), token, at(lease),
                                         at(now)])
        row = _claimable(step_id, cursor.fetchone())
        if row is None:
            return None
        return _taken(step_id, token, *row)


def _claimable(step_id: int, row: tuple | None) -> tuple | None:
    """The claim's row (status, attempts, code, key, payload, chain id, application id,
    USCC) with the application's id as a UUID, once the move is checked."""
    if row is None:
        return None
    status, application_id = row[0], row[6]
    if StepStatus.RUNNING not in TRANSITIONS[status]:
        raise ValueError(f"step {step_id}: {status} -> running is not allowed")
    return (*row[:6], uuid.UUID(str(application_id)), row[7])


def _taken(step_id: int, token: str, status: str, attempts: int, code: str, key: str,
           payload, chain_id: int, application_id: uuid.UUID, uscc: str,
           entries: list | None = None) -> Claim:
    """The claim's audit entry (in its transaction; added to ``entries`` instead, for
    the caller to append with others'), and what the call and the record need."""
    polling = status == StepStatus.WAITING
    entry = step_entry(application_id, code, attempts, "step.polling" if polling else
                       "step.reclaimed" if status == StepStatus.RUNNING else "step.running",
                       new_stream=status == StepStatus.PENDING and attempts == 1)
    if entries is None:
        record(entry[0], entry[1], actor_label="worker", data=entry[2], new_stream=entry[3])
    else:
        entries.append(entry)
    return Claim(step_id, chain_id, application_id, code, attempts, key,
                 json.loads(payload) if isinstance(payload, str) else payload, uscc, token,
                 polling)


def _defer(cursor, step_id: int, status: str, code: str, attempts: int,
           application_id: uuid.UUID, now: dt.datetime, wait: float) -> None:
    """Put off a step of a department whose circuit is open: not asked, so not an
    attempt; an abandoned claim becomes retrying. The circuit's closing releases it."""
    at = connection.ops.adapt_datetimefield_value
    later = now + dt.timedelta(seconds=wait)
    status = StepStatus.RETRYING if status == StepStatus.RUNNING else status
    cursor.execute("UPDATE chain_step SET status = %s, next_attempt_at = %s, "
                   "lease_expires_at = NULL WHERE id = %s", [status, at(later), step_id])
    _audit(application_id, code, attempts, "step.deferred", reason="circuit_open",
           next_attempt_at=later.isoformat())
    dispatch.on_commit([step_id], delay=wait)


def advance(step_id: int) -> bool:
    """Run one attempt of a step if it is ready. Returns whether an attempt was made.
    Its log lines name the application and the step (:func:`bind_step`), and only its."""
    try:
        return _attempt(step_id)
    finally:
        unbind_step()


def _attempt(step_id: int) -> bool:
    taken = claim(step_id)
    if taken is None:
        return False
    run_claimed(taken)
    return True


def run_claimed(taken: Claim) -> None:
    """Ask the department for a step this worker has claimed, and record the answer."""
    bind_step(taken.application_id, taken.code)
    department = registry.get(taken.code)
    if department.batch_limit > 1 and not taken.polling:
        from yilian.chain import batch  # it builds on this module

        if batch.ask_together(taken, department):
            return
    settle(taken, ask(taken))


Answer = Outcome | Accepted | Exception


def ask(taken: Claim) -> Answer:
    """The department's answer to a claimed step: its result, or what went wrong (an
    adapter's bug included: it must not kill the worker or lose the step)."""
    request = StepRequest(
        department=taken.code,
        idempotency_key=taken.idempotency_key,
        application_id=str(taken.application_id),
        uscc=taken.uscc,
        payload=taken.payload,
    )
    department = registry.get(taken.code)
    ask_ = department.poll if taken.polling else department.submit
    try:
        # Counted and timed by department and outcome (/metrics).
        return metrics.call_department(taken.code, taken.attempts, ask_, request)
    except (PermanentError, TransientError) as exc:
        return exc
    except Exception as exc:
        log.exception("step %s (%s) raised", taken.step_id, taken.code)
        return exc


def settle(taken: Claim, answer: Answer) -> None:
    """Record ``answer`` to a claimed step, and tell the circuit breaker how its
    department did."""
    if isinstance(answer, PermanentError):
        _record_failure(taken, str(answer), permanent=True)
        circuit.succeeded(taken.code)  # a refusal is an answer: the department is there
    elif isinstance(answer, TransientError):
        outage = circuit.failed(taken.code, str(answer))
        _record_failure(taken, str(answer), permanent=False, retry_after=answer.retry_after,
                        outage=outage)
    elif isinstance(answer, Exception):
        _record_failure(taken, f"{type(answer).__name__}: {answer}", permanent=False)
    else:
        if isinstance(answer, Accepted):
            _record_accepted(taken, answer)
        else:
            _record_success(taken, answer)
        circuit.succeeded(taken.code)


def _lock_chain(cursor, chain_id: int) -> tuple:
    # Lock order, for every writer: a step's row, then its chain's row.
    cursor.execute("SELECT accepted_at, deadline_at, purpose FROM chain_chain WHERE id = %s"
                   + _for_update(), [chain_id])
    return cursor.fetchone()


_STEP_DONE = """
UPDATE chain_step
   SET status = 'done', finished_at = %s, reference = %s, result = %s, last_error = '',
       lease_expires_at = NULL
 WHERE id = %s
"""


# The move to done, only from where the state machine allows it; the row's lock is
# taken (or waited for) by the update itself, which re-reads the status after a wait.
# The statuses a step may move to done from, as SQL.
DONE_FROM_SQL = ", ".join(repr(str(s)) for s in StepStatus if StepStatus.DONE in TRANSITIONS[s])
_STEP_DONE_IF_ALLOWED = _STEP_DONE.rstrip() + f" AND status IN ({DONE_FROM_SQL})\n"


def _record_success(taken: Claim, outcome: Outcome) -> None:
    now = timezone.now()
    with transaction.atomic(), prepared.cursor() as cursor:
        if not _mark_done(cursor, taken, outcome, now):
            return
        _carry_on(cursor, taken.step_id, taken.chain_id, taken.application_id, taken.code,
                  outcome, now)
    # One line a step (not a task: a message may carry several), with the request that
    # submitted the application (the log context), so a chain can be followed in the logs.
    log.info("step %s (%s) done: %s", taken.step_id, taken.code, outcome.reference)


def _recorded_elsewhere(cursor, taken: Claim, outcome: Outcome) -> bool:
    """A step that did not move to done: True when someone else (a reclaiming worker, the
    department's callback) recorded it first; any other state is a move not allowed."""
    cursor.execute("SELECT status, reference FROM chain_step WHERE id = %s", [taken.step_id])
    status, reference = cursor.fetchone()
    if status != StepStatus.DONE:
        raise ValueError(f"step {taken.step_id}: {status} -> done is not allowed")
    if reference != outcome.reference:
        log.warning("step %s (%s) is done as %s; the department now answers %s",
                    taken.step_id, taken.code, reference, outcome.reference)
    return True


def _mark_done(cursor, taken: Claim, outcome: Outcome, now: dt.datetime) -> bool:
    """Move a claimed step to done, with its audit entry; False when a reclaiming worker
    or the department's callback recorded it first (left as they left it)."""
    cursor.execute(_STEP_DONE_IF_ALLOWED, _done_values(taken.step_id, outcome, now))
    if cursor.rowcount != 1:
        return not _recorded_elsewhere(cursor, taken, outcome)
    _audit(taken.application_id, taken.code, taken.attempts, "step.done",
           reference=outcome.reference)
    return True


def _done_values(step_id: int, outcome: Outcome, now: dt.datetime) -> list:
    return [connection.ops.adapt_datetimefield_value(now), outcome.reference,
            json.dumps(outcome.data, ensure_ascii=False), step_id]


def complete_step(cursor, step_id: int, chain_id: int, application_id: uuid.UUID,
                  code: str, outcome: Outcome, now: dt.datetime) -> list[int]:
    """Mark a step done with ``outcome`` and carry the chain on: the department's finish
    hook runs, followers whose prerequisites are now done are released (dispatched on
    commit), and the chain completes when this was its last step. Returns the released
    step ids.

    The caller holds the transaction, has locked the step's row and checked the move; it
    writes its own audit entry. The worker's success and an officer's completion by hand
    (:mod:`yilian.chain.manual`) both end here, so the chain cannot tell them apart.
    """
    cursor.execute(_STEP_DONE, _done_values(step_id, outcome, now))
    return _carry_on(cursor, step_id, chain_id, application_id, code, outcome, now)


def _carry_on(cursor, step_id: int, chain_id: int, application_id: uuid.UUID, code: str,
              outcome: Outcome, now: dt.datetime) -> list[int]:
    """:func:`complete_step` once the step's row says done."""
    _finish_step(application_id, code, outcome)
    return _settle_chain(cursor, chain_id, application_id, now)


def _finish_step(application_id: uuid.UUID, code: str, outcome: Outcome) -> None:
    """What a done step leaves behind: its department's finish, and the texts it sends
    (the license, seals, bank)."""
    registry.get(code).finish(application_id, outcome)
    notify.step_done(application_id, code, outcome)


def _settle_chain(cursor, chain_id: int, application_id: uuid.UUID,
                  now: dt.datetime) -> list[int]:
    """Release the followers whose prerequisites are now done (dispatched on commit),
    and complete the chain when every step is done."""
    at = connection.ops.adapt_datetimefield_value
    # The chain's lock comes last and is held only to commit: siblings finishing at
    # the same moment queue here briefly. Whoever gets it second reads (in a fresh
    # statement, after the wait) the first one's committed step, so exactly one of
    # them sees every step done and completes the chain.
    accepted_at, deadline_at, purpose = _lock_chain(cursor, chain_id)
    cursor.execute("SELECT id, code, status, next_attempt_at IS NULL FROM chain_step "
                   "WHERE chain_id = %s", [chain_id])
    steps = {each: [pk, status, waiting] for pk, each, status, waiting in cursor.fetchall()}
    released = _release_followers(cursor, steps, now, purpose)
    if all(status == StepStatus.DONE for _pk, status, _w in steps.values()):
        cursor.execute("UPDATE chain_chain SET finished_at = %s WHERE id = %s",
                       [at(now), chain_id])
        record(stream_for_application(application_id), "chain.completed",
               actor_label="worker",
               data={"seconds": (now - _aware(accepted_at)).total_seconds(),
                     "overdue": now > _aware(deadline_at)})
        notify.completed(application_id)
    dispatch.on_commit(released)
    return released


def _for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def _aware(value) -> dt.datetime:
    """A datetime read by hand from the database, as Django would have returned it."""
    if isinstance(value, str):  # SQLite keeps them as text
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


def _release_followers(cursor, steps: dict[str, list], now: dt.datetime,
                       purpose: str) -> list[int]:
    """Make ready every waiting step whose prerequisites (by the chain's purpose) are
    now all done."""
    done = {code for code, (_pk, status, _w) in steps.items() if status == StepStatus.DONE}
    codes = frozenset(steps)
    ready = [
        pk for code, (pk, status, waiting) in steps.items()
        if status == StepStatus.PENDING and waiting
        and set(steps_plan.prerequisites(purpose, code, codes)) <= done
    ]
    if ready:
        marks = ", ".join(["%s"] * len(ready))
        cursor.execute(f"UPDATE chain_step SET next_attempt_at = %s WHERE id IN ({marks})",
                       [connection.ops.adapt_datetimefield_value(now), *ready])
    return ready


def ready_step_ids(limit: int = 500, stale_after: float = 0.0) -> list[int]:
    """Steps that may be claimed now; with ``stale_after``, only those that have been
    ready that long (their message was presumably lost) or whose claim expired."""
    now = timezone.now()
    ready = _ready(now - dt.timedelta(seconds=stale_after))
    if stale_after:
        ready |= Q(status=StepStatus.RUNNING, lease_expires_at__lt=now)
    return list(Step.objects.filter(ready).order_by("next_attempt_at")
                .values_list("pk", flat=True)[:limit])


def flag_overdue() -> int:
    """Mark (once) every unfinished step whose chain is past the one-hour promise."""
    now = timezone.now()
    late = list(Step.objects.filter(chain__deadline_at__lt=now, overdue_at__isnull=True)
                .exclude(status=StepStatus.DONE).select_related("chain"))
    for step in late:
        with transaction.atomic():
            if Step.objects.filter(pk=step.pk, overdue_at__isnull=True).update(overdue_at=now):
                log.warning("step %s (%s) is past the SLA", step.pk, step.code)
                _audit(step.chain.application_id, step.code, step.attempts, "step.overdue",
                       deadline=step.chain.deadline_at.isoformat())
    return len(late)


def sweep() -> int:
    """Re-dispatch every step left ready longer than its message should take, and every
    abandoned claim; flag overdue steps; probe departments whose circuit is open
    (:func:`yilian.departments.circuit.probe`). Returns the count dispatched. Safe to run
    anywhere, any number of times: claims decide who works.

    A resent step's ``next_attempt_at`` moves to now, so that under a backlog each step is
    resent at most once per grace period instead of flooding the queue with copies; an
    abandoned claim (whose row says nothing of the resend) likewise, by
    :func:`_not_resent_lately`. While the broker's queue is behind, a step counts as left
    ready only from when the queue reached the time it was sent
    (:func:`yilian.chain.dispatch.queued_since`)."""
    grace = settings.SWEEP_GRACE_SECONDS
    # A step made ready after the oldest message still in the queue was sent has its
    # own message behind that one: it waits for the queue, it was not lost.
    since = dispatch.queued_since()
    behind = max(0.0, time.time() - since) if since is not None else 0.0
    ids = ready_step_ids(stale_after=grace + behind)
    if ids:
        Step.objects.filter(pk__in=ids, status__in=READY_STATUSES).update(
            next_attempt_at=timezone.now())
        ids = _not_resent_lately(ids, grace)
    dispatch.send(ids)
    flag_overdue()
    circuit.probe()  # a department back from an outage: its steps go now
    return len(ids)


# (step id, claim token) of an abandoned claim → when this process's sweeper last resent
# it (time.monotonic()).
_resent: dict[tuple[int, str], float] = {}


def _not_resent_lately(ids: list[int], grace: float) -> list[int]:
    """``ids`` less the abandoned claims this process resent within ``grace`` seconds
    (noted now). A ready step's ``next_attempt_at`` already says when it was resent; an
    abandoned claim stays "ready" as it is until a worker claims it, so it was resent at
    every sweep while the queue was slow to reach it (a flood after a broker outage).
    Another process taking the sweeper over may resend each once more."""
    now = time.monotonic()
    for key, at in list(_resent.items()):
        if now - at >= grace:
            del _resent[key]
    abandoned = dict(Step.objects.filter(pk__in=ids, status=StepStatus.RUNNING)
                     .values_list("pk", "claim_token"))
    fresh = [pk for pk in ids if (pk, abandoned.get(pk)) not in _resent]
    _resent.update({(pk, abandoned[pk]): now for pk in fresh if pk in abandoned})
    return fresh


def drain(max_attempts: int = 100_000) -> int:
    """Work every ready step in this thread until none is left (tests, tools, bench)."""
    attempts = 0
    while attempts < max_attempts:
        ids = ready_step_ids()
        made = sum(advance(i) for i in ids)
        if not made:  # nothing ready, or everything ready is claimed by other workers
            return attempts
        attempts += made
    return attempts
