"""The reference department's HTTP face: docs/department-protocol.md §2–§7 on loopback,
the batch ask of §3a (``yilian-dept/2``) beside the single one.

A lean threaded HTTP/1.1 server (one thread per connection, keep-alive): the request
line, the header fields and a ``Content-Length`` body are read straight off the socket
and every answer goes out in one write with Nagle off. The stdlib's ``http.server``
parsed each request's headers with the e-mail parser and wrote its answers in two
pieces; at zero latency those were most of a department's cost per request
(docs/BENCHMARKS.md, "HTTP cost cut"). Every request is checked in the protocol's order —
the department's outage first (a system that is down answers nothing else), then the
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
import socketserver
import struct
import time
from email.utils import formatdate
from functools import partial
from http import HTTPStatus
from urllib.parse import parse_qs, unquote

from yilian.departments import protocol
from yilian.deptsim.batch import ask_batch
from yilian.deptsim.faults import BadSetting
from yilian.deptsim.service import DepartmentSystem, Reply, error

#: (method, path template, handler name, what is checked: "act" | "batch" | "read" |
#: "health" | "admin").
ROUTES = (
    ("POST", "/v1/requests", "ask", "act"),
    ("POST", protocol.BATCH_PATH, "batch", "batch"),
    ("GET", "/v1/requests/{key}", "state", "read"),
    ("POST", "/v1/queries/{query}", "query", "read"),
    ("GET", "/v1/effects", "effects", "read"),
    ("GET", "/v1/health", "health", "health"),
    ("GET", "/v1/admin/faults", "get_faults", "admin"),
    ("PUT", "/v1/admin/faults", "put_faults", "admin"),
)
_MAX_BODY = 1 << 20
_MAX_LINE = 8192  # request line or one header field
_MAX_FIELDS = 100
_BLANK = (b"\r\n", b"\n", b"")


def _pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


_COMPILED = [(method, _pattern(template), name, kind)
             for method, template, name, kind in ROUTES]


class DepartmentServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True  # a restart after SIGKILL takes its port back at once
    request_queue_size = 128

    def __init__(self, port: int, system: DepartmentSystem, secret: str) -> None:
        self.system = system
        self.secret = secret
        super().__init__(("127.0.0.1", port), _Connection)


class Headers(dict):
    """Received header fields by lower-case name; ``get`` takes any spelling."""

    def get(self, name: str, default=None):
        return super().get(name.lower(), default)


class _Malformed(Exception):
    """A request that breaks HTTP/1.1: answered with ``status`` and the connection closed."""

    def __init__(self, status: int, code: str = "bad_http") -> None:
        super().__init__(code)
        self.status, self.code = status, code


class _Connection(socketserver.StreamRequestHandler):
    """One client connection: request after request until either side closes it."""

    disable_nagle_algorithm = True
    close_connection = False
    server: DepartmentServer

    def handle(self) -> None:
        try:
            while self._exchange():
                pass
        except (ConnectionError, TimeoutError):
            pass  # the client went away: nothing to answer

    # --- reading --------------------------------------------------------------------

    def _exchange(self) -> bool:
        """Read and answer one request; False when the connection is to be closed."""
        line = self.rfile.readline(_MAX_LINE + 1)
        if not line:
            return False
        if line in _BLANK:
            return True  # a stray empty line between requests (RFC 9112 §2.2)
        try:
            method, target, version, headers = self._head(line)
            length = self._length(headers)
        except _Malformed as bad:
            self._reply(*error(bad.status, bad.code), close=True)
            return False
        keep = _keep_alive(version, headers.get("connection", ""))
        if length > _MAX_BODY:
            self._reply(*error(413, "too_large"), close=True)
            return False
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            return False  # the client closed mid-body
        self.close_connection = not keep
        self._handle(method, target, headers, body)
        return not self.close_connection

    def _head(self, line: bytes) -> tuple[str, str, str, Headers]:
        parts = line.decode("latin-1").split()
        if len(line) > _MAX_LINE or len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _Malformed(400)
        headers = Headers()
        for _ in range(_MAX_FIELDS):
            field = self.rfile.readline(_MAX_LINE + 1)
            if field in _BLANK:
                return parts[0], parts[1], parts[2], headers
            name, sep, value = field.decode("latin-1").partition(":")
            if not sep or len(field) > _MAX_LINE or name != name.strip():
                raise _Malformed(400)
            headers[name.lower()] = value.strip()
        raise _Malformed(400)  # more fields than any client of the protocol sends

    @staticmethod
    def _length(headers: Headers) -> int:
        if "transfer-encoding" in headers:
            raise _Malformed(411, "length_required")  # every sender knows its length
        text = headers.get("content-length", "0")
        if not text.isdigit():
            raise _Malformed(400)
        return int(text)

    # --- the checks, in order --------------------------------------------------------

    def _handle(self, method: str, target: str, headers: Headers, body: bytes) -> None:
        path, _, query = target.partition("?")
        route = self._route(method, path)
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
        verified, refused = self._refused(method, target, headers, body)
        if refused:
            return self._reply(*refused)
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = None
        if not isinstance(data, dict):
            system.keep_signature(verified)
            return self._reply(*error(400, "malformed"))
        if kind in ("act", "batch", "read"):
            faults.pause(faults.latency_ms)
            # A batch draws its failures item by item (yilian.deptsim.batch).
            if kind != "batch" and faults.chance(faults.failure_rate):
                system.keep_signature(verified)
                # Before acting: half busy answers, half a connection that just breaks.
                if faults.chance(0.5):
                    return self._reply(*error(503, "busy"), retry_after=1)
                return self._drop(reset=True)
        if kind in ("act", "batch"):
            # The signature is kept in the act's own transaction (one commit a request).
            act = system.ask if kind == "act" else partial(ask_batch, system)
            status, reply = act(data, seen=verified)
            if faults.chance(faults.lost_reply_rate):
                return self._drop(reset=False)  # acted, and the answer never arrives
            faults.pause(faults.reply_delay_ms)
        else:
            system.keep_signature(verified)
            status, reply = getattr(self, f"_{name}")(data, params, query)
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

    def _refused(self, method: str, target: str, headers: Headers, body: bytes
                 ) -> tuple[protocol.Verified | None, Reply | None]:
        """§2: signature over the received bytes, timestamp window, replay store."""
        system = self.server.system
        department = headers.get(protocol.HEADER_DEPARTMENT)
        if department not in (None, system.code):
            return None, error(401, "department", system.code)
        try:
            verified = protocol.verify(self.server.secret, headers, method, target, body)
        except protocol.SignatureRefused as refusal:
            return None, error(401, refusal.reason)
        if not system.first_sight(verified):
            return None, error(409, "replayed")
        return verified, None

    # --- the endpoints other than acting ---------------------------------------------

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

    def _reply(self, status: int, body: dict, retry_after: float | None = None,
               close: bool = False) -> None:
        """The whole answer in one write: a head and a body sent apart wait on the
        peer's delayed ACK (tens of ms) whenever Nagle holds the second piece."""
        payload = json.dumps(body, ensure_ascii=False).encode()
        head = (f"HTTP/1.1 {status} {_phrase(status)}\r\nDate: {_date()}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n")
        if retry_after is not None:
            head += f"Retry-After: {max(1, math.ceil(retry_after))}\r\n"
        if close or self.close_connection:
            self.close_connection = True
            head += "Connection: close\r\n"
        self.wfile.write(head.encode("latin-1") + b"\r\n" + payload)

    def _drop(self, reset: bool) -> None:
        """Close without answering; with ``reset``, abortively (the peer sees a RST)."""
        self.close_connection = True
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))



def _keep_alive(version: str, connection: str) -> bool:
    tokens = {t.strip().lower() for t in connection.split(",")}
    if version == "HTTP/1.0":
        return "keep-alive" in tokens
    return "close" not in tokens


_PHRASES = {status.value: status.phrase for status in HTTPStatus}


def _phrase(status: int) -> str:
    return _PHRASES.get(status, "")


_clock: list = [0, ""]


def _date() -> str:
    """The ``Date`` field (RFC 9110 §6.6.1), made once a second."""
    now = int(time.time())
    if _clock[0] != now:
        _clock[:] = [now, formatdate(now, usegmt=True)]
    return _clock[1]
