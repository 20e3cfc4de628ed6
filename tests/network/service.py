"""Yilian itself as processes, with its departments over HTTP — in the run's deployment:

- *embedded* (the SQLite pass): ``yilian serve`` with no database or broker configured —
  web and embedded worker threads in one process, its own SQLite file in its own data
  dir (not ``yilian demo``: its seeded chains were done by the in-process simulators, so
  the departments' ledgers could never match them);
- *production* (the PostgreSQL + Redis pass): ``yilian serve`` (gunicorn) and
  ``yilian worker`` (Celery on Redis) on the test's PostgreSQL database.

Either way the test drives it over HTTP as an agency's system would, reads its steps
from its database (the test's own connection, or the embedded file read-only) and runs
``yilian reconcile`` against it with the same environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import subprocess
import uuid
from pathlib import Path

from django.db import connection

from tests.e2e.processes import YILIAN, Client, child_env, free_port, kill, start, wait_for
from tests.e2e.test_production import (
    BROKER,
    ON_POSTGRES,
    prepare_example,
    serving,
)
from yilian.registry.synthetic import trade_name

PRODUCTION = bool(BROKER and ON_POSTGRES)

_STEPS_SQL = """
SELECT c.application_id, s.code, s.idempotency_key, s.reference, s.status
  FROM chain_step s JOIN chain_chain c ON c.id = s.chain_id
"""
_CODES_SQL = """
SELECT "to", body FROM accounts_outboxmessage WHERE kind = 'code'
 ORDER BY created_at DESC, id DESC
"""
USERNAME, PASSWORD = "agency-net", "s3cret-pass"
# One agency account on one address submits every chain of a test: the limits against SMS
# bombing and name squatting are for people, not for this. (Each party's number may still
# have only ten codes a day: at most ten chains of the example per test.)
LIMITS = {"YILIAN_CODES_PER_CLIENT": "1000", "YILIAN_CODES_PER_ACCOUNT": "1000",
          "YILIAN_MAX_NAMES_PER_ACCOUNT": "1000"}


class Yilian:
    """What the tests need of a running Yilian, whichever deployment it is."""

    client: Client
    env: dict[str, str]
    log: Path

    def submit(self, count: int) -> list[str]:
        """``count`` copies of the example application, each under its own name, first
        all confirmed by every party, then all submitted at once; their ids."""
        ids = [prepare_example(self.client, f"威海{trade_name(n)}科技有限公司",
                               self.code_for)["id"]
               for n in _names(count)]
        for app_id in ids:
            status, body = self.client.call("POST", f"/api/v1/applications/{app_id}/submit/")
            assert status == 202, body
        return ids

    def steps(self) -> list[dict]:
        """Every step Yilian has, straight from its database."""
        rows = self._query(_STEPS_SQL)
        return [{"application": str(uuid.UUID(str(app))), "code": code, "key": key,
                 "reference": reference, "status": status}
                for app, code, key, reference, status in rows]

    def audit(self, action: str) -> list[dict]:
        """The data of every audit-trail entry ``action`` (a department's late result is
        ``step.done`` with ``via: callback``)."""
        rows = self._query("SELECT data FROM audit_entry WHERE action = "
                           f"'{action}' ORDER BY id")
        return [json.loads(data) if isinstance(data, str) else data for (data,) in rows]

    def count(self, sql: str) -> int:
        return self._query(sql)[0][0]

    def application(self, app_id: str) -> dict:
        status, body = self.client.call("GET", f"/api/v1/applications/{app_id}/")
        assert status == 200, body
        return body

    def wait_completed(self, app_ids, timeout: float) -> None:
        pending = set(app_ids)

        def all_completed():
            for app_id in list(pending):
                if self.application(app_id)["status"] == "completed":
                    pending.discard(app_id)
            return not pending

        wait_for(all_completed, timeout, interval=0.5,
                 what=f"{len(pending)} chains to complete (logs: {self.log.parent})")

    def reconcile(self, *codes: str) -> subprocess.CompletedProcess:
        """``yilian reconcile`` as an operator runs it, against this Yilian."""
        return subprocess.run([YILIAN, "reconcile", *codes], env=self.env, text=True,
                              capture_output=True, timeout=120)

    def code_for(self, masked_phone: str) -> str:
        """The newest code texted to a (masked) number: outside demo mode no API shows
        codes, so the test reads what the SMS gateway would deliver, from the database."""
        head, tail = masked_phone[:3], masked_phone[-4:]
        body = next(body for to, body in self._query(_CODES_SQL)
                    if to[:3] == head and to[-4:] == tail)
        return re.search(r"\d{6}", body).group(0)

    def _query(self, sql: str) -> list[tuple]:
        raise NotImplementedError


_named = iter(range(10**6))


def _names(count: int) -> list[int]:
    # Offset from the factories' own counter's range, so no two applications of one test
    # run share a 字号 (the name check would refuse the second).
    return [3000 + next(_named) for _ in range(count)]


class Embedded(Yilian):
    """``yilian serve`` on the embedded default (SQLite, worker threads in the web
    process)."""

    def __init__(self, root: Path, departments_env: dict[str, str]) -> None:
        self.data_dir = root / "yilian"
        self.data_dir.mkdir()
        self.port = free_port()
        self.log = root / "yilian.log"
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root),
                    "YILIAN_DATA_DIR": str(self.data_dir), "YILIAN_DATABASE_URL": "",
                    "YILIAN_BROKER_URL": "", "YILIAN_SWEEP_SECONDS": "1",
                    "YILIAN_PUBLIC_URL": f"http://127.0.0.1:{self.port}",
                    **LIMITS, **departments_env}
        self.client = Client(f"http://127.0.0.1:{self.port}")

    @contextlib.contextmanager
    def running(self):
        proc = start(["serve", "--port", str(self.port)], self.env, self.log)
        try:
            wait_for(self.client.up, 90, interval=0.2,
                     what=f"yilian serve to answer (log: {self.log})")
            made = subprocess.run(
                [YILIAN, "manage", "shell", "-c",
                 "from django.contrib.auth import get_user_model; get_user_model()"
                 f".objects.create_user({USERNAME!r}, password={PASSWORD!r})"],
                env=self.env, capture_output=True, text=True, timeout=120)
            assert made.returncode == 0, made.stdout + made.stderr
            self.client.login(USERNAME, PASSWORD)
            yield self
        finally:
            kill(proc)

    def _query(self, sql: str) -> list[tuple]:
        db = sqlite3.connect(f"file:{self.data_dir / 'yilian.sqlite3'}?mode=ro", uri=True,
                             timeout=30)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()


class Production(Yilian):
    """``yilian serve`` + ``yilian worker`` on this test's PostgreSQL and Redis."""

    def __init__(self, root: Path, departments_env: dict[str, str]) -> None:
        self.root = root
        self.departments_env = {**LIMITS, **departments_env}

    @contextlib.contextmanager
    def running(self):
        import redis

        redis.Redis.from_url(BROKER).flushdb()  # no task of an earlier test lingers
        with serving(self.root, USERNAME, **self.departments_env) as (client, log):
            self.client, self.log = client, log
            port = client.base.rsplit(":", 1)[1]
            self.env = child_env(YILIAN_BROKER_URL=BROKER,
                                 YILIAN_PUBLIC_URL=f"http://127.0.0.1:{port}",
                                 **self.departments_env)
            yield self

    def _query(self, sql: str) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()


def deployment(root: Path, departments_env: dict[str, str]) -> Yilian:
    """The run's deployment: production on the PostgreSQL + Redis pass, embedded else."""
    return (Production if PRODUCTION else Embedded)(root, departments_env)
