"""Append-only, hash-chained audit trail (审计日志).

Entries form one chain per *stream* — an application's own events, and one stream per
chain step: each entry's hash covers its content and the previous entry's hash, so
removing or editing an entry breaks every hash after it. Per-stream chains keep parallel
workers from queueing on one global head while still making each record's history
tamper-evident.

A hash chain alone cannot show that its tail or a whole stream was deleted, nor that it
was rewritten with fresh hashes by someone who can write to the database. Signed
checkpoints (检查点) close those gaps: each one records, under the signing key, the head
of every stream written since the one before, so the checkpoints together are the
register of which streams exist and how far each reached (docs/audit-trail.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Entry(models.Model):
    """审计记录 — one event in one stream. Never updated or deleted (on PostgreSQL a
    trigger refuses both)."""

    stream = models.CharField(max_length=100)
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    # PROTECT: the id is part of the hash (digest version 2), so the account an entry names
    # must not be deleted (or nulled) from under it; deactivate accounts instead.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=64, blank=True)  # "system", "worker", user
    action = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # Which digest the hash is: 1 (before issue 8: the actor's id not covered), 2 (all
    # fields, RFC 8785 bytes). Old entries keep the digest they were written with.
    version = models.PositiveSmallIntegerField(default=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="one_entry_per_seq"),
        ]
        ordering = ["stream", "seq"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.action}"


class Checkpoint(models.Model):
    """审计检查点 — a signed statement of stream heads, chained to the checkpoint before.

    ``body`` is the signed document verbatim (RFC 8785 text); ``at`` and ``high_id`` repeat
    two of its members as columns so that the next checkpoint can find where to start
    without parsing, and verification checks that they agree with the body."""

    seq = models.PositiveIntegerField(unique=True)
    at = models.DateTimeField()
    high_id = models.BigIntegerField()
    body = models.TextField()
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=88)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"checkpoint {self.seq} ({self.at:%Y-%m-%d %H:%M})"
