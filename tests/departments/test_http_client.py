"""The generic department client against a real HTTP peer on loopback: every row of the
protocol's §3 table, polling, queries, the effects list and health
(docs/department-protocol.md)."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from tests.departments.peer import SECRET, Peer, Reply, accepted, done
from yilian.departments.base import Accepted, Outcome, PermanentError, StepRequest, TransientError
from yilian.departments.http import DepartmentClient, Timeouts

REQUEST = StepRequest(department="tax", idempotency_key="app1-tax", application_id="app1",
                      uscc="91371071MA3XXXXXX0", payload={"name": "威海一链科技有限公司"})
CALLBACK = "http://127.0.0.1:8000/api/v1/departments/tax/callbacks/"


def client(peer: Peer, secret: str = SECRET, **timeouts) -> DepartmentClient:
    return DepartmentClient("tax", peer.url, secret, Timeouts(**timeouts) if timeouts else None)


def test_done_is_an_outcome_and_the_request_is_signed_over_the_bytes_sent():
    with Peer(done("SW2026112900000001", taxpayer_id="x")) as peer:
        answer = client(peer).submit(REQUEST, CALLBACK)
    assert answer == Outcome("SW2026112900000001", {"taxpayer_id": "x"})
    (seen,) = peer.seen
    assert seen.signature_ok
    assert (seen.method, seen.path) == ("POST", "/v1/requests")
    body = seen.json()
    assert body["key"] == "app1-tax" and body["payload"] == REQUEST.payload
    assert body["protocol"] == "yilian-dept/1" and body["callback_url"] == CALLBACK
    assert seen.headers["X-Yilian-Department"] == "tax"


def test_a_wrong_secret_is_what_the_department_sees_as_forged():
    with Peer(done()) as peer:
        client(peer, secret="not-the-secret").submit(REQUEST, CALLBACK)
    assert not peer.seen[0].signature_ok


def test_accepted_carries_the_expected_time():
    with Peer(accepted("2026-11-29T09:45:00+08:00")) as peer:
        answer = client(peer).submit(REQUEST, CALLBACK)
    assert isinstance(answer, Accepted)
    assert answer.expected_at == dt.datetime(2026, 11, 29, 1, 45, tzinfo=dt.UTC)


@pytest.mark.parametrize("expected", [None, "soon", "2026-11-29T09:45:00"])
def test_accepted_without_a_usable_time_is_asked_again(expected):
    with Peer(accepted(expected)) as peer, pytest.raises(TransientError):
        client(peer).submit(REQUEST, CALLBACK)


def test_refused_is_permanent_with_the_departments_reason():
    reason = {"code": "name_blocked", "message_zh": "名称不可用", "message_en": "name blocked"}
    with Peer(lambda s: Reply(422, {"status": "refused", "reason": reason})) as peer, \
            pytest.raises(PermanentError, match="name_blocked: 名称不可用 / name blocked"):
        client(peer).submit(REQUEST, CALLBACK)


@pytest.mark.parametrize("status,error", [(401, "signature"), (401, "timestamp"),
                                          (409, "key_reused")])
def test_refused_signature_or_key_is_a_configuration_error(status, error):
    with Peer(lambda s: Reply(status, {"status": "error", "error": error})) as peer, \
            pytest.raises(PermanentError, match=f"HTTP {status} {error}"):
        client(peer).submit(REQUEST, CALLBACK)


def test_our_own_request_seen_as_replayed_is_signed_anew_next_time():
    with Peer(lambda s: Reply(409, {"status": "error", "error": "replayed"})) as peer, \
            pytest.raises(TransientError):
        client(peer).submit(REQUEST, CALLBACK)


@pytest.mark.parametrize("status", [429, 503])
def test_busy_or_down_is_transient_and_retry_after_is_kept(status):
    reply = Reply(status, {"status": "error", "error": "busy"}, {"Retry-After": "17"})
    with Peer(lambda s: reply) as peer, pytest.raises(TransientError) as caught:
        client(peer).submit(REQUEST, CALLBACK)
    assert caught.value.retry_after == 17


def test_retry_after_as_an_http_date():
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)).strftime(
        "%a, %d %b %Y %H:%M:%S GMT")
    with Peer(lambda s: Reply(503, None, {"Retry-After": when})) as peer, \
            pytest.raises(TransientError) as caught:
        client(peer).submit(REQUEST, CALLBACK)
    assert 100 < caught.value.retry_after <= 120


@pytest.mark.parametrize("reply", [
    Reply(500, {"status": "error"}),
    Reply(502, b"<html>bad gateway</html>"),
    Reply(200, b"{not json"),
    Reply(200, {"status": "done", "data": {}}),  # no reference
    Reply(200, {"status": "done", "reference": "R", "data": []}),
    Reply(200, {"status": "accepted", "expected_at": "2026-11-29T09:45:00+08:00"}),
    Reply(202, {"status": "done", "reference": "R"}),
    Reply(200, {"status": "done", "reference": "R", "key": "someone-else"}),
    Reply(404, {"status": "unknown"}),
    Reply(302, None, {"Location": "http://example.invalid/"}),
], ids=["500", "html", "bad-json", "no-reference", "data-not-object", "200-accepted",
        "202-done", "other-key", "404", "redirect"])
def test_anything_else_is_unknown_and_transient(reply):
    with Peer(lambda s: reply) as peer, pytest.raises(TransientError):
        client(peer).submit(REQUEST, CALLBACK)


def test_no_answer_in_time_is_transient():
    with Peer(lambda s: Reply(200, {"status": "done", "reference": "R"}, delay=1.5)) as peer, \
            pytest.raises(TransientError, match="Timeout"):
        client(peer, connect=1.0, total=0.3).submit(REQUEST, CALLBACK)


def test_nobody_listening_is_transient():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = DepartmentClient("tax", f"http://127.0.0.1:{port}", SECRET, Timeouts(1.0, 1.0))
    with pytest.raises(TransientError, match="ConnectError"):
        dead.submit(REQUEST, CALLBACK)
    assert dead.health() is False


def test_poll_reads_the_state_by_key():
    with Peer(accepted("2026-11-29T09:45:00+08:00")) as peer:
        answer = client(peer).poll(REQUEST, CALLBACK)
    assert isinstance(answer, Accepted)
    assert [(s.method, s.path, s.body) for s in peer.seen] == \
        [("GET", "/v1/requests/app1-tax", b"")]
    assert peer.seen[0].signature_ok


def test_poll_of_a_request_the_department_never_received_asks_again_with_the_same_key():
    def script(seen):
        if seen.method == "GET":
            return Reply(404, {"status": "unknown"})
        return done("SW1")(seen)

    with Peer(script) as peer:
        answer = client(peer).poll(REQUEST, CALLBACK)
    assert answer.reference == "SW1"
    assert [s.method for s in peer.seen] == ["GET", "POST"]
    assert peer.seen[1].json()["key"] == "app1-tax"
    assert all(s.signature_ok for s in peer.seen)


def test_a_base_url_with_a_path_is_signed_with_that_path():
    with Peer(done()) as peer:
        DepartmentClient("tax", peer.url + "/gateway/tax/", SECRET).submit(REQUEST, CALLBACK)
    assert peer.seen[0].path == "/gateway/tax/v1/requests"
    assert peer.seen[0].signature_ok


def test_query_answers_ok_reason_and_data():
    reply = Reply(200, {"protocol": "yilian-dept/1", "ok": False, "reason": "name_mismatch",
                        "data": {"x": 1}})
    with Peer(lambda s: reply) as peer:
        answer = client(peer).query("identity", {"name": "张伟"})
    assert answer == {"ok": False, "reason": "name_mismatch", "data": {"x": 1}}
    assert peer.seen[0].path == "/v1/queries/identity"
    assert peer.seen[0].json()["payload"] == {"name": "张伟"} and peer.seen[0].signature_ok


@pytest.mark.parametrize("reply", [Reply(503, None), Reply(200, {"ok": "yes"}),
                                   Reply(422, {"status": "refused"})])
def test_a_query_not_answered_well_is_transient(reply):
    with Peer(lambda s: reply) as peer, pytest.raises(TransientError):
        client(peer).query("permits", {})


def test_effects_are_paged_through_by_cursor_and_each_page_is_signed():
    pages = {None: ([{"key": "a", "reference": "R1", "status": "done", "created_at": "t",
                      "calls": 2}], "c1"),
             "c1": ([{"key": "b", "reference": "R2", "status": "done", "created_at": "t",
                      "calls": 1}], None)}

    def script(seen):
        cursor = seen.path.partition("after=")[2] or None
        effects, following = pages[cursor]
        return Reply(200, {"department": "tax", "effects": effects, "next": following})

    with Peer(script) as peer:
        effects = client(peer).effects(limit=1)
    assert [(e["key"], e["reference"], e["calls"]) for e in effects] == \
        [("a", "R1", 2), ("b", "R2", 1)]
    assert [s.path for s in peer.seen] == ["/v1/effects?limit=1",
                                           "/v1/effects?limit=1&after=c1"]
    assert all(s.signature_ok for s in peer.seen)


def test_effects_not_listed_is_transient():
    with Peer(lambda s: Reply(503, None)) as peer, pytest.raises(TransientError):
        client(peer).effects()


@pytest.mark.parametrize("reply,healthy", [(Reply(200, {"status": "ok"}), True),
                                           (Reply(503, {"status": "down"}), False),
                                           (Reply(200, b"ok"), False)])
def test_health(reply, healthy):
    with Peer(lambda s: reply) as peer:
        assert client(peer).health() is healthy
    assert peer.seen[0].path == "/v1/health" and peer.seen[0].signature_ok
