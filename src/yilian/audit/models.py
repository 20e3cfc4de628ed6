"""Append-only, hash-chained audit trail (审计日志).

Entries form one chain per *stream* — an application's own events, and one stream per
chain step: each entry's hash covers its content and the previous entry's hash, so
removing or editing an entry breaks every hash after it. Per-stream chains keep parallel
workers from queueing on one global head while still making each record's history
tamper-evident.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Entry(models.Model):
    stream = models.CharField(max_length=100)
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=64, blank=True)  # "system", "worker", user
    action = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="one_entry_per_seq"),
        ]
        ordering = ["stream", "seq"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.action}"
