"""The chain engine: claim a ready step, ask its department, record the answer.

Each of the three phases is its own short transaction; the department call happens
outside any transaction. Exactly-once *effects* come from the department honouring the
step's idempotency key; the engine guarantees at-least-once *asking* (a crashed worker's
claim expires and the sweeper hands the step out again). See DESIGN.md §2.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yilian.audit.services import record, stream_for_application
from yilian.chain import dispatch
from yilian.chain.models import READY_STATUSES, Chain, Step, StepStatus
from yilian.departments import registry
from yilian.departments.base import Outcome, PermanentError, StepRequest, TransientError

log = logging.getLogger("yilian.chain")

RETRY_BASE_SECONDS = 2.0
RETRY_CAP_SECONDS = 900.0


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): exponential, capped,
    with jitter in [50 %, 100 %] so that a department's backlog does not return at once."""
    ceiling = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    return ceiling * (0.5 + 0.5 * (rng or random).random())


def _ready(now: dt.datetime) -> Q:
    return Q(status__in=READY_STATUSES, next_attempt_at__lte=now) | Q(
        status=StepStatus.RUNNING, lease_expires_at__lt=now
    )


@dataclass(frozen=True)
class Claim:
    step: Step
    token: str


def _audit(step: Step, action: str, **data) -> None:
    record(stream_for_application(step.chain.application_id), action, actor_label="worker",
           data={"step": step.code, "attempt": step.attempts, **data})


def claim(step_id: int) -> Claim | None:
    """Take a ready step for this worker, or ``None`` if it is not ready or taken."""
    now = timezone.now()
    with transaction.atomic():
        step = (
            Step.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("chain__application")
            .filter(_ready(now), pk=step_id)
            .first()
        )
        if step is None:
            return None
        reclaimed = step.status == StepStatus.RUNNING
        step.move_to(StepStatus.RUNNING)
        step.attempts += 1
        step.claim_token = uuid.uuid4().hex
        step.lease_expires_at = now + dt.timedelta(seconds=settings.STEP_LEASE_SECONDS)
        step.started_at = step.started_at or now
        step.save(update_fields=["status", "attempts", "claim_token", "lease_expires_at",
                                 "started_at"])
        _audit(step, "step.reclaimed" if reclaimed else "step.running")
    return Claim(step, step.claim_token)


def advance(step_id: int) -> bool:
    """Run one attempt of a step if it is ready. Returns whether an attempt was made."""
    taken = claim(step_id)
    if taken is None:
        return False
    step = taken.step
    department = registry.get(step.code)
    try:
        request = StepRequest(
            department=step.code,
            idempotency_key=step.idempotency_key,
            application_id=str(step.chain.application_id),
            uscc=step.chain.application.uscc,
            payload=step.payload,
        )
        outcome = department.submit(request)
    except PermanentError as exc:
        _record_failure(taken, str(exc), permanent=True)
    except TransientError as exc:
        _record_failure(taken, str(exc), permanent=False)
    except Exception as exc:  # an adapter bug must not kill the worker or lose the step
        log.exception("step %s (%s) raised", step.pk, step.code)
        _record_failure(taken, f"{type(exc).__name__}: {exc}", permanent=False)
    else:
        _record_success(taken, outcome)
    return True


def _lock(step: Step) -> tuple[Chain, Step]:
    # Always chain first, then step: the one lock order every writer uses.
    chain = Chain.objects.select_for_update().get(pk=step.chain_id)
    return chain, Step.objects.select_for_update().select_related("chain").get(pk=step.pk)


def _record_success(taken: Claim, outcome: Outcome) -> None:
    now = timezone.now()
    with transaction.atomic():
        # Every move to done holds the chain's lock, so once we have it the siblings'
        # statuses read below are settled: completion is decided exactly once.
        chain = Chain.objects.select_for_update().get(pk=taken.step.chain_id)
        steps = {s.code: s for s in Step.objects.filter(chain=chain)}
        step = steps[taken.step.code]
        if step.status == StepStatus.DONE:
            return  # a reclaiming worker recorded the same (idempotent) answer first
        step.chain = chain
        step.move_to(StepStatus.DONE)
        step.finished_at, step.reference, step.result = now, outcome.reference, outcome.data
        Step.objects.filter(pk=step.pk).update(
            status=step.status, finished_at=now, reference=outcome.reference,
            result=outcome.data, last_error="", lease_expires_at=None,
        )
        registry.get(step.code).finish(step, outcome)
        _audit(step, "step.done", reference=outcome.reference)
        released = _release_followers(steps.values(), now)
        if all(s.status == StepStatus.DONE for s in steps.values()):
            chain.finished_at = now
            chain.save(update_fields=["finished_at"])
            record(stream_for_application(chain.application_id), "chain.completed",
                   actor_label="worker",
                   data={"seconds": (now - chain.accepted_at).total_seconds(),
                         "overdue": chain.is_overdue(now)})
        dispatch.on_commit(released)


def _release_followers(steps, now: dt.datetime) -> list[int]:
    """Make ready every waiting step whose prerequisites are now all done."""
    steps = list(steps)
    done = {s.code for s in steps if s.status == StepStatus.DONE}
    ready = [
        s.pk for s in steps
        if s.status == StepStatus.PENDING and s.next_attempt_at is None
        and set(registry.get(s.code).after) <= done
    ]
    if ready:
        Step.objects.filter(pk__in=ready).update(next_attempt_at=now)
    return ready


def _record_failure(taken: Claim, error: str, *, permanent: bool) -> None:
    now = timezone.now()
    with transaction.atomic():
        _chain, step = _lock(taken.step)
        if step.status != StepStatus.RUNNING or step.claim_token != taken.token:
            return  # someone else owns the step now; their outcome counts
        step.last_error = error[:2000]
        step.lease_expires_at = None
        if permanent or step.attempts >= settings.MAX_AUTO_ATTEMPTS:
            step.move_to(StepStatus.FAILED)
            step.next_attempt_at = None
            log.warning("step %s (%s) needs a person: %s", step.pk, step.code, error)
        else:
            step.move_to(StepStatus.RETRYING)
            step.next_attempt_at = now + dt.timedelta(seconds=backoff(step.attempts))
        step.save(update_fields=["status", "last_error", "lease_expires_at",
                                 "next_attempt_at"])
        _audit(step, f"step.{step.status}", error=step.last_error,
               next_attempt_at=step.next_attempt_at.isoformat() if step.next_attempt_at else None)
        if step.next_attempt_at:
            dispatch.on_commit([step.pk], delay=(step.next_attempt_at - now).total_seconds())


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
                _audit(step, "step.overdue", deadline=step.chain.deadline_at.isoformat())
    return len(late)


def sweep() -> int:
    """Re-dispatch every step left ready longer than its message should take, and every
    abandoned claim; flag overdue steps. Returns the count dispatched. Safe to run
    anywhere, any number of times: claims decide who works."""
    ids = ready_step_ids(stale_after=settings.SWEEP_GRACE_SECONDS)
    dispatch.send(ids)
    flag_overdue()
    return len(ids)


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
