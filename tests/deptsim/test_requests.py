"""A reference department acts once per key and answers every request only when it is
signed (docs/department-protocol.md §2, §3, §5, §6)."""

import subprocess
import time

from tests.deptsim.harness import YILIAN, DepartmentProcess, step_request
from yilian.departments import protocol
from yilian.departments.identity import synthetic

TAX = {"name": "威海一链科技有限公司", "tax_handler": "张伟", "financial_officer": "李娜",
       "invoice_types": ["数电普票"], "monthly_quantity": 25}


def test_asking_twice_acts_once_and_counts_both_calls(department):
    tax = department("tax")
    body = step_request("tax", "key-1", TAX)
    first = tax.call("POST", "/v1/requests", body)
    again = tax.call("POST", "/v1/requests", body)
    assert first[0] == again[0] == 200
    assert first[1]["status"] == "done"
    assert first[1]["reference"] == again[1]["reference"]
    assert first[1]["reference"].startswith("SW") and len(first[1]["reference"]) == 18
    assert first[1]["data"]["taxpayer_id"] == body["uscc"]
    status, polled = tax.call("GET", "/v1/requests/key-1")
    assert (status, polled["reference"]) == (200, first[1]["reference"])
    status, listed = tax.call("GET", "/v1/effects")
    assert status == 200
    assert [(e["key"], e["reference"], e["calls"]) for e in listed["effects"]] == [
        ("key-1", first[1]["reference"], 2)]


def test_a_key_used_for_another_request_is_refused(department):
    tax = department("tax")
    assert tax.call("POST", "/v1/requests", step_request("tax", "k", TAX))[0] == 200
    other = step_request("tax", "k", {**TAX, "monthly_quantity": 99})
    status, answer = tax.call("POST", "/v1/requests", other)
    assert (status, answer["error"]) == (409, "key_reused")
    assert tax.call("GET", "/v1/effects")[1]["effects"][0]["calls"] == 1


def test_unknown_keys_and_bad_payloads(department):
    tax = department("tax")
    assert tax.call("GET", "/v1/requests/never-sent") == (
        404, {"protocol": protocol.PROTOCOL, "key": "never-sent", "status": "unknown"})
    status, answer = tax.call("POST", "/v1/requests", step_request("tax", "bad", {}))
    assert status == 422 and answer["status"] == "refused"
    assert answer["reason"]["code"] == "bad_payload" and answer["reason"]["message_zh"]
    status, answer = tax.call("POST", "/v1/requests", step_request("tax", "x" * 65, TAX))
    assert status == 422 and answer["reason"]["code"] == "bad_request"


def test_effects_come_in_pages_oldest_first(department):
    tax = department("tax")
    references = [tax.call("POST", "/v1/requests", step_request("tax", f"k{i}", TAX))[1]
                  ["reference"] for i in range(5)]
    assert len(set(references)) == 5
    seen, cursor = [], None
    while True:
        path = "/v1/effects?limit=2" + (f"&after={cursor}" if cursor else "")
        status, page = tax.call("GET", path)
        assert status == 200 and len(page["effects"]) <= 2
        seen += [e["reference"] for e in page["effects"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == references
    assert tax.call("GET", "/v1/effects?limit=5000")[0] == 400


def test_unsigned_mis_signed_stale_and_replayed_requests_are_refused(department):
    tax = department("tax")
    body = step_request("tax", "signed", TAX)
    assert tax.call("POST", "/v1/requests", body, headers={})[0] == 401
    status, answer = tax.call("POST", "/v1/requests", body, secret="not-the-secret")
    assert (status, answer["error"]) == (401, "signature")
    status, answer = tax.call("POST", "/v1/requests", body, now=time.time() - 301)
    assert (status, answer["error"]) == (401, "timestamp")
    raw = protocol_body = b'{"a": 1}'
    headers = protocol.signed_headers(tax.secret, "tax", "GET", "/v1/health", b"")
    assert tax.call("GET", "/v1/health", headers=headers)[0] == 200
    status, answer = tax.call("GET", "/v1/health", headers=headers)
    assert (status, answer["error"]) == (409, "replayed")
    # The body signed is the body sent: the same signature over other bytes fails.
    headers = protocol.signed_headers(tax.secret, "tax", "POST", "/v1/requests", raw)
    assert tax.call("POST", "/v1/requests", protocol_body + b" ", headers=headers)[0] == 401
    assert tax.call("GET", "/v1/effects")[1]["effects"] == []


def test_registration_is_not_a_department_and_no_secret_no_start(tmp_path):
    refused = subprocess.run([YILIAN, "department-sim", "registration", "--port", "1",
                              "--data-dir", str(tmp_path)], capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode == 2 and "Yilian is the zone's registration" in refused.stderr
    process = DepartmentProcess("bank", tmp_path / "bank")
    env = {k: v for k, v in process.env.items() if not k.startswith("YILIAN_DEPARTMENT_")}
    refused = subprocess.run([YILIAN, "department-sim", "bank", "--port", "1", "--data-dir",
                              str(tmp_path)], env=env, capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode == 2 and "YILIAN_DEPARTMENT_BANK_SECRET" in refused.stderr


def test_queries_answer_from_the_simulators(department):
    identity = department("identity")
    person = synthetic(7)
    ask = {"protocol": protocol.PROTOCOL, "query": "identity",
           "payload": {"name": person.name, "id_number": person.id_number,
                       "phone": person.phone}}
    assert identity.call("POST", "/v1/queries/identity", ask) == (
        200, {"protocol": protocol.PROTOCOL, "ok": True, "reason": "match", "data": {}})
    ask["payload"]["phone"] = "13900000000"
    assert identity.call("POST", "/v1/queries/identity", ask)[1]["reason"] == "phone_mismatch"
    assert identity.call("POST", "/v1/queries/permits", ask)[0] == 404
    assert identity.call("POST", "/v1/requests", step_request("identity", "k", {}))[0] == 404
