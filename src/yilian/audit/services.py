"""Writing and checking the audit trail. Every state change calls :func:`record` in the
same transaction as the change, so an entry exists exactly when the change does."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yilian.audit.models import Entry

GENESIS = "0" * 64


def _digest(prev_hash: str, stream: str, seq: int, at: str, actor: str, action: str,
            data: dict[str, Any]) -> str:
    body = json.dumps([prev_hash, stream, seq, at, actor, action, data],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def record(stream: str, action: str, *, actor=None, actor_label: str = "",
           data: dict[str, Any] | None = None) -> Entry:
    """Append one entry to ``stream``. Safe under concurrency: two writers that pick the
    same sequence number collide on the unique constraint and the loser retries."""
    data = data or {}
    label = actor_label or (actor.get_username() if actor is not None else "system")
    for _ in range(20):
        last = Entry.objects.filter(stream=stream).order_by("-seq").only("seq", "hash").first()
        seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
        at = timezone.now()
        digest = _digest(prev, stream, seq, at.isoformat(), label, action, data)
        try:
            with transaction.atomic():
                return Entry.objects.create(
                    stream=stream, seq=seq, at=at, actor=actor, actor_label=label,
                    action=action, data=data, prev_hash=prev, hash=digest,
                )
        except IntegrityError:
            continue
    raise RuntimeError(f"audit stream {stream} is too contended")


def verify(stream: str) -> tuple[bool, str]:
    """Recompute a stream's hashes; ``(False, reason)`` at the first broken link."""
    prev = GENESIS
    expected_seq = 1
    for entry in Entry.objects.filter(stream=stream).order_by("seq"):
        if entry.seq != expected_seq:
            return False, f"entry {expected_seq} is missing"
        digest = _digest(prev, stream, entry.seq, entry.at.isoformat(), entry.actor_label,
                         entry.action, entry.data)
        if entry.prev_hash != prev or entry.hash != digest:
            return False, f"entry {entry.seq} ({entry.action}) does not match its hash"
        prev = entry.hash
        expected_seq += 1
    return True, "ok"


def stream_for_application(application_id) -> str:
    return f"application:{application_id}"
