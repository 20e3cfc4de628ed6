"""Writing and checking the audit trail. Every state change calls :func:`record` in the
same transaction as the change, so an entry exists exactly when the change does.

Checkpoints and the verification of the whole trail live beside this module
(:mod:`yilian.audit.checkpoints`, :mod:`yilian.audit.verification`); this one stays the
hot path: two statements per entry, no more (one when this process wrote the stream's
head)."""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yilian.audit.models import Entry
from yilian.db import prepared
from yilian.licenses import jcs

GENESIS = "0" * 64
VERSION = 2  # the digest every new entry is written with


def _digest_v1(prev_hash: str, stream: str, seq: int, at: str, actor: str, action: str,
               data: dict[str, Any]) -> str:
    """Entries written before issue 8: the actor's id was not covered."""
    body = json.dumps([prev_hash, stream, seq, at, actor, action, data],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _digest_v2(prev_hash: str, stream: str, seq: int, at: str, actor_id: int | None,
               actor: str, action: str, data: Any) -> str:
    """SHA-256 of the RFC 8785 bytes of every field, the version first so that an entry
    cannot be passed off under the older, weaker digest."""
    body = jcs.canonical([2, prev_hash, stream, seq, at, actor_id, actor, action, data])
    return hashlib.sha256(body).hexdigest()


def entry_digest(entry: Entry) -> str:
    """The hash ``entry`` should have, by the digest it was written with."""
    at = entry.at.isoformat()
    if entry.version == 1:
        return _digest_v1(entry.prev_hash, entry.stream, entry.seq, at, entry.actor_label,
                          entry.action, entry.data)
    if entry.version == 2:
        return _digest_v2(entry.prev_hash, entry.stream, entry.seq, at, entry.actor_id,
                          entry.actor_label, entry.action, entry.data)
    return ""  # an unknown version never matches


def _plain(value: Any) -> Any:
    """``value`` as plain JSON that reads back identically from either database's JSON
    column: anything else (dates, decimals, ids) as text, as before; numbers that a
    double or PostgreSQL's numeric would not give back as written, as text too."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) <= jcs.MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) and abs(value) < 2**53 else str(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)


_LAST = "SELECT seq, hash FROM audit_entry WHERE stream = %s ORDER BY seq DESC LIMIT 1"
_COLUMNS = ("INSERT INTO audit_entry (stream, seq, at, actor_id, actor_label, action, data, "
            "prev_hash, hash, version) ")
_INSERT = _COLUMNS + "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) " \
    "ON CONFLICT (stream, seq) DO NOTHING"
# After a head this process saw committed: inserted only if that head is still there
# (the entry it links to exists), and — by the unique (stream, seq) — still the head.
_INSERT_AFTER = _COLUMNS + "SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s WHERE EXISTS (" \
    "SELECT 1 FROM audit_entry WHERE stream = %s AND seq = %s AND hash = %s) " \
    "ON CONFLICT (stream, seq) DO NOTHING"


class _Heads:
    """The last entry of each stream this process appended and saw committed, so that the
    next append to it (a step's "running" then "done"; an application's "chain.started",
    "license.issued", "chain.completed") skips reading the head: one statement, not two.

    Only a guess: the insert links to it only if it is still the stream's head in the
    database, checked by that same statement; otherwise the append reads the head as
    before. Shared on commit only, so another thread never links to an entry it cannot
    see yet; the thread that wrote it links to it at once (:meth:`written`: a step's
    "running" and "done" in one transaction, :mod:`yilian.chain.at_once`) — should that
    transaction roll back, its next append there reads the head. Bounded: the oldest
    streams are forgotten (a stream is written a few times, within seconds)."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._heads: OrderedDict[str, tuple[int, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._mine = threading.local()  # this thread's entries not yet committed

    def _pending(self) -> dict[str, tuple[int, str]]:
        pending = getattr(self._mine, "heads", None)
        if pending is None or len(pending) > self.LIMIT:  # rolled-back ones pile up
            pending = self._mine.heads = {}
        return pending

    def get(self, stream: str) -> tuple[int, str] | None:
        mine = self._pending().get(stream)
        if mine is not None:
            return mine
        with self._lock:
            return self._heads.get(stream)

    def written(self, stream: str, seq: int, digest: str) -> None:
        """An entry this thread inserted: its head for this thread now, everyone's once
        its transaction commits."""
        self._pending()[stream] = (seq, digest)
        transaction.on_commit(partial(self._committed, stream, seq, digest))

    def _committed(self, stream: str, seq: int, digest: str) -> None:
        pending = self._pending()
        if pending.get(stream) == (seq, digest):
            del pending[stream]
        self.put(stream, seq, digest)

    def put(self, stream: str, seq: int, digest: str) -> None:
        with self._lock:
            known = self._heads.get(stream)
            if known is None or known[0] <= seq:
                self._heads[stream] = (seq, digest)
                self._heads.move_to_end(stream)
                while len(self._heads) > self.LIMIT:
                    self._heads.popitem(last=False)

    def forget(self) -> None:
        with self._lock:
            self._heads.clear()
        self._mine.heads = {}


heads = _Heads()


def record(stream: str, action: str, *, actor=None, actor_label: str = "",
           data: dict[str, Any] | None = None, new_stream: bool = False) -> None:
    """Append one entry to ``stream``. Safe under concurrency: two writers that pick the
    same sequence number collide on the unique constraint, and the loser (whose insert
    did nothing) reads the new head and tries again — no savepoint needed. The head this
    process last committed is tried first, without reading it (:class:`_Heads`); with
    ``new_stream`` (the caller's guess: a step's first claim), the stream's first entry
    is — a wrong guess only costs the read it would have made anyway.

    Written in SQL rather than through the ORM: every state change of every step writes
    here, and query compilation was most of its cost (docs/BENCHMARKS.md)."""
    data = _plain(data or {})
    label = actor_label or (actor.get_username() if actor is not None else "system")
    actor_id = actor.pk if actor is not None else None
    body = json.dumps(data, ensure_ascii=False)
    ops = connection.ops
    guess = heads.get(stream)
    first = guess is None and new_stream
    with prepared.cursor() as cursor:
        for _ in range(20):
            if guess is not None:
                (last_seq, prev), guess = guess, None
                seq, statement, linked = last_seq + 1, _INSERT_AFTER, [stream, last_seq, prev]
            elif first:  # taken by another entry: the insert does nothing, and we read
                first, seq, prev, statement, linked = False, 1, GENESIS, _INSERT, []
            else:
                cursor.execute(_LAST, [stream])
                last = cursor.fetchone()
                seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
                statement, linked = _INSERT, []
            at = timezone.now()
            digest = _digest_v2(prev, stream, seq, at.isoformat(), actor_id, label, action,
                                data)
            cursor.execute(statement, [stream, seq, ops.adapt_datetimefield_value(at), actor_id,
                                       label, action, body, prev, digest, VERSION, *linked])
            if cursor.rowcount == 1:
                heads.written(stream, seq, digest)
                return
    raise RuntimeError(f"audit stream {stream} is too contended")


def record_many(entries: list[tuple[str, str, dict[str, Any], bool]], *,
                actor_label: str) -> None:
    """Append one entry to each of several distinct streams, as :func:`record` would
    append each — ``entries`` holds ``(stream, action, data, new_stream)`` — in one
    statement where this process knows the stream's head or the stream is new (a
    chain's followers, claimed or recorded together: docs/BENCHMARKS.md). Each row is
    inserted only if its link holds, checked by the statement itself; any row that did
    not go in, and any stream whose head is unknown, is appended by :func:`record`."""
    if len({stream for stream, *_ in entries}) != len(entries):
        raise ValueError("record_many appends one entry per stream")
    if connection.vendor != "postgresql" or len(entries) < 2:
        for stream, action, data, new_stream in entries:
            record(stream, action, actor_label=actor_label, data=data, new_stream=new_stream)
        return
    rows, later = [], []
    for stream, action, data, new_stream in entries:
        guess = heads.get(stream)
        if guess is None and not new_stream:
            later.append((stream, action, data, new_stream))
            continue
        seq, prev = (guess[0] + 1, guess[1]) if guess else (1, GENESIS)
        data = _plain(data or {})
        at = timezone.now()
        digest = _digest_v2(prev, stream, seq, at.isoformat(), None, actor_label, action,
                            data)
        rows.append(((stream, action, data, new_stream),
                     [stream, seq, at, actor_label, action,
                      json.dumps(data, ensure_ascii=False), prev, digest]))
    if rows:
        with prepared.cursor() as cursor:
            cursor.execute(_insert_many(len(rows)), [v for _, row in rows for v in row])
            went_in = {stream for (stream,) in cursor.fetchall()}
        for entry, (stream, seq, *_, digest) in rows:
            if stream in went_in:
                heads.written(stream, seq, digest)
            else:  # its head moved, or a new stream was not new: read it, as ever
                later.append(entry)
    for stream, action, data, _new in later:
        record(stream, action, actor_label=actor_label, data=data)


def _insert_many(count: int) -> str:
    """Rows (stream, seq, at, actor_label, action, data, prev_hash, hash) linked to their
    stream's head: the first of a stream, or after the entry it names."""
    values = ", ".join(["(%s::text, %s::int, %s::timestamptz, %s::text, %s::text, "
                        "%s::jsonb, %s::text, %s::text)"] * count)
    return (_COLUMNS + "SELECT v.stream, v.seq, v.at, NULL, v.actor_label, v.action, "
            f"v.data, v.prev_hash, v.hash, {VERSION} FROM (VALUES {values}) AS v(stream, "
            "seq, at, actor_label, action, data, prev_hash, hash) WHERE (v.seq = 1 AND "
            f"v.prev_hash = '{GENESIS}') OR EXISTS (SELECT 1 FROM audit_entry p WHERE "
            "p.stream = v.stream AND p.seq = v.seq - 1 AND p.hash = v.prev_hash) "
            "ON CONFLICT (stream, seq) DO NOTHING RETURNING stream")


def chain_break(entries) -> tuple[int, str, str] | None:
    """The first broken link of one stream's entries (in ``seq`` order), as ``(seq,
    Chinese, English)``, or None when every hash matches and no number is skipped."""
    prev = GENESIS
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            return (expected_seq, f"第{expected_seq}条记录缺失",
                    f"entry {expected_seq} is missing")
        if entry.prev_hash != prev or entry.hash != entry_digest(entry):
            return (entry.seq, f"第{entry.seq}条记录（{entry.action}）与其哈希不符",
                    f"entry {entry.seq} ({entry.action}) does not match its hash")
        prev = entry.hash
        expected_seq += 1
    return None


def verify(stream: str) -> tuple[bool, str]:
    """Recompute a stream's hashes; ``(False, reason)`` at the first broken link. This
    sees edits and gaps inside the stream; a deleted tail, a deleted stream or a stream
    rewritten with fresh hashes take the checkpoints (``yilian audit verify``)."""
    broken = chain_break(Entry.objects.filter(stream=stream).order_by("seq"))
    return (True, "ok") if broken is None else (False, broken[2])


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
