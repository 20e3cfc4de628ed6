"""A real HTTP peer for the department client's tests: a threaded ``http.server`` on a
free loopback port that checks each request's signature as a department would (over the
bytes it received) and answers what the test's script says."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from yilian.departments import protocol

SECRET = "peer-secret-for-tests"


@dataclass
class Seen:
    """One request as the peer received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    def json(self) -> dict:
        return json.loads(self.body or b"{}")


@dataclass
class Reply:
    status: int
    body: bytes | dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Script = Callable[[Seen], Reply]


class Peer:
    """``with Peer(script) as peer:`` — ``peer.url``, ``peer.seen``; ``peer.script`` may
    be replaced between calls."""

    def __init__(self, script: Script, secret: str = SECRET) -> None:
        self.script = script
        self.secret = secret
        self.seen: list[Seen] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    protocol.verify(peer.secret, self.headers, self.command, self.path, body)
                    ok = True
                except protocol.SignatureRefused:
                    ok = False
                seen = Seen(self.command, self.path, dict(self.headers), body, ok)
                peer.seen.append(seen)
                reply = peer.script(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                raw = reply.body if isinstance(reply.body, bytes) else \
                    json.dumps(reply.body).encode() if reply.body is not None else b""
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = _serve

            def log_message(self, *args) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Peer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def done(reference: str = "REF-1", **data) -> Script:
    return lambda seen: Reply(200, {"protocol": protocol.PROTOCOL, "key": seen.json().get(
        "key"), "status": "done", "reference": reference, "data": data})


def accepted(expected_at: str) -> Script:
    return lambda seen: Reply(202, {"protocol": protocol.PROTOCOL, "status": "accepted",
                                    "expected_at": expected_at})


@contextmanager
def reached_over_http(peers: dict[str, Peer]):
    """The departments of ``peers`` reached over HTTP (as YILIAN_DEPARTMENTS would list
    them), the others simulated; the registry rebuilt on the way in and out."""
    from django.test import override_settings

    from yilian.departments import queries, registry

    def forget() -> None:
        registry.departments.cache_clear()
        queries.get.cache_clear()

    forget()
    try:
        with override_settings(DEPARTMENT_URLS={c: p.url for c, p in peers.items()},
                               DEPARTMENT_SECRETS={c: p.secret for c, p in peers.items()}):
            yield
    finally:
        forget()
