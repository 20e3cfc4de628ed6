"""The reference department's own ledger (部门台账): an SQLite file in its data dir.

Never Yilian's database — the department is another organisation's system. One row per
idempotency key (``requests``; ``serial`` numbers its references, so they are unique by
construction and guarded by a unique index), the callbacks still to deliver
(``deliveries``), the signatures accepted within the replay window (``signatures``) and
the fault settings in force (``settings``). Everything a restart must resume — accepted
requests not yet done, callbacks not yet acknowledged — is a row here, written in the
same transaction as the change that caused it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    serial INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    request TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'done', 'refused')),
    reference TEXT UNIQUE,
    data TEXT,
    reason TEXT,
    created_at REAL NOT NULL,
    due_at REAL,
    completed_at REAL,
    done_seq INTEGER UNIQUE,
    calls INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS requests_due ON requests (due_at) WHERE status = 'accepted';
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    key TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    due_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at REAL,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (due_at) WHERE delivered_at IS NULL;
CREATE TABLE IF NOT EXISTS signatures (
    signature TEXT PRIMARY KEY,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class KeyReused(Exception):
    """The same idempotency key came with a different request."""


@dataclass(frozen=True)
class Row:
    """One request as the ledger holds it."""

    serial: int
    key: str
    request: dict[str, Any]
    status: str
    reference: str | None
    data: dict[str, Any] | None
    reason: dict[str, Any] | None
    created_at: float
    due_at: float | None
    completed_at: float | None
    calls: int

    @classmethod
    def read(cls, row: sqlite3.Row) -> Row:
        def loaded(name: str):
            return json.loads(row[name]) if row[name] is not None else None

        return cls(row["serial"], row["key"], json.loads(row["request"]), row["status"],
                   row["reference"], loaded("data"), loaded("reason"), row["created_at"],
                   row["due_at"], row["completed_at"], row["calls"])


@dataclass(frozen=True)
class Delivery:
    id: int
    event_id: str
    key: str
    url: str
    body: bytes
    attempts: int


class Ledger:
    """The ledger file, one connection per thread (SQLite connections are not shared)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        # Private from the first byte, like every file in a data dir (yilian.files);
        # SQLite gives its -wal and -shm files the same mode.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._db().executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                 check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            # WAL with NORMAL survives a killed process (not a power cut): the
            # reference system's promise is about SIGKILL, and it keeps it fast.
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock at once (no upgrade deadlocks)."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def read(self) -> sqlite3.Connection:
        return self._db()

    # --- requests ----------------------------------------------------------------------

    def find(self, key: str, db: sqlite3.Connection | None = None) -> Row | None:
        row = (db or self._db()).execute("SELECT * FROM requests WHERE key = ?",
                                         (key,)).fetchone()
        return Row.read(row) if row else None

    def ask(self, db: sqlite3.Connection, key: str, fingerprint: str,
            request: dict[str, Any], now: float, due_at: float | None) -> tuple[Row, bool]:
        """The row for ``key``, counting this call; made (status accepted) when new.
        Returns it and whether this call made it. A new key costs one statement and no
        read-back: the row is what was just written."""
        made = db.execute(
            "INSERT INTO requests (key, fingerprint, request, status, created_at, due_at)"
            " VALUES (?, ?, ?, 'accepted', ?, ?) ON CONFLICT (key) DO NOTHING"
            " RETURNING serial",
            (key, fingerprint, json.dumps(request, ensure_ascii=False), now, due_at)
        ).fetchall()  # all of it: a RETURNING statement left open would hold the commit
        if made:
            return Row(made[0][0], key, request, "accepted", None, None, None, now, due_at,
                       None, 1), True
        found = db.execute("SELECT fingerprint FROM requests WHERE key = ?", (key,)).fetchone()
        if found["fingerprint"] != fingerprint:
            raise KeyReused(key)
        db.execute("UPDATE requests SET calls = calls + 1 WHERE key = ?", (key,))
        return self.find(key, db), False

    def finish(self, db: sqlite3.Connection, serial: int, now: float, *,
               reference: str | None = None, data: dict | None = None,
               reason: dict | None = None) -> None:
        """Record the act's result: done (reference, data) or refused (reason)."""
        if reason is not None:
            db.execute("UPDATE requests SET status = 'refused', reason = ?, completed_at = ?"
                       " WHERE serial = ?", (json.dumps(reason, ensure_ascii=False), now,
                                             serial))
            return
        db.execute(
            "UPDATE requests SET status = 'done', reference = ?, data = ?, completed_at = ?,"
            " done_seq = (SELECT COALESCE(MAX(done_seq), 0) + 1 FROM requests)"
            " WHERE serial = ?", (reference, json.dumps(data, ensure_ascii=False), now, serial))

    def due(self, db: sqlite3.Connection, now: float, limit: int = 100) -> list[Row]:
        rows = db.execute("SELECT * FROM requests WHERE status = 'accepted' AND due_at <= ?"
                          " ORDER BY due_at LIMIT ?", (now, limit)).fetchall()
        return [Row.read(r) for r in rows]

    def next_due(self) -> float | None:
        """The earliest time background work is due: an accepted request to finish or a
        callback to deliver (``None``: nothing waits)."""
        return self._db().execute(
            "SELECT MIN(due_at) FROM (SELECT MIN(due_at) AS due_at FROM requests"
            " WHERE status = 'accepted' UNION ALL SELECT MIN(due_at) FROM deliveries"
            " WHERE delivered_at IS NULL)").fetchone()[0]

    def effects(self, after: int, limit: int) -> tuple[list[dict[str, Any]], int | None]:
        """Done effects in the order they were done, after cursor ``after``; the page and
        the next cursor (``None`` on the last page)."""
        rows = self._db().execute(
            "SELECT key, reference, completed_at, calls, done_seq FROM requests"
            " WHERE done_seq > ? ORDER BY done_seq LIMIT ?", (after, limit + 1)).fetchall()
        page = rows[:limit]
        more = len(rows) > limit
        return ([{"key": r["key"], "reference": r["reference"], "status": "done",
                  "completed_at": r["completed_at"], "calls": r["calls"]} for r in page],
                page[-1]["done_seq"] if more else None)

    # --- callbacks ---------------------------------------------------------------------

    def enqueue(self, db: sqlite3.Connection, event_id: str, key: str, url: str,
                body: bytes, due_times: list[float]) -> None:
        db.executemany("INSERT INTO deliveries (event_id, key, url, body, due_at)"
                       " VALUES (?, ?, ?, ?, ?)",
                       [(event_id, key, url, body.decode(), due) for due in due_times])

    def deliveries_due(self, now: float, busy: set[int], limit: int = 50) -> list[Delivery]:
        rows = self._db().execute(
            "SELECT id, event_id, key, url, body, attempts FROM deliveries"
            " WHERE delivered_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?",
            (now, limit + len(busy))).fetchall()
        return [Delivery(r["id"], r["event_id"], r["key"], r["url"], r["body"].encode(),
                         r["attempts"]) for r in rows if r["id"] not in busy][:limit]

    def delivered(self, delivery_id: int, now: float) -> None:
        with self.write() as db:
            db.execute("UPDATE deliveries SET delivered_at = ?, attempts = attempts + 1"
                       " WHERE id = ?", (now, delivery_id))

    def retry_later(self, delivery_id: int, due_at: float, error: str) -> None:
        with self.write() as db:
            db.execute("UPDATE deliveries SET due_at = ?, attempts = attempts + 1,"
                       " last_error = ? WHERE id = ?", (due_at, error[:500], delivery_id))

    def pending_deliveries(self) -> int:
        return self._db().execute(
            "SELECT COUNT(*) FROM deliveries WHERE delivered_at IS NULL").fetchone()[0]

    # --- replay window and settings ----------------------------------------------------

    def remember(self, signature: str, expires_at: float,
                 db: sqlite3.Connection | None = None) -> None:
        """Keep an accepted signature until ``expires_at`` (in ``db``'s transaction, or
        one of its own), so a restart still refuses its replay."""
        if db is None:
            with self.write() as db:
                self.remember(signature, expires_at, db)
            return
        db.execute("INSERT OR IGNORE INTO signatures VALUES (?, ?)", (signature, expires_at))

    def signatures(self, now: float) -> dict[str, float]:
        """The signatures kept and not yet expired, with their expiry."""
        return dict(self._db().execute(
            "SELECT signature, expires_at FROM signatures WHERE expires_at >= ?",
            (now,)).fetchall())

    def forget_signatures(self, now: float) -> None:
        with self.write() as db:
            db.execute("DELETE FROM signatures WHERE expires_at < ?", (now,))

    def setting(self, name: str) -> str | None:
        row = self._db().execute("SELECT value FROM settings WHERE name = ?",
                                 (name,)).fetchone()
        return row["value"] if row else None

    def set_setting(self, name: str, value: str) -> None:
        with self.write() as db:
            db.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT (name)"
                       " DO UPDATE SET value = excluded.value", (name, value))
