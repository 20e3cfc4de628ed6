"""What the engine (:mod:`yilian.chain.engine`) holds of a claimed step, and what it
records when the department did not simply finish it: accepted (受理, the step waits for
the department), or failed (retried after a back-off, or left for a person).

Split from the engine, which keeps the claim and the success path (the hot one).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yilian.audit.services import record, stream_for_step
from yilian.chain import dispatch
from yilian.chain.models import Step, StepStatus
from yilian.departments.base import Accepted
from yilian.notices import notify

log = logging.getLogger("yilian.chain")

RETRY_BASE_SECONDS = 2.0
RETRY_CAP_SECONDS = 900.0


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): exponential, capped,
    with jitter in [50 %, 100 %] so that a department's backlog does not return at once."""
    ceiling = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    return ceiling * (0.5 + 0.5 * (rng or random).random())


@dataclass(frozen=True)
class Claim:
    """A step taken by this worker: what the department call and the record need."""

    step_id: int
    chain_id: int
    application_id: uuid.UUID
    code: str
    attempts: int
    idempotency_key: str
    payload: dict
    uscc: str
    token: str
    #: Claimed while waiting for the department (待部门办结): ask how it stands.
    polling: bool = False


def audit(application_id, code: str, attempts: int, action: str, new_stream: bool = False,
           **data) -> None:
    stream, action, data, new_stream = step_entry(application_id, code, attempts, action,
                                                  new_stream, **data)
    record(stream, action, actor_label="worker", data=data, new_stream=new_stream)


def step_entry(application_id, code: str, attempts: int, action: str,
               new_stream: bool = False, **data) -> tuple[str, str, dict, bool]:
    """A step's audit entry, as :func:`yilian.audit.services.record_many` takes it."""
    return (stream_for_step(application_id, code), action,
            {"step": code, "attempt": attempts, **data}, new_stream)


def poll_at(expected_at: dt.datetime, now: dt.datetime,
            rng: random.Random | None = None) -> dt.datetime:
    """When to ask about a waiting step: the grace after the time the department gave;
    once that time has passed, after as long again as it is overdue (so a department
    that keeps answering "accepted" is asked less and less often), capped, jittered."""
    grace = settings.DEPARTMENT_POLL_GRACE_SECONDS
    if expected_at > now:
        return expected_at + dt.timedelta(seconds=grace)
    late = (now - expected_at).total_seconds()
    wait = min(RETRY_CAP_SECONDS, max(grace, late)) * (0.5 + 0.5 * (rng or random).random())
    return now + dt.timedelta(seconds=max(wait, 1.0))


def record_accepted(taken: Claim, accepted: Accepted) -> None:
    """The department took the request (受理): the step waits (待部门办结) for a callback,
    or for its poll once ``expected_at`` and the grace have passed. The SLA clock runs."""
    now = timezone.now()
    with transaction.atomic():
        step = Step.objects.select_for_update().get(pk=taken.step_id)
        if step.status != StepStatus.RUNNING or step.claim_token != taken.token:
            return  # a callback (out of order) or another worker got there first
        step.move_to(StepStatus.WAITING)
        step.expected_at = accepted.expected_at
        step.next_attempt_at = poll_at(accepted.expected_at, now)
        step.lease_expires_at = None
        step.last_error = ""
        step.save(update_fields=["status", "expected_at", "next_attempt_at",
                                 "lease_expires_at", "last_error"])
        audit(taken.application_id, step.code, step.attempts, "step.waiting",
               expected_at=accepted.expected_at.isoformat(),
               next_attempt_at=step.next_attempt_at.isoformat(), note=accepted.note)
        dispatch.on_commit([step.pk], delay=(step.next_attempt_at - now).total_seconds())


def record_failure(taken: Claim, error: str, *, permanent: bool,
                    retry_after: float | None = None, outage: bool = False) -> None:
    """Record a failed attempt: retry later, or (refused, or out of automatic attempts)
    wait for a person — never during an ``outage`` (the department's circuit is open),
    which only delays (DESIGN.md §2)."""
    now = timezone.now()
    with transaction.atomic():
        step = Step.objects.select_for_update().get(pk=taken.step_id)
        if step.status != StepStatus.RUNNING or step.claim_token != taken.token:
            return  # someone else owns the step now; their outcome counts
        step.last_error = error[:2000]
        step.lease_expires_at = None
        if permanent or (step.attempts >= settings.MAX_AUTO_ATTEMPTS and not outage):
            step.move_to(StepStatus.FAILED)
            step.next_attempt_at = None
            log.warning("step %s (%s) needs a person: %s", step.pk, step.code, error)
            notify.step_failed(taken.application_id, step)
        else:
            step.move_to(StepStatus.RETRYING)
            # A department that said when to come back (Retry-After) is not asked
            # sooner; within reason, so one bad header cannot park a step for days.
            wait = max(backoff(step.attempts), min(retry_after or 0.0, RETRY_CAP_SECONDS))
            step.next_attempt_at = now + dt.timedelta(seconds=wait)
            log.info("step %s (%s) attempt %d failed, next in %.0f s: %s", step.pk,
                     step.code, step.attempts, wait, error)
        step.save(update_fields=["status", "last_error", "lease_expires_at",
                                 "next_attempt_at"])
        audit(taken.application_id, step.code, step.attempts, f"step.{step.status}",
               error=step.last_error,
               next_attempt_at=step.next_attempt_at.isoformat() if step.next_attempt_at else None)
        if step.next_attempt_at:
            dispatch.on_commit([step.pk], delay=(step.next_attempt_at - now).total_seconds())
