"""Keep-alive connections to one department's system (部门连接池), for
:class:`~yilian.departments.http.DepartmentClient`.

The standard library's ``http.client`` on pooled HTTP/1.1 connections: a call takes an
idle connection (the most recently used, checked not to have been closed by the
department meanwhile) or opens one, sends one request and reads the whole answer, and
gives the connection back unless either side said ``Connection: close``. httpx did the
same with about three times the CPU per call (its request and response models, cookie
jar, redirect and auth machinery, none of which the protocol uses); at zero department
latency that difference was a fifth of a chain's cost (docs/BENCHMARKS.md, "HTTP cost
cut"). A request is never re-sent here: a connection that fails mid-call is closed and
the failure is the caller's, which the protocol answers by asking again with the same
key.
"""

from __future__ import annotations

import http.client
import os
import select
import socket
import ssl
import threading
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

#: Idle connections kept per department and process: more than the threads that call.
KEEP_IDLE = 20


class CallFailed(Exception):
    """No answer: ``kind`` says how (``ConnectError``, ``ConnectTimeout``,
    ``ReadTimeout``, ``ReadError``, ``RemoteProtocolError``)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, read whole."""

    status_code: int
    headers: Message
    content: bytes


class Connections:
    """Connections to the origin of ``base_url`` (http or https), shared by threads;
    made again after a fork (sockets opened by a parent are never used by a child)."""

    def __init__(self, base_url: str, connect_timeout: float, timeout: float) -> None:
        parts = urlsplit(base_url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.https else 80)
        self.connect_timeout, self.timeout = connect_timeout, timeout
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._tls: ssl.SSLContext | None = None

    def request(self, method: str, target: str, body: bytes,
                headers: dict[str, str]) -> Answer:
        """Send one request (``target``: path and query) and read its whole answer."""
        connection = self._take()
        try:
            try:
                connection.request(method, target, body=body or None, headers=headers)
            except (TimeoutError, OSError) as failure:
                raise _failed(failure, connecting=connection.sock is None) from failure
            response = connection.getresponse()
            content = response.read()
        except CallFailed:
            connection.close()
            raise
        except (http.client.HTTPException, OSError) as failure:
            connection.close()
            raise _failed(failure, connecting=False) from failure
        if response.will_close:
            connection.close()
        else:
            self._give(connection)
        return Answer(response.status, response.headers, content)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _take(self) -> http.client.HTTPConnection:
        with self._lock:
            if self._pid != os.getpid():
                self._idle, self._pid = [], os.getpid()
            while self._idle:
                connection = self._idle.pop()
                if _still_open(connection):
                    return connection
                connection.close()
        if self.https:
            if self._tls is None:
                self._tls = ssl.create_default_context()
            return _Https(self.host, self.port, self.connect_timeout, self.timeout,
                          self._tls)
        return _Http(self.host, self.port, self.connect_timeout, self.timeout)

    def _give(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if self._pid == os.getpid() and len(self._idle) < KEEP_IDLE:
                self._idle.append(connection)
                return
        connection.close()


class _Http(http.client.HTTPConnection):
    """Connects within ``connect_timeout``; then each read or write within ``timeout``."""

    def __init__(self, host: str, port: int, connect_timeout: float, timeout: float,
                 **more) -> None:
        super().__init__(host, port, timeout=timeout, **more)
        self.connect_timeout = connect_timeout

    def connect(self) -> None:
        self.sock = self._socket()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _socket(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), self.connect_timeout)
        sock.settimeout(self.timeout)
        return sock


class _Https(_Http, http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, connect_timeout: float, timeout: float,
                 context: ssl.SSLContext) -> None:
        super().__init__(host, port, connect_timeout, timeout, context=context)

    def connect(self) -> None:
        raw = self._socket()
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _still_open(connection: http.client.HTTPConnection) -> bool:
    """An idle connection the department has not closed: nothing to read on it (a
    closed one reads as end-of-file, which would fail the next request)."""
    if connection.sock is None:
        return False
    poller = select.poll()
    poller.register(connection.sock, select.POLLIN)
    return not poller.poll(0)


def _failed(failure: BaseException, connecting: bool) -> CallFailed:
    if isinstance(failure, TimeoutError):
        kind = "ConnectTimeout" if connecting else "ReadTimeout"
    elif connecting:
        kind = "ConnectError"
    elif isinstance(failure, http.client.HTTPException):
        kind = "RemoteProtocolError"
    else:
        kind = "ReadError"
    return CallFailed(kind, f"{type(failure).__name__}: {failure}".rstrip(": "))
