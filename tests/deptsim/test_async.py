"""Late results: a department that accepts, finishes later and reports by a signed
callback — delivered until acknowledged, duplicated when told to, and never lost or done
twice across a SIGKILL (docs/department-protocol.md §4)."""

import time

from tests.deptsim.harness import step_request, wait_for

SEALS = {"name": "威海一链科技有限公司", "seals": ["official", "financial", "invoice"]}


def test_seals_accept_then_call_back_with_the_result(department, receiver):
    seals = department("seals", async_after="0.5")
    inbox = receiver(seals.secret)
    body = step_request("seals", "s1", SEALS, inbox.url)
    status, accepted = seals.call("POST", "/v1/requests", body)
    assert (status, accepted["status"]) == (202, "accepted")
    assert seals.call("POST", "/v1/requests", body)[0] == 202  # asked again: still waiting
    assert seals.call("GET", "/v1/requests/s1")[0] == 202
    wait_for(lambda: inbox.received, 10, what="the callback")
    callback = inbox.received[0]
    assert callback.verified and callback.path == "/callbacks/seals/"
    assert callback.headers["X-Yilian-Department"] == "seals"
    result = callback.json
    assert (result["key"], result["status"]) == ("s1", "done") and result["event_id"]
    assert result["reference"].startswith("YZ") and len(result["data"]["seals"]) == 3
    status, polled = seals.call("GET", "/v1/requests/s1")
    assert (status, polled["reference"]) == (200, result["reference"])
    time.sleep(0.5)
    assert len(inbox.received) == 1
    effects = seals.call("GET", "/v1/effects")[1]["effects"]
    assert [(e["key"], e["calls"]) for e in effects] == [("s1", 2)]


def test_seals_answer_late_by_default_and_others_at_once(department):
    assert department("seals").call("POST", "/v1/requests",
                                    step_request("seals", "k", SEALS))[0] == 202
    bank = department("bank")
    status, done = bank.call("POST", "/v1/requests",
                             step_request("bank", "k", {"bank": "中国银行", "date": "2026-12-01"}))
    assert (status, done["status"]) == (200, "done") and done["reference"].startswith("YY")


def test_duplicates_are_each_signed_anew_and_failed_deliveries_retried(department, receiver):
    seals = department("seals", async_after="0.2", callback_duplicates="1",
                       callback_retry="0.2")
    inbox = receiver(seals.secret, answers=[500])
    seals.call("POST", "/v1/requests", step_request("seals", "dup", SEALS, inbox.url))
    wait_for(lambda: len(inbox.received) >= 3, 10, what="two deliveries and a retry")
    time.sleep(0.6)
    assert len(inbox.received) == 3  # one refused with 500 and retried, one duplicate
    assert all(r.verified for r in inbox.received)
    assert len({r.json["event_id"] for r in inbox.received}) == 1
    assert len({r.headers["X-Yilian-Signature"] for r in inbox.received}) == 3


def test_a_killed_department_finishes_and_reports_after_restart(department, receiver):
    seals = department("seals", async_after="1.5")
    inbox = receiver(seals.secret)
    status, _ = seals.call("POST", "/v1/requests", step_request("seals", "kill", SEALS,
                                                               inbox.url))
    assert status == 202
    seals.kill()
    time.sleep(1.6)
    assert inbox.received == []
    seals.start()  # the same data dir: the accepted request is a row there
    wait_for(lambda: inbox.received, 10, what="the callback after the restart")
    time.sleep(0.5)
    assert len(inbox.received) == 1 and inbox.received[0].verified
    effects = seals.call("GET", "/v1/effects")[1]["effects"]
    assert [e["reference"] for e in effects] == [inbox.received[0].json["reference"]]


def test_an_undelivered_callback_survives_a_kill(department, receiver):
    seals = department("seals", async_after="0.1", callback_retry="1")
    inbox = receiver(seals.secret, answers=[503])
    seals.call("POST", "/v1/requests", step_request("seals", "later", SEALS, inbox.url))
    wait_for(lambda: inbox.received, 10, what="the first delivery")
    seals.kill()  # before its retry, one second later
    time.sleep(1.2)
    assert len(inbox.received) == 1
    seals.start()
    wait_for(lambda: len(inbox.received) == 2, 10, what="the retry after the restart")
    first, second = inbox.received
    assert second.verified and second.json == first.json
    assert len(seals.call("GET", "/v1/effects")[1]["effects"]) == 1


def test_a_callback_can_overtake_the_answer(department, receiver):
    seals = department("seals", async_after="0.05", reply_delay_ms="1500")
    inbox = receiver(seals.secret)
    status, answer = seals.call("POST", "/v1/requests",
                                step_request("seals", "early", SEALS, inbox.url))
    assert status == 202 and answer["status"] == "accepted"
    # By the time the department's own answer arrived, its callback already had.
    assert [r.json["key"] for r in inbox.received] == ["early"]


def test_reordered_callbacks_arrive_all_but_not_in_order(department, receiver):
    seals = department("seals", async_after="0.05", callback_reorder="1")
    inbox = receiver(seals.secret)
    keys = [f"r{i}" for i in range(8)]
    for key in keys:
        seals.call("POST", "/v1/requests", step_request("seals", key, SEALS, inbox.url))
    wait_for(lambda: len(inbox.received) == 8, 15, what="eight callbacks")
    arrived = [r.json["key"] for r in inbox.received]
    assert sorted(arrived) == sorted(keys) and arrived != keys
