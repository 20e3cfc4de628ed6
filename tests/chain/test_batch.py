"""Several steps of one department asked in one request (yilian.chain.batch,
docs/department-protocol.md §3a) — against a real HTTP peer and the real reference
department process, with the real engine and database: each step is recorded on its
own, exactly once, whatever the batch meets."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import count
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests import factories
from tests.departments.peer import Peer, Reply, reached_over_http
from tests.deptsim.harness import DepartmentProcess
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_step
from yilian.chain import engine
from yilian.chain.models import Step, StepStatus
from yilian.chain.services import start_chain
from yilian.departments import protocol
from yilian.departments.models import DepartmentHealth

pytestmark = pytest.mark.django_db(transaction=True)

LATER = (timezone.now() + dt.timedelta(days=1)).isoformat()


def tax_steps(chains) -> list[Step]:
    return list(Step.objects.filter(chain__in=chains, code="tax").order_by("pk"))


def actions(step: Step) -> list[str]:
    return list(Entry.objects.filter(stream=stream_for_step(step.chain.application_id, "tax"))
                .order_by("seq").values_list("action", flat=True))


class Department:
    """A tax department on a loopback peer: v1 asks done at once; each batch item
    answered in turn as ``answers`` says (``done``, ``accepted``, ``refused``,
    ``transient``); ``batch_status`` other than 200 answers the batch as a whole."""

    def __init__(self, answers=("done",), batch_status: int = 200) -> None:
        self.answers = answers
        self.batch_status = batch_status
        self.serial = count(1)

    def __call__(self, seen) -> Reply:
        body = seen.json()
        if seen.path == protocol.BATCH_PATH:
            if self.batch_status == 404:
                return Reply(404, {"status": "error", "error": "not_found"})
            if self.batch_status != 200:
                return Reply(self.batch_status, {"status": "error", "error": "busy"},
                             headers={"Retry-After": "7"})
            results = [self._item(item["key"], self.answers[i % len(self.answers)])
                       for i, item in enumerate(body["items"])]
            return Reply(200, {"protocol": protocol.PROTOCOL_BATCH, "results": results})
        return Reply(200, {"protocol": protocol.PROTOCOL, **self._item(body["key"], "done")})

    def _item(self, key: str, status: str) -> dict:
        if status == "done":
            return {"key": key, "status": "done", "reference": f"SW{next(self.serial):08d}",
                    "data": {"taxpayer_type": "小规模纳税人"}}
        if status == "accepted":
            return {"key": key, "status": "accepted", "expected_at": LATER}
        if status == "refused":
            return {"key": key, "status": "refused",
                    "reason": {"code": "blocked", "message_zh": "不予办理",
                               "message_en": "refused"}}
        return {"key": key, "status": "transient", "error": "busy", "retry_after": 30}


def test_a_batch_of_mixed_outcomes_records_each_step_on_its_own():
    answers = ("done", "accepted", "refused", "transient")
    with Peer(Department(answers)) as tax, reached_over_http({"tax": tax}):
        chains = [start_chain(factories.application()) for _ in range(4)]
        engine.drain()
    batches = [s for s in tax.seen if s.path == protocol.BATCH_PATH]
    assert len(batches) == 1 and len(tax.seen) == 1  # one request for the four
    assert batches[0].signature_ok
    assert batches[0].headers[protocol.HEADER_PROTOCOL] == "yilian-dept/2"
    steps = {s.idempotency_key: s for s in tax_steps(chains)}
    asked = [item["key"] for item in batches[0].json()["items"]]
    assert sorted(asked) == sorted(steps)
    got = [steps[key] for key in asked]
    assert [s.status for s in got] == [StepStatus.DONE, StepStatus.WAITING,
                                      StepStatus.FAILED, StepStatus.RETRYING]
    assert got[0].reference == "SW00000001" and got[0].result["taxpayer_type"]
    assert got[1].expected_at is not None and "blocked" in got[2].last_error
    assert got[3].next_attempt_at >= timezone.now() + dt.timedelta(seconds=25)  # Retry-After
    assert [s.attempts for s in got] == [1, 1, 1, 1]
    assert [actions(s) for s in got] == [["step.running", "step.done"],
                                         ["step.running", "step.waiting"],
                                         ["step.running", "step.failed"],
                                         ["step.running", "step.retrying"]]
    # The other departments' steps went on as ever; the finished chain completed.
    assert Step.objects.filter(chain=got[0].chain).exclude(status=StepStatus.DONE).count() == 0
    got[0].chain.refresh_from_db()
    assert got[0].chain.finished_at is not None


def test_a_lone_step_or_a_batch_size_of_one_uses_the_single_ask(settings):
    with Peer(Department()) as tax, reached_over_http({"tax": tax}):
        start_chain(factories.application())
        engine.drain()
    assert [s.path for s in tax.seen] == ["/v1/requests"]
    settings.DEPARTMENT_BATCH_SIZE = 1
    with Peer(Department()) as tax, reached_over_http({"tax": tax}):
        chains = [start_chain(factories.application()) for _ in range(3)]
        engine.drain()
    assert [s.path for s in tax.seen] == ["/v1/requests"] * 3
    assert {s.status for s in tax_steps(chains)} == {StepStatus.DONE}


def test_a_department_that_speaks_only_version_1_is_asked_one_step_a_request():
    with Peer(Department(batch_status=404)) as tax, reached_over_http({"tax": tax}):
        chains = [start_chain(factories.application()) for _ in range(3)]
        engine.drain()
    assert [s.path for s in tax.seen] == [protocol.BATCH_PATH] + ["/v1/requests"] * 3
    assert {s.status for s in tax_steps(chains)} == {StepStatus.DONE}


def test_a_batch_not_answered_is_one_failure_and_every_step_retries():
    with Peer(Department(batch_status=503)) as tax, reached_over_http({"tax": tax}):
        chains = [start_chain(factories.application()) for _ in range(3)]
        engine.drain()
    steps = tax_steps(chains)
    assert {s.status for s in steps} == {StepStatus.RETRYING}
    assert all("503" in s.last_error for s in steps)
    assert all(s.next_attempt_at >= timezone.now() + dt.timedelta(seconds=5) for s in steps)
    assert DepartmentHealth.objects.get(code="tax").consecutive_failures == 1


@pytest.fixture
def tax_system(tmp_path):
    """The tax department's reference system as its own process, reached over HTTP."""
    process = DepartmentProcess("tax", tmp_path / "tax").start()
    try:
        with reached_over_http({"tax": SimpleNamespace(url=process.base,
                                                       secret=process.secret)}):
            yield process
    finally:
        process.kill()
        process.http.close()


def _ledger(process) -> dict[str, tuple[str, int]]:
    effects = process.call("GET", "/v1/effects?limit=1000")[1]["effects"]
    assert len({e["key"] for e in effects}) == len(effects)
    return {e["key"]: (e["reference"], e["calls"]) for e in effects}


def test_a_batch_whose_reply_was_lost_is_asked_again_and_acts_once(tax_system):
    tax_system.call("PUT", "/v1/admin/faults", {"lost_reply_rate": "1"})
    chains = [start_chain(factories.application()) for _ in range(4)]
    engine.drain()
    steps = tax_steps(chains)
    assert {s.status for s in steps} == {StepStatus.RETRYING}
    assert {key: calls for key, (_, calls) in _ledger(tax_system).items()} == {
        s.idempotency_key: 1 for s in steps}  # acted on every one, answered none

    tax_system.call("PUT", "/v1/admin/faults", {"lost_reply_rate": "0"})
    Step.objects.filter(pk__in=[s.pk for s in steps]).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    engine.drain()
    steps = tax_steps(chains)
    assert {s.status for s in steps} == {StepStatus.DONE}
    assert _ledger(tax_system) == {s.idempotency_key: (s.reference, 2) for s in steps}


class Crash(BaseException):
    """The worker's process dying: nothing after it runs, nothing of it is caught."""


def test_a_batch_cut_by_a_crash_mid_way_is_finished_by_the_next_claim(tax_system,
                                                                      monkeypatch):
    recorded = []
    real = engine._record_success

    def dies_after_the_first(taken, outcome):
        if taken.code == "tax":
            if recorded:
                raise Crash
            recorded.append(taken.step_id)
        real(taken, outcome)

    monkeypatch.setattr(engine, "_record_success", dies_after_the_first)
    chains = [start_chain(factories.application()) for _ in range(4)]
    with pytest.raises(Crash):
        engine.drain()
    monkeypatch.setattr(engine, "_record_success", real)
    steps = tax_steps(chains)
    assert Counter(s.status for s in steps) == {StepStatus.DONE: 1, StepStatus.RUNNING: 3}
    assert len(_ledger(tax_system)) == 4  # the department acted on the whole batch

    # Their leases run out (the worker is gone); the next claim takes them back.
    Step.objects.filter(pk__in=[s.pk for s in steps], status=StepStatus.RUNNING).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    engine.drain()
    steps = tax_steps(chains)
    assert {s.status for s in steps} == {StepStatus.DONE}
    calls = {s.idempotency_key: 1 if s.pk in recorded else 2 for s in steps}
    assert _ledger(tax_system) == {s.idempotency_key: (s.reference, calls[s.idempotency_key])
                                   for s in steps}
    for step in steps:
        assert actions(step) == (["step.running", "step.done"] if step.pk in recorded else
                                 ["step.running", "step.reclaimed", "step.done"])
