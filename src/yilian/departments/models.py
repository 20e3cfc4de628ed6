"""The simulators' ledger: what each simulated department has actually done.

A real department keeps its own records; a simulator keeps them here so that tests can
prove exactly-once effects: one :class:`Effect` per (department, idempotency key), and
every reference number unique.
"""

from __future__ import annotations

from django.db import models


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
