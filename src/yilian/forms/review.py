"""Manual review (人工审查) of applications the admission rules could not decide alone.

An examiner (审查员) approves (核准 → accepted, 受理: the chain starts and the
post-verifications of any pledge open, exactly as when the rules approve at submission),
returns the application for correction (退回补正 → returned, with the standard reasons
picked — :mod:`yilian.forms.returns`, each naming the step and fields at fault — and a
comment the applicant reads in ``review_comment``; the applicant corrects and resubmits through
:func:`yilian.forms.services.submit_application`), or refuses it (不予受理 → rejected,
with the reason the applicant reads).

Separation of duties (职责分离): deciding is the examiner's alone — a window clerk
enters applications, never decides them — and nobody decides an application they
entered or edited at the counter, or their own, even when they also hold the examiner
role: the audit trail says who entered what (:mod:`yilian.forms.counter`).

Each action, Wagtail-style: check permission, check state, change it, audit — in one
transaction; the chain's workers are woken only once it commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from yilian.accounts import roles
from yilian.accounts.permissions import has_role
from yilian.audit.models import Entry
from yilian.audit.services import record, stream_for_application
from yilian.forms import returns
from yilian.forms.models import Application, Status
from yilian.forms.services import application_queryset, release_name
from yilian.notices import notify

# How long an examiner may take: past this, the queue flags the application overdue and
# lists it first. Manual review is outside the one-hour promise, which runs from
# acceptance (受理), but it must not become where that promise quietly goes to wait.
REVIEW_TIME_LIMIT = dt.timedelta(hours=4)
MAX_COMMENT = 2000
# What the counter writes for each thing a clerk does on an applicant's form.
COUNTER_ACTIONS = "application.counter_"


class ReviewRefused(Exception):
    """The application is not waiting for review, or the comment is missing."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.message_zh, self.message_en = code, zh, en


def check_can_review(actor, application: Application | None = None) -> None:
    """Only an examiner decides, and never on an application they entered at the
    counter or own. Raises ``PermissionDenied``."""
    if not has_role(actor, roles.EXAMINER):
        raise PermissionDenied("only an examiner may decide on applications")
    if application is not None:
        if application.owner_id == actor.pk:
            raise PermissionDenied("nobody decides on their own application")
        if entered_by(application, actor):
            raise PermissionDenied("the clerk who entered an application may not decide it")


def entered_by(application: Application, user) -> bool:
    """Did ``user`` enter or change ``application`` at the counter (audited actions)?"""
    return Entry.objects.filter(stream=stream_for_application(application.pk),
                                actor_id=user.pk,
                                action__startswith=COUNTER_ACTIONS).exists()


def review_queue() -> QuerySet[Application]:
    """Applications waiting for a person, oldest first — so the overdue ones lead."""
    return (application_queryset().filter(status=Status.IN_REVIEW)
            .select_related("owner").prefetch_related("decisions")
            .order_by("submitted_at", "created_at"))


def review_due(application: Application) -> dt.datetime | None:
    submitted = application.submitted_at
    return submitted + REVIEW_TIME_LIMIT if submitted else None


def is_review_overdue(application: Application, now: dt.datetime | None = None) -> bool:
    due = review_due(application)
    return due is not None and (now or timezone.now()) > due


@dataclass(frozen=True)
class Reason:
    """One finding of the admission decision that sent the application to a person."""

    rule: str
    basis: str
    subject: str
    edition: str


def reasons(application: Application) -> list[Reason]:
    """The latest decision's findings that led to manual review (rule ids and basis)."""
    latest = next(iter(application.decisions.all()), None)  # ordered newest first
    if latest is None:
        return []
    return [Reason(f.get("rule", ""), f.get("basis", ""), f.get("subject", ""),
                   f.get("edition", ""))
            for f in latest.findings if f.get("outcome") == latest.outcome]


def approve(application: Application, actor, comment: str = "") -> Application:
    """核准 — accept the application: the SLA clock starts and so does the chain."""
    from yilian.forms import afterwards
    from yilian.rules import services as rules
    from yilian.rules.engine import Decision, Finding

    check_can_review(actor, application)
    with transaction.atomic():
        application = _waiting(application)
        latest = application.decisions.first()
        now = timezone.now()
        application.status = Status.ACCEPTED
        application.accepted_at = now
        application.review_comment = (comment or "").strip()[:MAX_COMMENT]
        application.save(update_fields=["status", "accepted_at", "review_comment",
                                        "updated_at"])
        # Permits the department did not confirm are relied on from here as checked by
        # this examiner (许可核验: the decision says who vouched for each).
        vouched = rules.record_examiner_check(latest, actor)
        record(stream_for_application(application.pk), "application.approved", actor=actor,
               data={"decision": latest.pk if latest else None,
                     "comment": application.review_comment,
                     "permits_checked_by_examiner": [p.number for p in vouched]})
        if latest is not None:
            # The stored findings, as the decision that submission would have acted on.
            decision = Decision(latest.outcome, tuple(Finding(**f) for f in latest.findings),
                                latest.editions)
            rules.open_post_verifications(application, decision)
        afterwards.accepted(application, actor)
        notify.accepted(application)
    return application


def return_for_correction(application: Application, actor, comment: str,
                          reasons: Iterable[str] = ()) -> Application:
    """退回补正 — send the application back to its applicant with what to correct: the
    standard reasons picked (codes of :mod:`yilian.forms.returns`, each naming the step
    and fields at fault) and/or the examiner's own words. Returns the application as
    returned — the place to hook what follows a return (telling the applicant)."""
    try:
        picked = returns.resolve(reasons, application)
    except returns.UnknownReason as exc:
        raise ReviewRefused("review.reason_unknown", f"补正事由不在清单中：{exc}",
                            f"not a standard return reason: {exc}") from exc
    returned = _send_back(application, actor, Status.RETURNED, comment,
                          "application.returned", "comment",
                          ReviewRefused("review.comment_required",
                                        "退回补正须选择补正事由或写明需要补正的内容",
                                        "pick a reason or say what the applicant must "
                                        "correct"),
                          reasons=picked)
    # What follows a return (telling the applicant) goes here, after the commit.
    return returned


def reject(application: Application, actor, reason: str) -> Application:
    """不予受理 — refuse the application, with the reason the applicant reads. Final:
    the applicant may start a new application, not resubmit this one."""
    return _send_back(application, actor, Status.REJECTED, reason, "application.rejected",
                      "reason", ReviewRefused("review.reason_required",
                                              "不予受理须写明理由和依据",
                                              "give the reason (and its basis) for refusing"))


def _send_back(application: Application, actor, status: str, text: str, action: str,
               key: str, missing: ReviewRefused, reasons: list[dict] | None = None
               ) -> Application:
    """Return or refuse: both need the words the applicant will read (for a return, the
    standard reasons picked may stand for them), and both release the name (it is held
    only while an application is in review or accepted)."""
    text = (text or "").strip()
    reasons = reasons or []
    if not text and not reasons:
        raise missing
    check_can_review(actor, application)
    with transaction.atomic():
        application = _waiting(application)
        application.status = status
        application.review_comment = text[:MAX_COMMENT]
        application.return_reasons = reasons
        application.save(update_fields=["status", "review_comment", "return_reasons",
                                        "updated_at"])
        release_name(application, status)
        data = {key: application.review_comment}
        if status == Status.RETURNED:
            data["reasons"] = [r["code"] for r in reasons]
        record(stream_for_application(application.pk), action, actor=actor, data=data)
        notify.decided(application)  # returned or rejected: the applicant is told
    return application


def _waiting(application: Application) -> Application:
    """The row, locked; refuses unless it is (still) waiting for review — two examiners
    acting at once cannot both decide."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != Status.IN_REVIEW:
        raise ReviewRefused("review.not_in_review",
                            f"该申请当前为“{Status(locked.status).label}”，不在人工审查中",
                            f"the application is {locked.public_status()}, not in review")
    return locked
