"""The chain (一链办理): one :class:`Chain` per accepted application, one :class:`Step`
per department. The database is the source of truth; queues only wake workers.

A step's status moves forward only (DESIGN.md §2)::

    pending ─> running ─> done
                 │  ^
                 v  │
               retrying        running ─> failed (waits for a person) ─> retrying

    running ─> waiting (accepted by the department, 待部门办结) ─> done (callback)
                 ^  │
                 └──┘ (a poll claims it once expected_at + grace has passed)

A step that cannot start yet (everything after registration) is ``pending`` with no
``next_attempt_at``; registration sets it when it finishes.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop


class StepStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("待办")
    RUNNING = "running", gettext_noop("办理中")
    RETRYING = "retrying", gettext_noop("重试中")
    DONE = "done", gettext_noop("已办结")
    FAILED = "failed", gettext_noop("需人工处理")
    WAITING = "waiting", gettext_noop("待部门办结")


# The transitions the engine may make; anything else is a bug and raises.
TRANSITIONS: dict[str, set[str]] = {
    StepStatus.PENDING: {StepStatus.RUNNING, StepStatus.DONE},
    StepStatus.RUNNING: {StepStatus.DONE, StepStatus.RETRYING, StepStatus.FAILED,
                         StepStatus.RUNNING, StepStatus.WAITING},
    # A late refusal (callback) may find the step between tries, or waiting.
    StepStatus.RETRYING: {StepStatus.RUNNING, StepStatus.DONE, StepStatus.FAILED},
    StepStatus.WAITING: {StepStatus.RUNNING, StepStatus.DONE, StepStatus.FAILED},
    StepStatus.FAILED: {StepStatus.RETRYING, StepStatus.DONE},
    StepStatus.DONE: set(),
}

# A waiting step is "ready" once its next_attempt_at (expected_at + grace) passes: the
# claim then makes it a poll.
READY_STATUSES = (StepStatus.PENDING, StepStatus.RETRYING, StepStatus.WAITING)


class Chain(models.Model):
    """一链 — the departments' steps for one accepted application, on one SLA clock."""

    application = models.OneToOneField("forms.Application", on_delete=models.PROTECT,
                                       related_name="chain")
    #: The application's purpose (establish, change, close), copied at acceptance: the
    #: order of the steps follows it (:func:`yilian.departments.steps.prerequisites`).
    purpose = models.CharField(max_length=12, default="establish")
    accepted_at = models.DateTimeField("受理时间")
    deadline_at = models.DateTimeField("承诺时限")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["finished_at", "deadline_at"])]

    def __str__(self) -> str:
        return f"chain {self.pk} for {self.application_id}"

    @property
    def status(self) -> str:
        return "completed" if self.finished_at else "processing"

    @property
    def duration(self) -> dt.timedelta | None:
        return self.finished_at - self.accepted_at if self.finished_at else None

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        end = self.finished_at or now or timezone.now()
        return end > self.deadline_at


class Step(models.Model):
    """One department's part of the chain (e.g. 设立登记, 印章刻制, 涉税事项)."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="steps")
    code = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=StepStatus.choices,
                              default=StepStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    payload = models.JSONField("报送内容 what the department is sent", default=dict,
                               blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField("部门业务编号 department reference", max_length=64,
                                 blank=True)
    result = models.JSONField(default=dict, blank=True)
    last_error = models.TextField(blank=True)
    overdue_at = models.DateTimeField("超时标记 flagged overdue", null=True, blank=True)
    expected_at = models.DateTimeField("预计办结 expected by the department", null=True,
                                       blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "code"], name="one_step_per_department"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["code", "status"]),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code} ({self.status})"

    @property
    def waiting_on(self) -> str | None:
        """Who must act next: ``"department"`` (it accepted the request, or is being
        asked again), ``"person"`` (the step stopped for an officer), else None."""
        if self.status in (StepStatus.WAITING, StepStatus.RETRYING):
            return "department"
        return "person" if self.status == StepStatus.FAILED else None

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        """Past its chain's promised deadline (承诺时限), unfinished or finished late."""
        end = self.finished_at or now or timezone.now()
        return end > self.chain.deadline_at

    def move_to(self, status: str) -> None:
        """Change status, refusing any move the state machine does not allow."""
        if status not in TRANSITIONS[self.status]:
            raise ValueError(f"step {self.pk}: {self.status} -> {status} is not allowed")
        self.status = status


class Lease(models.Model):
    """A lease (租约) on a job that one process at a time must run — the sweeper: who
    holds it and until when, by the database's clock (:mod:`yilian.chain.lease`)."""

    name = models.CharField(max_length=32, primary_key=True)
    holder = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    acquired_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at}"
