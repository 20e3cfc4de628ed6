"""Late results (部门回调): a department's result for a step it accepted earlier, arriving
by callback (docs/department-protocol.md §4) — or before the step's own answer did.

:func:`record_late_result` completes the step exactly once through
:func:`yilian.chain.engine.complete_step`, the same code an answer or an officer's
completion runs. Deliveries are at-least-once, so the same result again is fine; a
different result for a step already decided is a conflict a person must look at.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from yilian.audit.services import record, stream_for_step
from yilian.chain import engine
from yilian.chain.models import Step, StepStatus
from yilian.departments.base import Outcome
from yilian.departments.http import Refusal
from yilian.notices import notify

RECORDED, DUPLICATE = "recorded", "duplicate"


class LateResultRefused(Exception):
    """``unknown_key`` (404) or ``conflicting_result`` (409), said in both languages."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.message_zh, self.message_en = code, zh, en


def record_late_result(code: str, key: str, result: Outcome | Refusal) -> str:
    """Record department ``code``'s result for the step with idempotency key ``key``;
    returns ``"recorded"``, or ``"duplicate"`` when the step already has that result."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        step = (Step.objects.select_for_update(of=("self",)).select_related("chain")
                .filter(code=code, idempotency_key=key).first())
        # A pending step was never asked, so no department can know its key.
        if step is None or step.status == StepStatus.PENDING:
            raise LateResultRefused("unknown_key", "没有该业务标识对应的已报送事项",
                                    "no step with this key was sent to this department")
        if isinstance(result, Outcome):
            return _done(cursor, step, result, now)
        return _refused(step, result)


def _conflict(step: Step, result) -> LateResultRefused:
    return LateResultRefused(
        "conflicting_result",
        f"该事项已有不同的结果（{step.get_status_display()} {step.reference}），未予记录",
        f"this step already has a different result ({step.status} {step.reference}); "
        f"not recorded")


def _refused_before(step: Step) -> dict | None:
    refused = (step.result or {}).get("refused")
    return refused if step.status == StepStatus.FAILED and isinstance(refused, dict) else None


def _done(cursor, step: Step, outcome: Outcome, now) -> str:
    if step.status == StepStatus.DONE:
        if step.reference == outcome.reference:
            return DUPLICATE
        raise _conflict(step, outcome)
    if _refused_before(step):
        raise _conflict(step, outcome)
    application_id = step.chain.application_id
    record(stream_for_step(application_id, step.code), "step.done", actor_label="department",
           data={"step": step.code, "attempt": step.attempts, "reference": outcome.reference,
                 "via": "callback", "from": step.status})
    engine.complete_step(cursor, step.pk, step.chain_id, application_id, step.code,
                         outcome, now)
    return RECORDED


def _refused(step: Step, refusal: Refusal) -> str:
    before = _refused_before(step)
    if before is not None and before.get("code") == refusal.code:
        return DUPLICATE
    if step.status == StepStatus.DONE:
        raise _conflict(step, refusal)
    if step.status != StepStatus.FAILED:
        step.move_to(StepStatus.FAILED)
    step.last_error = str(refusal)[:2000]
    step.result = {"refused": {"code": refusal.code, "message_zh": refusal.message_zh,
                               "message_en": refusal.message_en}}
    step.next_attempt_at = step.lease_expires_at = None
    step.save(update_fields=["status", "last_error", "result", "next_attempt_at",
                             "lease_expires_at"])
    record(stream_for_step(step.chain.application_id, step.code), "step.failed",
           actor_label="department",
           data={"step": step.code, "attempt": step.attempts, "error": step.last_error,
                 "via": "callback"})
    notify.step_failed(step.chain.application_id, step)
    return RECORDED
