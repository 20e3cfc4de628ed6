"""``yilian demo --http-departments``: every reference department as a child process
beside the demo, on consecutive loopback ports, each with its own ledger under the demo's
data dir and a secret made once (0600) and kept there.

It runs before Django reads its settings: it sets ``YILIAN_DEPARTMENTS`` and each
``YILIAN_DEPARTMENT_<CODE>_SECRET_FILE`` in the environment, so the demo's Yilian talks
to its departments over HTTP exactly as a deployment would. The children stop with the
demo (and with Ctrl-C, which reaches the whole foreground group).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from yilian import files
from yilian.deptsim.app import PARENT_VARIABLE
from yilian.deptsim.client import call
from yilian.deptsim.service import CODES

_STARTUP_SECONDS = 90


def _port(wanted: int) -> int:
    """``wanted`` if it is free on loopback, else any free port."""
    for candidate in (wanted, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError("no free port on 127.0.0.1")


def _secret(path: Path) -> str:
    files.create_once(path, secrets.token_hex(32).encode())  # 0600, made once
    return path.read_text().strip()


class Departments:
    """The running reference departments: code → URL, and how to stop them."""

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}
        self.children: list[subprocess.Popen] = []
        self._owner = os.getpid()

    def stop(self) -> None:
        # Forked children of the demo (gunicorn's workers) inherit an atexit hook:
        # only the process that started the departments stops them.
        if os.getpid() != self._owner:
            return
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()


def start_all(data_dir: Path, first_port: int, environ=os.environ) -> Departments:
    """Start every department, wait until each answers its health check, and point
    ``environ`` (this process's environment) at them."""
    root = files.private_dir(data_dir / "departments")
    started = Departments()
    keys: dict[str, str] = {}
    port = first_port
    for code in CODES:
        name = f"YILIAN_DEPARTMENT_{code.upper()}_SECRET"
        secret_file = root / f"{code}.secret"
        keys[code] = _secret(secret_file)
        environ.pop(name, None)
        environ[f"{name}_FILE"] = str(secret_file)
        port = _port(port)
        started.urls[code] = f"http://127.0.0.1:{port}"
        log = os.open(root / f"{code}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        started.children.append(subprocess.Popen(
            [sys.executable, "-m", "yilian.cli", "department-sim", code, "--port", str(port),
             "--data-dir", str(root / code)], stdout=log, stderr=subprocess.STDOUT,
            env={**environ, PARENT_VARIABLE: str(os.getpid())}))
        os.close(log)
        port += 1
    deadline = time.monotonic() + _STARTUP_SECONDS
    for (code, url), child in zip(started.urls.items(), started.children, strict=True):
        while not _healthy(code, url, keys[code]):
            if child.poll() is not None or time.monotonic() > deadline:
                started.stop()
                raise SystemExit(f"department {code} did not start; see "
                                 f"{root / f'{code}.log'}")
            time.sleep(0.2)
    environ["YILIAN_DEPARTMENTS"] = ",".join(f"{c}={u}" for c, u in started.urls.items())
    return started


def _healthy(code: str, url: str, secret: str) -> bool:
    try:
        return call(url, code, secret, "GET", "/v1/health", timeout=2)[0] == 200
    except httpx.HTTPError:
        return False
