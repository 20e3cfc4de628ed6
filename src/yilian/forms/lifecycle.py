"""How an application ends without a company: withdrawn (撤回) by its applicant,
expired (过期) as a draft nobody touched, or — a draft never submitted — deleted (删除草稿)
by its applicant. Each way it releases what it held — its name above all, so that names
cannot be squatted by applications left lying about.

Statuses beyond DESIGN.md §5's list (``withdrawn``, ``expired``): see docs/DECISIONS.md.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from yilian.audit.services import record, stream_for_application
from yilian.forms.models import Application, Status
from yilian.forms.services import release_name

log = logging.getLogger("yilian.forms")

WITHDRAWABLE = frozenset({Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW,
                          Status.RETURNED})


class NotWithdrawable(Exception):
    """Only an application not yet accepted (or decided against) can be withdrawn."""

    code = "application.not_withdrawable"

    def __init__(self, application: Application) -> None:
        label = Status(application.status).label
        self.message_zh = (f"申请已处于“{label}”状态，只有草稿、已提交、人工审查中或退回补正"
                           "的申请可以撤回")
        self.message_en = (f"the application is {application.public_status()}; only drafts "
                           "and submitted, in-review or returned applications can be "
                           "withdrawn")
        super().__init__(self.message_en)


def withdraw_application(application: Application, actor) -> Application:
    """撤回 — the applicant takes the application back: status ``withdrawn``, its name
    released. The owner alone may; staff return or reject instead."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.owner_id != actor.pk:
            raise PermissionDenied("only the applicant may withdraw this application")
        if locked.status not in WITHDRAWABLE:
            raise NotWithdrawable(locked)
        before = locked.status
        locked.status = Status.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        released = release_name(locked, Status.WITHDRAWN)
        record(stream_for_application(locked.pk), "application.withdrawn", actor=actor,
               data={"from": before, "names_released": released})
    return locked


class NotDeletable(Exception):
    """Only a draft never submitted can be deleted; anything submitted once (returned,
    in review …) is withdrawn instead, so that its record stays."""

    code = "application.not_deletable"

    def __init__(self, application: Application) -> None:
        label = Status(application.status).label
        self.message_zh = f"申请已处于“{label}”状态，只有从未提交的草稿可以删除"
        self.message_en = (f"the application is {application.public_status()}; only a "
                           "draft never submitted can be deleted")
        super().__init__(self.message_en)


def is_deletable(application: Application) -> bool:
    """A draft never submitted (the owner alone may delete it)."""
    return (application.status == Status.DRAFT and application.submitted_at is None
            # A general closing whose liquidation group is filed in the register (清算组
            # 备案) is a liquidation under way, not a draft to throw away.
            and not _group_filed(Application.objects.filter(pk=application.pk)).exists())


def _group_filed(applications):
    return applications.filter(closure__group_filed_at__isnull=False)


def check_deletable(application: Application, actor) -> None:
    """The owner alone deletes, and only a draft never submitted."""
    if application.owner_id != actor.pk:
        raise PermissionDenied("only the applicant may delete this draft")
    if not is_deletable(application):
        raise NotDeletable(application)


def delete_draft(application: Application, actor) -> None:
    """删除草稿 — the applicant deletes a draft they never submitted: whatever it holds is
    released first, then the draft and its rows (investors, people, employees, parties)
    are deleted. The audit trail keeps that it existed and who deleted it (not what it
    said: a deleted draft's personal data goes with it)."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        check_deletable(locked, actor)
        # The holder gives the name up (names.ReleaseReason.HOLDER): the draft goes.
        released = release_name(locked, "holder")
        record(stream_for_application(locked.pk), "application.deleted", actor=actor,
               data={"name": locked.name, "created_at": locked.created_at.isoformat(),
                     "names_released": released})
        locked.delete()


def draft_deadline(now: dt.datetime | None = None) -> dt.datetime:
    """Drafts last touched before this have expired (``settings.DRAFT_DAYS``)."""
    return (now or timezone.now()) - dt.timedelta(days=settings.DRAFT_DAYS)


def expire_drafts(now: dt.datetime | None = None) -> int:
    """过期 — every draft untouched for ``settings.DRAFT_DAYS`` days becomes ``expired``:
    it can no longer be edited or submitted, and releases whatever it held. Idempotent
    and safe to run from several processes at once (each draft is re-checked under its
    row lock); returns how many expired now. The sweeper runs it; so does
    ``yilian manage expire_drafts``."""
    cutoff = draft_deadline(now)
    expired = 0
    stale = Application.objects.filter(status=Status.DRAFT, updated_at__lt=cutoff)
    # A general closing's draft waits out its 45-day creditors' notice: it does not expire.
    stale = stale.exclude(pk__in=_group_filed(stale).values("pk"))
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            draft = (Application.objects.select_for_update()
                     .filter(pk=pk, status=Status.DRAFT, updated_at__lt=cutoff).first())
            if draft is None:  # edited or expired meanwhile
                continue
            # .update(): the row's updated_at keeps the day it was last touched.
            Application.objects.filter(pk=pk).update(status=Status.EXPIRED)
            released = release_name(draft, Status.EXPIRED)
            record(stream_for_application(pk), "application.expired", actor=None,
                   data={"last_touched": draft.updated_at.isoformat(),
                         "draft_days": settings.DRAFT_DAYS, "names_released": released})
            expired += 1
    if expired:
        log.info("%d draft(s) expired", expired)
    return expired
