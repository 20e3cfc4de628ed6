"""Yilian's callback endpoint over real HTTP: a seal's late result arrives by callback;
forged, mis-signed, stale and replayed deliveries are refused and change nothing."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time

import httpx
import pytest

from tests.e2e.processes import wait_for
from tests.network.checks import assert_exactly_once, assert_reconciled
from yilian.departments import protocol

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Long enough for every refused delivery to be tried while the seal step waits.
SEALS_AFTER = 8


def _result(key: str, reference: str) -> bytes:
    return json.dumps({
        "protocol": protocol.PROTOCOL, "event_id": secrets.token_hex(8), "key": key,
        "status": "done", "reference": reference, "data": {},
        "completed_at": dt.datetime.now(dt.UTC).isoformat(),
    }).encode()


class CallbackSender:
    """A department's side of the callback, done by hand: signed right or wrong."""

    def __init__(self, base: str, code: str, secret: str) -> None:
        self.path = f"/api/v1/departments/{code}/callbacks/"
        self.url = base + self.path
        self.code, self.secret = code, secret

    def headers(self, body: bytes, secret: str = "", now: float | None = None) -> dict:
        return protocol.signed_headers(secret or self.secret, self.code, "POST", self.path,
                                       body, now=now)

    def post(self, body: bytes, headers: dict) -> httpx.Response:
        return httpx.post(self.url, content=body, headers=headers, timeout=10)


def _seal_step(yilian) -> dict:
    return next(s for s in yilian.steps() if s["code"] == "seals")


def test_late_seal_result_by_callback_and_refused_deliveries(network):
    yilian, departments = network(options={"seals": {"async_after": str(SEALS_AFTER)}})
    seals = departments["seals"]
    sender = CallbackSender(yilian.client.base, "seals", seals.secret)
    [app_id] = yilian.submit(1)

    step = wait_for(lambda: (s := _seal_step(yilian))["status"] == "waiting" and s, 30,
                    interval=0.1, what="the seal step to wait for the department")
    key = step["key"]
    timeline = yilian.application(app_id)
    seal = next(s for s in timeline["steps"] if s["code"] == "seals")
    assert seal["status"] == "waiting" and seal["expected_at"], seal

    forged = _result(key, "YZFORGED0001")
    refusals = {
        "wrong secret": sender.post(forged, sender.headers(forged, secret="guessed")),
        "another department's secret": sender.post(
            forged, sender.headers(forged, secret=departments["tax"].secret)),
        "body changed after signing": sender.post(
            forged, sender.headers(_result(key, "YZ0000000001"))),
        "stale timestamp": sender.post(
            forged, sender.headers(forged, now=time.time() - protocol.WINDOW_SECONDS - 60)),
        "unsigned": sender.post(forged, {"Content-Type": "application/json"}),
    }
    assert {why: r.status_code for why, r in refusals.items()} == dict.fromkeys(refusals, 401)
    assert _seal_step(yilian)["status"] == "waiting" and not _seal_step(yilian)["reference"]

    # The department's own result arrives by callback, late; the chain completes.
    # Sooner than Yilian's own poll would ask (30 s after the expected time).
    yilian.wait_completed([app_id], SEALS_AFTER + 20)
    [effect] = seals.effects()
    [late] = [d for d in yilian.audit("step.done") if d.get("via") == "callback"]
    assert late["step"] == "seals" and late["reference"] == effect["reference"]
    assert _seal_step(yilian)["reference"] == effect["reference"] != "YZFORGED0001"

    # A properly signed duplicate of that result is recorded (at-least-once delivery);
    # the same delivery played back is a replay; a different result is a conflict.
    duplicate = _result(key, effect["reference"])
    headers = sender.headers(duplicate)
    assert sender.post(duplicate, headers).status_code == 200
    assert sender.post(duplicate, headers).status_code == 409
    conflicting = _result(key, "YZFORGED0002")
    assert sender.post(conflicting, sender.headers(conflicting)).status_code == 409
    unknown = _result("no-such-key", "YZ1")
    assert sender.post(unknown, sender.headers(unknown)).status_code == 404

    assert _seal_step(yilian)["reference"] == effect["reference"]
    assert_exactly_once(yilian, departments)
    assert_reconciled(yilian)
