"""A department officer's hand on the chain (部门人工处理): retry a step now (or every
failed step of the department at once), or complete it by hand with the reference number
the department issued off-line.

Each action checks that the actor is an officer of the step's department, changes the
step in one transaction with its audit entry (the step's own stream), and wakes workers
only once that transaction commits — the same contract as the engine's transitions
(DESIGN.md §2). Completing by hand ends in :func:`yilian.chain.engine.complete_step`,
the very code an automatic success runs, so the following steps are released and the
chain completes exactly as they would have.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from yilian.accounts.permissions import is_officer
from yilian.audit.services import record, stream_for_step
from yilian.chain import dispatch, engine
from yilian.chain.models import Step, StepStatus
from yilian.departments.base import Outcome

# Registration mints the unified social credit code (统一社会信用代码) and the signed
# license in its own transaction; a number typed in by hand could do neither.
NOT_BY_HAND = frozenset({"registration"})
RETRYABLE = frozenset({StepStatus.FAILED, StepStatus.RETRYING})
MAX_REFERENCE = 64  # Step.reference


class StepActionRefused(Exception):
    """The step is not in a state that allows the action; says why in both languages."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.message_zh, self.message_en = code, zh, en


def check_officer(step: Step, actor) -> None:
    """Only an officer of the step's own department (or a superuser) may touch it."""
    if not actor.is_authenticated or not is_officer(actor, step.code):
        raise PermissionDenied(f"only an officer of {step.code} may act on this step")


def can_complete_by_hand(step: Step) -> bool:
    """Whether the console offers completion by hand: not registration, and only a step
    that may start (its prerequisites are done) and that no worker is holding."""
    return step.code not in NOT_BY_HAND and (
        step.status in RETRYABLE or step.status == StepStatus.WAITING
        or (step.status == StepStatus.PENDING and step.next_attempt_at is not None))


def retry_step(step: Step, actor) -> Step:
    """重试 — put a failed or retrying step back in the queue now.

    The attempt count is kept: a step past the automatic limit gets one attempt per
    manual retry, and fails again (visibly) if the department still refuses."""
    with transaction.atomic():
        step = _locked(step)
        check_officer(step, actor)
        if step.status not in RETRYABLE:
            raise StepActionRefused(
                "step.not_retryable",
                f"只有失败或重试中的事项可以立即重试（当前：{step.get_status_display()}）",
                f"only a failed or retrying step can be retried ({step.status})")
        _requeue(step, actor)
    return step


def retry_failed(code: str, actor) -> int:
    """全部重新提交 — put every failed step of department ``code`` back in the queue at
    once (after an outage, or a fixed cause): one audit entry per step, all dispatched
    when the transaction commits. Returns how many."""
    if not actor.is_authenticated or not is_officer(actor, code):
        raise PermissionDenied(f"only an officer of {code} may act on its steps")
    with transaction.atomic():
        steps = list(Step.objects.select_for_update(of=("self",)).select_related("chain")
                     .filter(code=code, status=StepStatus.FAILED).order_by("id"))
        for step in steps:
            _requeue(step, actor, bulk=True)
    return len(steps)


def _requeue(step: Step, actor, *, bulk: bool = False) -> None:
    """The step (locked by the caller) is asked again now, once the transaction commits."""
    previous = step.status
    if step.status == StepStatus.FAILED:
        step.move_to(StepStatus.RETRYING)
    step.next_attempt_at = timezone.now()
    step.save(update_fields=["status", "next_attempt_at"])
    data = {"step": step.code, "attempt": step.attempts, "from": previous}
    record(stream_for_step(step.chain.application_id, step.code), "step.retry_requested",
           actor=actor, data={**data, "all_failed": True} if bulk else data)
    dispatch.on_commit([step.pk])


def complete_by_hand(step: Step, actor, reference: str) -> Step:
    """人工办结 — record the department's reference number for a step done off-line
    (a department with no API, or one down for a long time), and carry the chain on."""
    check_officer(step, actor)  # before anything is said about the input
    reference = (reference or "").strip()
    if not reference or len(reference) > MAX_REFERENCE:
        raise StepActionRefused("step.reference", "请填写部门业务编号（不超过64个字符）",
                                "enter the department's reference number (up to 64 "
                                "characters)")
    with transaction.atomic(), connection.cursor() as cursor:
        step = _locked(step)
        check_officer(step, actor)
        if step.code in NOT_BY_HAND:
            raise StepActionRefused("step.registration_by_hand",
                                    "设立登记须由系统赋予统一社会信用代码并签发电子营业执照，不能人工办结",
                                    "registration must mint the USCC and sign the license; "
                                    "it cannot be completed by hand")
        if not can_complete_by_hand(step):
            raise StepActionRefused("step.not_completable",
                                    f"该事项当前不能人工办结（{step.get_status_display()}）",
                                    f"this step cannot be completed by hand ({step.status})")
        now = timezone.now()
        application_id = step.chain.application_id
        record(stream_for_step(application_id, step.code), "step.done_by_hand", actor=actor,
               data={"step": step.code, "attempt": step.attempts, "reference": reference,
                     "from": step.status, "last_error": step.last_error})
        outcome = Outcome(reference, {"by_hand": True, "officer": actor.get_username()})
        engine.complete_step(cursor, step.pk, step.chain_id, application_id, step.code,
                             outcome, now)
    step.refresh_from_db()
    return step


def _locked(step: Step) -> Step:
    # The step's row first, then (in complete_step) its chain's: the engine's lock order.
    return Step.objects.select_for_update(of=("self",)).select_related("chain").get(pk=step.pk)
