"""Real reference departments for tests: a ``yilian department-sim`` process on a free
loopback port with its own data dir, and a small threaded HTTP server that receives and
checks its callbacks. Process-level tests elsewhere may use both."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from tests.e2e.processes import YILIAN, free_port, wait_for
from yilian.departments import protocol

__all__ = ["YILIAN", "free_port", "wait_for"]


class DepartmentProcess:
    """``yilian department-sim CODE`` as a child process; ``call`` signs like Yilian."""

    def __init__(self, code: str, data_dir: Path, options: dict[str, str] | None = None,
                 secret: str | None = None) -> None:
        self.code = code
        self.data_dir = data_dir
        self.options = dict(options or {})
        self.secret = secret or secrets.token_hex(16)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / f"{code}.log"
        self.proc: subprocess.Popen | None = None
        self.http = httpx.Client(timeout=10)

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yilian.settings",
               f"YILIAN_DEPARTMENT_{self.code.upper()}_SECRET": self.secret}
        return env

    def start(self, **options: str) -> DepartmentProcess:
        argv = [YILIAN, "department-sim", self.code, "--port", str(self.port),
                "--data-dir", str(self.data_dir)]
        for key, value in {**self.options, **options}.items():
            argv += [f"--{key.replace('_', '-')}", str(value)]
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(argv, env=self.env, stdout=self.log.open("ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self._listening, 30, what=f"{self.code} on port {self.port}")
        return self

    def _listening(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.code} exited: {self.log.read_text()}")
        try:
            self.http.get(self.base + "/v1/health")
        except httpx.HTTPError:
            return False
        return True

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=15)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def call(self, method: str, path: str, body=None, secret: str | None = None,
             headers: dict[str, str] | None = None, now: float | None = None):
        raw = body if isinstance(body, bytes) else (
            json.dumps(body, ensure_ascii=False).encode() if body is not None else b"")
        signed = headers if headers is not None else protocol.signed_headers(
            secret or self.secret, self.code, method, path, raw, now=now)
        response = self.http.request(method, self.base + path, content=raw, headers=signed)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    def sim_set(self, *settings: str) -> subprocess.CompletedProcess:
        return subprocess.run([YILIAN, "department-sim-set", self.code, "--port",
                               str(self.port), *settings], env=self.env,
                              capture_output=True, text=True, timeout=60)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class CallbackReceiver:
    """Yilian's callback endpoint, as far as a department can see it: checks each
    delivery's signature (§2) and answers ``answers`` in turn, then 200."""

    secret: str
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    protocol.verify(receiver.secret, self.headers, "POST", self.path, body)
                    verified = True
                except protocol.SignatureRefused:
                    verified = False
                receiver.received.append(Received(self.path, dict(self.headers), body,
                                                  verified))
                status = receiver.answers.pop(0) if receiver.answers else 200
                payload = json.dumps({"status": "recorded"}).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callbacks/seals/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def step_request(code: str, key: str, payload: dict, callback_url: str = "",
                 uscc: str = "91371071MA3CDQ7X2M") -> dict:
    """A ``POST /v1/requests`` body as Yilian sends it (§3)."""
    return {"protocol": protocol.PROTOCOL, "key": key, "department": code,
            "application_id": "0b6e1c6a-0000-4000-8000-000000000001", "uscc": uscc,
            "payload": payload, "callback_url": callback_url}
