"""POST /api/v1/departments/<code>/callbacks/ — a department's late result, signed over
the exact bytes (docs/department-protocol.md §2, §4): valid, forged, mis-signed, stale,
replayed, re-signed duplicate, out of order, conflicting, unknown."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from tests import factories
from tests.departments.peer import Peer, accepted, reached_over_http
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_step
from yilian.chain import engine
from yilian.chain.models import StepStatus
from yilian.chain.services import start_chain
from yilian.departments import protocol
from yilian.departments.base import Accepted, Outcome
from yilian.departments.models import CallbackReceipt

pytestmark = pytest.mark.django_db

URL = "/api/v1/departments/seals/callbacks/"


@pytest.fixture
def seals():
    later = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    with Peer(accepted(later)) as peer, reached_over_http({"seals": peer}):
        yield peer


@pytest.fixture
def waiting(seals):
    """A chain whose seals step the department accepted and now waits."""
    chain = start_chain(factories.application())
    engine.drain()
    step = chain.steps.get(code="seals")
    assert step.status == StepStatus.WAITING
    return step


def result(step, status="done", reference="YZ1", **extra) -> bytes:
    body = {"protocol": "yilian-dept/1", "event_id": "e1", "key": step.idempotency_key,
            "status": status, **extra}
    if status == "done":
        body |= {"reference": reference, "data": {"maker": "诚信印章"}}
    return json.dumps(body, ensure_ascii=False).encode()


def deliver(client, body: bytes, secret: str, *, path: str = URL, signed_body=None,
            now: float | None = None, headers: dict | None = None):
    """POST ``body`` signed as the department would (or not quite, as a test says)."""
    signed = protocol.signed_headers(secret, "seals", "POST", path,
                                     body if signed_body is None else signed_body, now=now)
    sent = signed if headers is None else headers
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sent.items()
            if k != "Content-Type"}
    return client.post(path, data=body, content_type="application/json", **meta)


def _done_entries(step) -> int:
    return Entry.objects.filter(stream=stream_for_step(step.chain.application_id, step.code),
                                action="step.done").count()


def test_a_valid_callback_completes_the_waiting_step_once(client, seals, waiting):
    answer = deliver(client, result(waiting), seals.secret)
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {"protocol": "yilian-dept/1", "status": "recorded",
                             "key": waiting.idempotency_key, "duplicate": False}
    waiting.refresh_from_db()
    assert waiting.status == StepStatus.DONE and waiting.reference == "YZ1"
    assert waiting.result == {"maker": "诚信印章"}
    assert _done_entries(waiting) == 1
    waiting.chain.refresh_from_db()
    assert waiting.chain.finished_at is not None  # seals was the last step
    assert CallbackReceipt.objects.count() == 1


def test_a_forged_callback_is_refused(client, seals, waiting):
    answer = deliver(client, result(waiting), "not-the-departments-secret")
    assert answer.status_code == 401
    body = answer.json()
    assert body["error"] == "signature" and body["message_zh"] and body["message_en"]
    waiting.refresh_from_db()
    assert waiting.status == StepStatus.WAITING


def test_a_body_changed_after_signing_is_refused(client, seals, waiting):
    answer = deliver(client, result(waiting, reference="YZ-FORGED"), seals.secret,
                     signed_body=result(waiting, reference="YZ1"))
    assert answer.status_code == 401 and answer.json()["error"] == "signature"
    # Re-serialised JSON is not what was signed either: the bytes count.
    spaced = json.dumps(json.loads(result(waiting)), indent=1).encode()
    answer = deliver(client, spaced, seals.secret, signed_body=result(waiting))
    assert answer.status_code == 401
    waiting.refresh_from_db()
    assert waiting.status == StepStatus.WAITING


def test_a_stale_callback_is_refused(client, seals, waiting):
    answer = deliver(client, result(waiting), seals.secret, now=time.time() - 301)
    assert answer.status_code == 401 and answer.json()["error"] == "timestamp"


def test_a_callback_without_a_signature_is_refused(client, seals, waiting):
    answer = deliver(client, result(waiting), seals.secret, headers={})
    assert answer.status_code == 401


def test_a_delivery_played_back_is_refused_and_a_resigned_duplicate_is_fine(
        client, seals, waiting):
    body = result(waiting)
    signed = protocol.signed_headers(seals.secret, "seals", "POST", URL, body)
    assert deliver(client, body, seals.secret, headers=signed).status_code == 200
    replayed = deliver(client, body, seals.secret, headers=signed)
    assert replayed.status_code == 409 and replayed.json()["error"] == "replayed"
    # The department delivering again (at-least-once) signs anew: recorded, not twice.
    again = deliver(client, body, seals.secret, now=time.time() + 1)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert _done_entries(waiting) == 1


def test_a_different_result_for_a_decided_step_is_a_conflict(client, seals, waiting):
    assert deliver(client, result(waiting), seals.secret).status_code == 200
    other = deliver(client, result(waiting, reference="YZ2"), seals.secret,
                    now=time.time() + 1)
    assert other.status_code == 409 and other.json()["error"] == "conflicting_result"
    refused = deliver(client, result(waiting, "refused", reason={"code": "x"}), seals.secret,
                      now=time.time() + 2)
    assert refused.status_code == 409
    waiting.refresh_from_db()
    assert waiting.reference == "YZ1"


def test_an_unknown_key_or_department_is_not_found(client, seals, waiting):
    body = json.dumps({"protocol": "yilian-dept/1", "key": "no-such-key", "status": "done",
                       "reference": "R", "data": {}}).encode()
    answer = deliver(client, body, seals.secret)
    assert answer.status_code == 404 and answer.json()["error"] == "unknown_key"
    tax = "/api/v1/departments/tax/callbacks/"  # tax is simulated here
    answer = deliver(client, result(waiting), seals.secret, path=tax)
    assert answer.status_code == 404 and answer.json()["error"] == "unknown_department"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"status": "done"}',
                                  b'{"key": "k", "status": "maybe"}'])
def test_a_malformed_body_is_a_bad_request(client, seals, waiting, body):
    answer = deliver(client, body, seals.secret)
    assert answer.status_code == 400
    # Not JSON at all is stopped at the edge (yilian.guards), in the API's error shape.
    said = answer.json()
    assert said.get("error") == "malformed" or said["errors"][0]["message_en"]


def test_a_callback_before_the_answer_completes_the_step_and_the_answer_finds_it_done(
        client, seals):
    # The department acts and calls back while Yilian's request is still in flight.
    chain = start_chain(factories.application())
    engine.drain()
    step = chain.steps.get(code="seals")
    step.status, step.next_attempt_at = StepStatus.RETRYING, timezone.now()
    step.save(update_fields=["status", "next_attempt_at"])
    taken = engine.claim(step.pk)
    assert taken is not None
    assert deliver(client, result(step), seals.secret).status_code == 200
    engine._record_accepted(taken, Accepted(timezone.now() + dt.timedelta(hours=1)))
    engine._record_success(taken, Outcome("YZ1", {}))
    step.refresh_from_db()
    assert step.status == StepStatus.DONE and step.reference == "YZ1"
    assert _done_entries(step) == 1


def test_a_late_refusal_stops_the_step_for_a_person(client, seals, waiting):
    body = result(waiting, "refused", reason={"code": "maker_closed", "message_zh": "停业",
                                              "message_en": "closed"})
    assert deliver(client, body, seals.secret).status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == StepStatus.FAILED and waiting.waiting_on == "person"
    assert waiting.result["refused"]["code"] == "maker_closed"
    again = deliver(client, body, seals.secret, now=time.time() + 1)
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_old_receipts_are_pruned(client, seals, waiting):
    CallbackReceipt.objects.create(signature="v1=old", department="seals")
    CallbackReceipt.objects.update(received_at=timezone.now() - dt.timedelta(hours=1))
    assert deliver(client, result(waiting), seals.secret).status_code == 200
    assert list(CallbackReceipt.objects.values_list("signature", flat=True)) != ["v1=old"]
    assert not CallbackReceipt.objects.filter(signature="v1=old").exists()


def test_the_callback_is_in_the_api_schema(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/departments/{code}/callbacks/"]["post"]
    assert {"200", "401", "404", "409"} <= set(operation["responses"])
    assert operation.get("security") in ([], [{}], None) or {} in operation["security"]
