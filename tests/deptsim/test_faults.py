"""Fault settings (故障设置): given at start, changed while running with
``yilian department-sim-set`` (signed ``PUT /v1/admin/faults``), kept across restarts."""

import httpx
import pytest

from tests.deptsim.harness import step_request
from yilian.departments import protocol

TAX = {"name": "威海一链科技有限公司", "tax_handler": "张伟", "financial_officer": "李娜",
       "invoice_types": [], "monthly_quantity": 0}


def health(process) -> httpx.Response:
    headers = protocol.signed_headers(process.secret, process.code, "GET", "/v1/health", b"")
    return process.http.get(process.base + "/v1/health", headers=headers)


def test_an_outage_set_while_running_answers_503_until_lifted(department):
    tax = department("tax")
    assert health(tax).status_code == 200
    changed = tax.sim_set("outage=now", "latency_ms=1-3")
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert "outage=now" in changed.stdout and "latency_ms=1-3" in changed.stdout
    down = health(tax)
    assert down.status_code == 503 and down.json()["status"] == "down"
    assert int(down.headers["Retry-After"]) >= 1
    status, answer = tax.call("POST", "/v1/requests", step_request("tax", "k", TAX))
    assert (status, answer["error"]) == (503, "down")
    assert answer["message_zh"] and answer["message_en"]
    tax.kill()
    tax.start()  # the outage was kept in the department's own database
    assert health(tax).status_code == 503
    assert tax.sim_set("outage=off").returncode == 0
    assert health(tax).status_code == 200
    assert tax.call("POST", "/v1/requests", step_request("tax", "k", TAX))[0] == 200


def test_an_outage_for_a_while_says_how_long(department):
    tax = department("tax", outage="30s")
    down = health(tax)
    assert down.status_code == 503 and 25 <= int(down.headers["Retry-After"]) <= 30
    tax.kill()
    tax.start(outage="off")  # an option at start overrides what was kept
    assert health(tax).status_code == 200


def test_bad_settings_are_refused_and_change_nothing(department):
    tax = department("tax")
    refused = tax.sim_set("failure_rate=2")
    assert refused.returncode == 1 and "failure_rate" in refused.stdout
    refused = tax.sim_set("no_such_thing=1")
    assert refused.returncode == 1 and "no_such_thing" in refused.stdout
    shown = tax.sim_set()
    assert shown.returncode == 0 and "failure_rate=0\n" in shown.stdout
    status, answer = tax.call("PUT", "/v1/admin/faults", {"outage": "now"},
                              secret="not-the-secret")
    assert (status, answer["error"]) == (401, "signature")
    assert health(tax).status_code == 200


def test_failures_before_acting_leave_no_effect(department):
    tax = department("tax", failure_rate="1")
    for i in range(6):
        try:
            status, _ = tax.call("POST", "/v1/requests", step_request("tax", f"k{i}", TAX))
        except httpx.TransportError:
            continue  # the connection was reset
        assert status == 503
    tax.sim_set("failure_rate=0")
    assert tax.call("GET", "/v1/effects")[1]["effects"] == []


def test_a_lost_reply_comes_after_the_effect(department):
    tax = department("tax", lost_reply_rate="1")
    with pytest.raises(httpx.TransportError):
        tax.call("POST", "/v1/requests", step_request("tax", "lost", TAX))
    status, polled = tax.call("GET", "/v1/requests/lost")
    assert (status, polled["status"]) == (200, "done")
    tax.sim_set("lost_reply_rate=0")
    status, again = tax.call("POST", "/v1/requests", step_request("tax", "lost", TAX))
    assert (status, again["reference"]) == (200, polled["reference"])
    effects = tax.call("GET", "/v1/effects")[1]["effects"]
    assert [(e["key"], e["calls"]) for e in effects] == [("lost", 2)]
