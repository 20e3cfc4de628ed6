"""The reference department's own HTTP/1.1 server and Yilian's pooled client, on the
wire: keep-alive, closing, what breaks HTTP, and a department restarted under a pooled
connection (docs/department-protocol.md; docs/BENCHMARKS.md "HTTP cost cut")."""

from __future__ import annotations

import json
import socket

from tests.deptsim.harness import step_request
from yilian.departments import protocol
from yilian.departments.base import StepRequest
from yilian.departments.http import DepartmentClient

TAX = {"name": "威海一链科技有限公司", "tax_handler": "张伟", "financial_officer": "李娜",
       "invoice_types": ["数电普票"], "monthly_quantity": 25}


def _raw(department, method: str, path: str, body: bytes = b"", extra: str = "") -> bytes:
    headers = protocol.signed_headers(department.secret, department.code, method, path, body)
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + extra + "\r\n"
    return head.encode() + body


def _answers(sock: socket.socket) -> list[tuple[int, dict, bytes]]:
    """Every answer on ``sock`` until the server closes it: status, headers, body."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    found = []
    while data:
        head, _, data = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        fields = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
        size = int(fields["content-length"])
        found.append((int(lines[0].split()[1]), fields, data[:size]))
        data = data[size:]
    return found


def _connect(department) -> socket.socket:
    return socket.create_connection(("127.0.0.1", department.port), timeout=10)


def test_one_connection_carries_request_after_request_until_told_to_close(department):
    tax = department("tax")
    first = json.dumps(step_request("tax", "k1", TAX)).encode()
    with _connect(tax) as sock:
        sock.sendall(_raw(tax, "POST", "/v1/requests", first)
                     + _raw(tax, "GET", "/v1/requests/k1")
                     + _raw(tax, "GET", "/v1/health", extra="Connection: close\r\n"))
        answers = _answers(sock)  # ends only because the server closed after the third
    assert [status for status, _, _ in answers] == [200, 200, 200]
    done, polled, health = (json.loads(body) for _, _, body in answers)
    assert done["status"] == "done" and polled["reference"] == done["reference"]
    assert health["status"] == "ok"
    assert answers[2][1]["connection"] == "close"
    assert all("date" in fields for _, fields, _ in answers)


def test_what_breaks_http_is_answered_and_the_connection_closed(department):
    tax = department("tax")
    with _connect(tax) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        ((status, fields, body),) = _answers(sock)
    assert status == 400 and fields["connection"] == "close"
    assert json.loads(body)["error"] == "bad_http"
    with _connect(tax) as sock:
        sock.sendall(b"POST /v1/requests HTTP/1.1\r\nHost: x\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        ((status, _, body),) = _answers(sock)
    assert status == 411 and json.loads(body)["message_en"]
    with _connect(tax) as sock:
        sock.sendall(b"POST /v1/requests HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n")
        ((status, _, _),) = _answers(sock)
    assert status == 413


def test_a_replayed_request_is_refused_on_the_same_connection(department):
    tax = department("tax")
    body = json.dumps(step_request("tax", "k1", TAX)).encode()
    once = _raw(tax, "POST", "/v1/requests", body)
    with _connect(tax) as sock:
        sock.sendall(once + once + _raw(tax, "GET", "/v1/health", extra="Connection: close\r\n"))
        statuses = [status for status, _, _ in _answers(sock)]
    assert statuses == [200, 409, 200]


def _ask(client: DepartmentClient, key: str):
    return client.submit(StepRequest("tax", key, "0b6e1c6a-0000-4000-8000-000000000001",
                                     "91371071MA3CDQ7X2M", TAX), "")


def test_the_client_meets_a_restarted_department_afresh(department):
    """A pooled keep-alive connection dies with the department; the next call must not
    fail on it (httpx's pool drops a connection the peer closed before reusing it)."""
    tax = department("tax")
    client = DepartmentClient("tax", tax.base, tax.secret)
    for key in ("k1", "k2", "k3"):
        assert _ask(client, key).reference
    tax.kill()  # the pooled connection dies with it
    tax.start()
    assert _ask(client, "k4").reference  # no error: the dead connection was not reused
    status, listed = tax.call("GET", "/v1/effects")
    assert [e["key"] for e in listed["effects"]] == ["k1", "k2", "k3", "k4"]
    client.close()
