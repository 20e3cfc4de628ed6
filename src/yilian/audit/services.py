"""Writing and checking the audit trail. Every state change calls :func:`record` in the
same transaction as the change, so an entry exists exactly when the change does."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import connection
from django.utils import timezone

from yilian.audit.models import Entry

GENESIS = "0" * 64


def _digest(prev_hash: str, stream: str, seq: int, at: str, actor: str, action: str,
            data: dict[str, Any]) -> str:
    body = json.dumps([prev_hash, stream, seq, at, actor, action, data],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(body.encode()).hexdigest()


_LAST = "SELECT seq, hash FROM audit_entry WHERE stream = %s ORDER BY seq DESC LIMIT 1"
_INSERT = (
    "INSERT INTO audit_entry (stream, seq, at, actor_id, actor_label, action, data, "
    "prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (stream, seq) DO NOTHING"
)


def record(stream: str, action: str, *, actor=None, actor_label: str = "",
           data: dict[str, Any] | None = None) -> None:
    """Append one entry to ``stream``. Safe under concurrency: two writers that pick the
    same sequence number collide on the unique constraint, and the loser (whose insert
    did nothing) reads the new head and tries again — no savepoint needed.

    Written in SQL rather than through the ORM: every state change of every step writes
    here, and query compilation was most of its cost (docs/BENCHMARKS.md)."""
    data = data or {}
    label = actor_label or (actor.get_username() if actor is not None else "system")
    actor_id = actor.pk if actor is not None else None
    ops = connection.ops
    for _ in range(20):
        with connection.cursor() as cursor:
            cursor.execute(_LAST, [stream])
            last = cursor.fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        at = timezone.now()
        digest = _digest(prev, stream, seq, at.isoformat(), label, action, data)
        body = json.dumps(data, ensure_ascii=False, default=str)
        with connection.cursor() as cursor:
            cursor.execute(_INSERT, [stream, seq, ops.adapt_datetimefield_value(at),
                                     actor_id, label, action, body, prev, digest])
            if cursor.rowcount == 1:
                return
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


def stream_for_step(application_id, code: str) -> str:
    """A step's own stream. Parallel steps of one chain each append to theirs, so their
    workers never wait on one another for the next sequence number."""
    return f"application:{application_id}/{code}"


def verify_application(application_id) -> tuple[bool, str]:
    """Verify the application's stream and every one of its steps' streams."""
    prefix = stream_for_application(application_id)
    streams = (Entry.objects.filter(stream__startswith=prefix).values_list("stream", flat=True)
               .distinct().order_by("stream"))
    for stream in streams:
        ok, reason = verify(stream)
        if not ok:
            return False, f"{stream}: {reason}"
    return True, "ok"
