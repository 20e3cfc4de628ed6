"""Starting and stopping real Yilian processes for end-to-end tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from django.db import connection

YILIAN = str(Path(sys.executable).with_name("yilian"))
BROKER = os.environ.get("YILIAN_TEST_BROKER_URL", "")
ON_POSTGRES = os.environ.get("YILIAN_DATABASE_URL", "").startswith("postgres")
#: The marks of a test that starts production workers (PostgreSQL + Redis suite only).
PRODUCTION_WORKERS = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(not (BROKER and ON_POSTGRES),
                       reason="runs in the PostgreSQL + Redis suite"),
]


# Ports handed out so far in this run: a port is free when it is tested, not when the
# process it is for binds it, so none is handed out twice.
_given: set[int] = set()


#: Where test servers listen unless ``YILIAN_TEST_PORTS`` says otherwise: below Linux's
#: ephemeral range (32768–60999), so no outgoing connection takes a port between its
#: probe here and the child's bind, and split between the xdist workers. With ports the
#: kernel picked (port 0), two workers could both be handed a port freed a moment
#: before, and one test then speak to the other's process until it went away — what a
#: "connection refused" to a department process that had answered its health check
#: looked like (tests/deptsim/test_kinds.py, CI on 2026-11-30; it passed alone).
DEFAULT_PORTS = "20000-29999"


def free_port() -> int:
    """A free port on 127.0.0.1, from ``YILIAN_TEST_PORTS`` (``LOW-HIGH``; on a machine
    shared by several runs, each keeps to its own range) or :data:`DEFAULT_PORTS`, this
    test process's share of it."""
    span = os.environ.get("YILIAN_TEST_PORTS", "") or DEFAULT_PORTS
    low, high = _own_share(*(int(end) for end in span.split("-")))
    candidates = [p for p in range(low, high + 1) if p not in _given]
    for candidate in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port = s.getsockname()[1]
            _given.add(port)
            return port
    raise AssertionError(f"no free port left in YILIAN_TEST_PORTS={span}")


def _own_share(low: int, high: int) -> tuple[int, int]:
    """This test process's part of the range: pytest-xdist's workers each remember only
    the ports they gave, so two of them scanning the same range from its start handed out
    the same port to two department processes."""
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
    size = (high - low + 1) // max(count, 1)
    if size < 1:
        raise AssertionError(f"YILIAN_TEST_PORTS={low}-{high} is too small for {count} "
                             "test processes")
    return low + index * size, low + (index + 1) * size - 1


def database_url() -> str:
    """The URL of the database this test runs on, for child processes."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return ""


def child_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "YILIAN_DATABASE_URL": database_url()}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    # A session of its own, so a kill reaches the process and all its children.
    return subprocess.Popen([YILIAN, *args], env=env, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    proc.wait(timeout=30)


def wait_for(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def assert_each_department_acted_once(steps) -> None:
    """Every step of ``steps`` (a Step queryset: all the database holds) is done, and its
    department acted once for it — whatever was asked twice — with the reference the step
    recorded."""
    from collections import Counter

    from yilian.chain.models import StepStatus
    from yilian.departments.models import Effect

    assert set(steps.values_list("status", flat=True)) == {StepStatus.DONE}
    effects = Counter(Effect.objects.values_list("department", "idempotency_key"))
    assert len(effects) == steps.count()
    assert set(effects.values()) == {1}
    for step in steps:
        effect = Effect.objects.get(department=step.code, idempotency_key=step.idempotency_key)
        assert step.reference == effect.reference


def sweeper_holder_pid() -> int | None:
    """The pid of the process holding the sweeper's lease now (``host:pid:nonce``)."""
    from django.utils import timezone

    from yilian.chain.models import Lease
    from yilian.chain.sweeper import LEASE_NAME

    row = Lease.objects.filter(name=LEASE_NAME, expires_at__gt=timezone.now()).first()
    return int(row.holder.split(":")[1]) if row else None


class Client:
    """A plain HTTP client of the API, as another agency's system would be."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.base = base
        self.token = ""
        self.headers = dict(headers or {})  # sent with every request
        self.answered: Message = Message()  # the last response's headers

    def call(self, method: str, path: str, body=None, raw: bool = False):
        data = body if isinstance(body, bytes) else (
            json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        for header, value in self.headers.items():
            request.add_header(header, value)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                self.answered = response.headers
                payload = response.read()
                return response.status, payload if raw else json.loads(payload or b"null")
        except urllib.error.HTTPError as error:
            self.answered = error.headers
            body = error.read()
            try:
                return error.code, json.loads(body or b"null")
            except ValueError:  # not Yilian's answer (a balancer's own error page)
                return error.code, body.decode(errors="replace")

    def up(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + "/", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def login(self, username: str, password: str = "yilian-demo") -> None:
        status, body = self.call("POST", "/api/v1/auth/token/",
                                 {"username": username, "password": password})
        assert status == 200, body
        self.token = body["token"]


    def demo_code(self, masked_phone: str) -> str:
        """The newest code sent to a (masked: 135****0003) number, from the demo outbox."""
        status, outbox = self.call("GET", "/api/v1/demo/outbox/")
        assert status == 200, outbox
        head, tail = masked_phone[:3], masked_phone[-4:]
        # Milestone texts carry no code: the newest message *with* one.
        return next(m["code"] for m in outbox
                    if m["code"] and m["phone"][:3] == head and m["phone"][-4:] == tail)

    def confirm_parties(self, app_id: str, code_for=None) -> None:
        """Every party of the application is sent a code and confirms with it (the
        README's walk-through); ``code_for(masked phone)`` reads the code (default: the
        demo outbox)."""
        code_for = code_for or self.demo_code
        base = f"/api/v1/applications/{app_id}/parties/"
        status, parties = self.call("GET", base)
        assert status == 200, parties
        for party in parties:
            if party["state"] == "confirmed":
                continue
            status, invited = self.call("POST", f"{base}{party['id']}/invite/")
            assert status == 200, invited
            status, done = self.call("POST", f"{base}{party['id']}/confirm/",
                                     {"code": code_for(invited["phone"])})
            assert status == 200, done
