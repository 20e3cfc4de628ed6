"""The reference department's HTTP face: docs/department-protocol.md §2–§7 on loopback.

A threaded stdlib server (one thread per connection, HTTP/1.1 keep-alive), enough for
hundreds of requests a second. Every request is checked in the protocol's order — the
department's outage first (a system that is down answers nothing else), then the
signature, the timestamp and the replay store — and then meets the configured faults:
latency, a failure before acting (503 or a reset connection), and for an act, a reply
lost after the effect was committed (the connection closes with no answer).
:data:`ROUTES` is the one list of what is served; the OpenAPI file is tested against it.
"""

from __future__ import annotations

import json
import math
import re
import socket
import struct
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from yilian.departments import protocol
from yilian.deptsim.faults import BadSetting
from yilian.deptsim.service import DepartmentSystem, Reply, error

#: (method, path template, handler name, what is checked: "act" | "read" | "admin").
ROUTES = (
    ("POST", "/v1/requests", "ask", "act"),
    ("GET", "/v1/requests/{key}", "state", "read"),
    ("POST", "/v1/queries/{query}", "query", "read"),
    ("GET", "/v1/effects", "effects", "read"),
    ("GET", "/v1/health", "health", "health"),
    ("GET", "/v1/admin/faults", "get_faults", "admin"),
    ("PUT", "/v1/admin/faults", "put_faults", "admin"),
)
_MAX_BODY = 1 << 20


def _pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


_COMPILED = [(method, _pattern(template), name, kind)
             for method, template, name, kind in ROUTES]


class DepartmentServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port: int, system: DepartmentSystem, secret: str) -> None:
        self.system = system
        self.secret = secret
        super().__init__(("127.0.0.1", port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: DepartmentServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass  # a benchmark's worth of lines per second says nothing

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's names
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._handle("PUT")

    # --- the checks, in order --------------------------------------------------------

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self.close_connection = True
            return self._reply(*error(413, "too_large"))
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        route = self._route(method, parts.path)
        if route is None:
            return
        name, kind, params = route
        system = self.server.system
        faults = system.faults
        if kind != "admin":
            down = system.down_for()
            if down is not None:
                status, reply = (503, {"protocol": protocol.PROTOCOL, "status": "down"}) \
                    if kind == "health" else error(503, "down")
                return self._reply(status, reply, retry_after=down)
        refused = self._refused(method, body)
        if refused:
            return self._reply(*refused)
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return self._reply(*error(400, "malformed"))
        if not isinstance(data, dict):
            return self._reply(*error(400, "malformed"))
        if kind in ("act", "read"):
            faults.pause(faults.latency_ms)
            if faults.chance(faults.failure_rate):
                # Before acting: half busy answers, half a connection that just breaks.
                if faults.chance(0.5):
                    return self._reply(*error(503, "busy"), retry_after=1)
                return self._drop(reset=True)
        status, reply = getattr(self, f"_{name}")(data, params, parts.query)
        if kind == "act":
            if faults.chance(faults.lost_reply_rate):
                return self._drop(reset=False)  # acted, and the answer never arrives
            faults.pause(faults.reply_delay_ms)
        self._reply(status, reply)

    def _route(self, method: str, path: str):
        allowed = False
        for verb, pattern, name, kind in _COMPILED:
            match = pattern.match(path)
            if match:
                allowed = True
                if verb == method:
                    return name, kind, {k: unquote(v) for k, v in match.groupdict().items()}
        self._reply(*(error(405, "method") if allowed
                      else error(404, "not_found")))
        return None

    def _refused(self, method: str, body: bytes) -> Reply | None:
        """§2: signature over the received bytes, timestamp window, replay store."""
        department = self.headers.get(protocol.HEADER_DEPARTMENT)
        if department not in (None, self.server.system.code):
            return error(401, "department", self.server.system.code)
        try:
            verified = protocol.verify(self.server.secret, self.headers, method, self.path,
                                       body)
        except protocol.SignatureRefused as refusal:
            return error(401, refusal.reason)
        if not self.server.system.ledger.remember(
                verified.signature, verified.timestamp + 2 * protocol.WINDOW_SECONDS):
            return error(409, "replayed")
        return None

    # --- the endpoints ------------------------------------------------------------------

    def _ask(self, data, params, query) -> Reply:
        return self.server.system.ask(data)

    def _state(self, data, params, query) -> Reply:
        return self.server.system.state(params["key"])

    def _query(self, data, params, query) -> Reply:
        return self.server.system.query(params["query"], data)

    def _effects(self, data, params, query) -> Reply:
        args = parse_qs(query)
        return self.server.system.effects(args.get("after", [""])[0],
                                          args.get("limit", [""])[0])

    def _health(self, data, params, query) -> Reply:
        return 200, {"protocol": protocol.PROTOCOL, "status": "ok",
                     "department": self.server.system.code}

    def _get_faults(self, data, params, query) -> Reply:
        return 200, {"protocol": protocol.PROTOCOL, "department": self.server.system.code,
                     "faults": self.server.system.faults.as_settings()}

    def _put_faults(self, data, params, query) -> Reply:
        try:
            self.server.system.set_faults(data)
        except BadSetting as bad:
            return 400, {**error(400, "bad_setting", str(bad))[1], "field": bad.key}
        return self._get_faults(data, params, query)

    # --- writing ------------------------------------------------------------------------

    def _reply(self, status: int, body: dict, retry_after: float | None = None) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if retry_after is not None:
            self.send_header("Retry-After", str(max(1, math.ceil(retry_after))))
        self.end_headers()
        self.wfile.write(payload)

    def _drop(self, reset: bool) -> None:
        """Close without answering; with ``reset``, abortively (the peer sees a RST)."""
        self.close_connection = True
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
