"""What Yilian keeps about its departments.

- :class:`Effect` — the in-process simulators' ledger: what each simulated department
  has actually done. A real department keeps its own records; a simulator keeps them
  here so that tests can prove exactly-once effects: one effect per (department,
  idempotency key), and every reference number unique.
- :class:`DepartmentHealth` — each department's circuit breaker and last error.
- :class:`Reconciliation` — the runs of ``yilian reconcile``.
- :class:`SimulatorSettings` — the simulators' settings changed while running.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext_noop

from yilian.departments import simconfig


class Effect(models.Model):
    department = models.CharField(max_length=32)
    idempotency_key = models.CharField(max_length=64)
    reference = models.CharField(max_length=64, null=True, blank=True)
    data = models.JSONField(default=dict)
    calls = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "idempotency_key"],
                                    name="one_effect_per_key"),
            models.UniqueConstraint(fields=["department", "reference"],
                                    name="unique_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.reference}"


class CallbackReceipt(models.Model):
    """回调签收 — the signature of a department's callback Yilian accepted, kept for the
    replay window (docs/department-protocol.md §2): the same delivery played back finds
    its signature here and is refused. Pruned once past the window."""

    signature = models.CharField(max_length=80, unique=True)
    department = models.CharField(max_length=32)
    key = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.department} {self.key} {self.received_at:%H:%M:%S}"


class CircuitState(models.TextChoices):
    CLOSED = "closed", gettext_noop("正常")
    OPEN = "open", gettext_noop("已熔断")


class DepartmentHealth(models.Model):
    """部门连通状态 — one row per department: its circuit breaker (熔断) and the last
    things seen. Written by :mod:`yilian.departments.circuit`, read by the console."""

    code = models.CharField(max_length=32, unique=True)
    state = models.CharField(max_length=8, choices=CircuitState.choices,
                             default=CircuitState.CLOSED)
    consecutive_failures = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_probe_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "部门连通状态 department health"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.code} ({self.state})"


class Reconciliation(models.Model):
    """对账记录 — one run of ``yilian reconcile`` for one department: how many
    differences of each kind, and (truncated) which."""

    code = models.CharField(max_length=32)
    ran_at = models.DateTimeField()
    reachable = models.BooleanField(default=True)
    steps = models.PositiveIntegerField(default=0)
    effects = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    extra = models.PositiveIntegerField(default=0)
    mismatched = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "对账记录 reconciliation"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["code", "-ran_at"])]
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.ran_at:%Y-%m-%d %H:%M}"

    @property
    def differences(self) -> int:
        return self.missing + self.extra + self.mismatched

    @property
    def agrees(self) -> bool:
        return self.reachable and not self.differences


class SimulatorSettings(models.Model):
    """模拟器设置 — the in-process simulators' settings as changed while running (the
    admin, ``yilian simulate``). A field left empty means the environment's
    ``YILIAN_SIM_*`` value. One row (pk 1)."""

    latency_ms = models.CharField(
        "时延（毫秒） latency (ms)", max_length=32, null=True, blank=True,
        validators=[simconfig.validate_latency],
        help_text="e.g. 0, 50 or 20-80; empty: YILIAN_SIM_LATENCY_MS")
    failure_rate = models.FloatField(
        "故障率 failure rate", null=True, blank=True,
        validators=[simconfig.validate_failure_rate],
        help_text="0..1; empty: YILIAN_SIM_FAILURE_RATE")
    outages = models.CharField(
        "停机时段 outages", max_length=500, null=True, blank=True,
        validators=[simconfig.validate_outages],
        help_text="e.g. tax@02:00-03:30;seals@* ('-' for none); empty: YILIAN_SIM_OUTAGES")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "模拟器设置 simulator settings"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return "simulator settings"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # a singleton: the admin and the command edit the same row
        super().save(*args, **kwargs)
        # This process sees the change at once (and again once it is committed, should
        # a call have cached the old row meanwhile); others within simconfig's second.
        simconfig.forget()
        transaction.on_commit(simconfig.forget)
