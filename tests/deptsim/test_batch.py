"""The reference department's batch ask (yilian-dept/2, docs/department-protocol.md §3a):
one signed request, several keys, each answered on its own and acted on once — and the
single ask of yilian-dept/1 still served beside it."""

import json
import time

import httpx
import pytest

from tests.deptsim.harness import step_request
from tests.deptsim.test_async import SEALS
from tests.deptsim.test_requests import TAX
from yilian.departments import protocol


def batch(code: str, items: list[dict], callback_url: str = "") -> dict:
    """A ``POST /v2/batches`` body as Yilian sends it."""
    return {"protocol": protocol.PROTOCOL_BATCH, "department": code,
            "callback_url": callback_url,
            "items": [{k: item[k] for k in ("key", "application_id", "uscc", "payload")}
                      for item in items]}


def ask(code: str, key: str, payload: dict) -> dict:
    return step_request(code, key, payload)


def test_a_batch_of_mixed_outcomes_answers_each_item_on_its_own(department):
    tax = department("tax")
    assert tax.call("POST", "/v1/requests", ask("tax", "reused", TAX))[0] == 200
    items = [ask("tax", "fine-1", TAX), ask("tax", "bad", {}), ask("tax", "fine-2", TAX),
             ask("tax", "reused", {**TAX, "monthly_quantity": 99})]
    status, answer = tax.call("POST", protocol.BATCH_PATH, batch("tax", items))
    assert status == 200 and answer["protocol"] == "yilian-dept/2"
    results = answer["results"]
    assert [r["key"] for r in results] == ["fine-1", "bad", "fine-2", "reused"]
    assert [r["status"] for r in results] == ["done", "refused", "done", "refused"]
    assert results[0]["reference"].startswith("SW") and results[0]["data"]["taxpayer_id"]
    assert results[0]["reference"] != results[2]["reference"]
    assert results[1]["reason"]["code"] == "bad_payload"
    assert results[3]["reason"]["code"] == "key_reused" and results[3]["reason"]["message_zh"]
    effects = tax.call("GET", "/v1/effects")[1]["effects"]
    assert [(e["key"], e["calls"]) for e in effects] == [("reused", 1), ("fine-1", 1),
                                                         ("fine-2", 1)]


def test_an_item_asked_again_alone_or_in_a_batch_acts_once(department):
    tax = department("tax")
    single = tax.call("POST", "/v1/requests", ask("tax", "k1", TAX))[1]
    items = [ask("tax", "k1", TAX), ask("tax", "k2", TAX)]
    first = tax.call("POST", protocol.BATCH_PATH, batch("tax", items))[1]["results"]
    again = tax.call("POST", protocol.BATCH_PATH, batch("tax", items[::-1]))[1]["results"]
    assert first[0]["reference"] == single["reference"]
    assert {r["key"]: r["reference"] for r in again} == {r["key"]: r["reference"]
                                                         for r in first}
    status, polled = tax.call("GET", "/v1/requests/k2")  # polling by key, as ever
    assert (status, polled["reference"]) == (200, first[1]["reference"])
    effects = tax.call("GET", "/v1/effects")[1]["effects"]
    assert [(e["key"], e["calls"]) for e in effects] == [("k1", 3), ("k2", 2)]


def test_a_late_department_accepts_each_item_and_calls_each_back(department, receiver):
    seals = department("seals", async_after="0.2")
    inbox = receiver(seals.secret)
    items = [ask("seals", f"s{i}", SEALS) for i in range(3)]
    status, answer = seals.call("POST", protocol.BATCH_PATH, batch("seals", items, inbox.url))
    assert status == 200
    assert [r["status"] for r in answer["results"]] == ["accepted"] * 3
    assert all(r["expected_at"] for r in answer["results"])
    deadline = time.monotonic() + 20
    while len(inbox.received) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(r.json["key"] for r in inbox.received) == ["s0", "s1", "s2"]
    assert all(r.verified and r.json["status"] == "done" for r in inbox.received)


def test_a_batch_that_breaks_the_envelope_is_refused_whole(department):
    tax = department("tax")
    for items in ([], [ask("tax", "dup", TAX)] * 2,
                  [ask("tax", f"k{i}", TAX) for i in range(protocol.BATCH_LIMIT + 1)],
                  [ask("tax", "x" * 65, TAX)]):
        status, answer = tax.call("POST", protocol.BATCH_PATH, batch("tax", items))
        assert status == 422 and answer["reason"]["code"] == "bad_request", items[:1]
    wrong = batch("tax", [ask("tax", "k", TAX)]) | {"department": "seals"}
    assert tax.call("POST", protocol.BATCH_PATH, wrong)[0] == 422
    assert tax.call("GET", "/v1/effects")[1]["effects"] == []


def test_a_forged_or_replayed_batch_is_refused_and_nothing_acted(department):
    tax = department("tax")
    body = batch("tax", [ask("tax", "forged", TAX)])
    assert tax.call("POST", protocol.BATCH_PATH, body, headers={})[0] == 401
    status, answer = tax.call("POST", protocol.BATCH_PATH, body, secret="not-the-secret")
    assert (status, answer["error"]) == (401, "signature")
    status, answer = tax.call("POST", protocol.BATCH_PATH, body, now=time.time() - 301)
    assert (status, answer["error"]) == (401, "timestamp")
    # A single ask's signature does not carry over to the batch path.
    raw = json.dumps(body, ensure_ascii=False).encode()
    single = protocol.signed_headers(tax.secret, "tax", "POST", "/v1/requests", raw)
    assert tax.call("POST", protocol.BATCH_PATH, raw, headers=single)[0] == 401
    assert tax.call("GET", "/v1/effects")[1]["effects"] == []
    # A captured batch played back is refused, though its keys are harmless to repeat.
    signed = protocol.signed_headers(tax.secret, "tax", "POST", protocol.BATCH_PATH, raw)
    assert tax.call("POST", protocol.BATCH_PATH, raw, headers=signed)[0] == 200
    status, answer = tax.call("POST", protocol.BATCH_PATH, raw, headers=signed)
    assert (status, answer["error"]) == (409, "replayed")
    assert [e["calls"] for e in tax.call("GET", "/v1/effects")[1]["effects"]] == [1]


def test_a_reply_lost_after_acting_loses_no_item(department):
    tax = department("tax", lost_reply_rate="1")
    items = [ask("tax", f"k{i}", TAX) for i in range(3)]
    with pytest.raises(httpx.HTTPError):  # acted, and the connection closed unanswered
        tax.call("POST", protocol.BATCH_PATH, batch("tax", items))
    status, _ = tax.call("PUT", "/v1/admin/faults", {"lost_reply_rate": "0"})
    assert status == 200
    results = tax.call("POST", protocol.BATCH_PATH, batch("tax", items))[1]["results"]
    assert [r["status"] for r in results] == ["done"] * 3
    effects = tax.call("GET", "/v1/effects")[1]["effects"]
    assert [(e["key"], e["reference"], e["calls"]) for e in effects] == [
        (r["key"], r["reference"], 2) for r in results]
