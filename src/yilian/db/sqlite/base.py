"""SQLite backend for the embedded default: one in-process queue for the write lock.

SQLite lets one writer in at a time; a writer that finds the database locked sleeps in
steps of up to 100 ms (the busy handler) before it looks again. With the web server and
the embedded worker's threads in one process, that sleeping — not the work — dominated
chain latency. Write transactions (Django opens them with ``BEGIN IMMEDIATE``) therefore
first take a process-wide lock, so threads of this process queue and wake at once; other
processes (a CLI import beside the demo) still meet the busy timeout as usual.
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.db.backends.sqlite3 import base

from yilian.files import make_private

_writer = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_writer = False

    def get_new_connection(self, conn_params):
        # Made 0600 before SQLite opens it: SQLite gives its -wal and -shm files the
        # database file's mode, so all three stay private (yilian.files).
        name = str(conn_params.get("database", ""))
        if name and name != ":memory:" and not name.startswith("file:"):
            try:
                make_private(Path(name))
            except OSError as exc:  # as SQLite itself would say: the database is down
                raise self.Database.OperationalError(
                    f"unable to open database file: {exc}") from exc
        return super().get_new_connection(conn_params)

    def _start_transaction_under_autocommit(self):
        _writer.acquire()
        self._holds_writer = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self._holds_writer:
            self._holds_writer = False
            _writer.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
