"""A round of steps done in one transaction (yilian.chain.at_once): claimed, asked and
recorded at once when every one of them gets a result; otherwise nothing of it stands,
and the usual way (claim, ask, record) takes the same steps — on the real engine and
PostgreSQL, transactions committed as a worker commits them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from tests import factories
from yilian.audit.models import Entry
from yilian.chain import at_once, dispatch, engine, tasks
from yilian.chain.models import Step, StepStatus
from yilian.chain.services import start_chain
from yilian.departments import registry, simulator
from yilian.departments.base import PermanentError, TransientError
from yilian.departments.models import Effect
from yilian.licenses.models import License

pytestmark = pytest.mark.django_db(transaction=True)

SIM = {"latency_ms": "0", "failure_rate": 0.0, "outages": "", "seed": "7"}
POSTGRES = connection.vendor == "postgresql"
needs_postgres = pytest.mark.skipif(not POSTGRES, reason="claims ahead need SKIP LOCKED")


@pytest.fixture(autouse=True)
def _queue(monkeypatch, settings):
    settings.EMBEDDED_WORKER = False
    monkeypatch.setattr(dispatch.inbox, "active", False)
    monkeypatch.setattr(dispatch, "publish", lambda ids, delay=0.0: None)


def _actions(step: Step) -> list[str]:
    return list(Entry.objects.filter(stream__endswith=f"/{step.code}",
                                     stream__contains=str(step.chain.application_id))
                .order_by("seq").values_list("action", flat=True))


def _past_registration():
    chain = start_chain(factories.application())
    assert at_once.run([chain.steps.get(code="registration").pk])
    return chain, list(chain.steps.filter(status=StepStatus.PENDING).order_by("pk"))


@override_settings(SIMULATOR=SIM)
def test_on_sqlite_nothing_is_done_at_once():
    if POSTGRES:
        pytest.skip("the embedded database's case")
    chain = start_chain(factories.application())
    assert at_once.run(list(chain.steps.values_list("pk", flat=True))) == set()
    assert not chain.steps.exclude(status=StepStatus.PENDING).exists()


@needs_postgres
@override_settings(SIMULATOR=SIM)
def test_registration_then_its_followers_each_in_one_transaction():
    chain = start_chain(factories.application())
    registration = chain.steps.get(code="registration")
    assert at_once.run([registration.pk]) == {registration.pk}
    registration.refresh_from_db()
    assert registration.status == StepStatus.DONE and registration.attempts == 1
    assert License.objects.filter(application_id=chain.application_id).count() == 1
    followers = list(chain.steps.filter(status=StepStatus.PENDING))
    assert len(followers) == chain.steps.count() - 1
    assert at_once.run([s.pk for s in followers]) == {s.pk for s in followers}
    chain.refresh_from_db()
    assert chain.status == "completed"
    for step in chain.steps.all():
        # Claimed, audited and recorded as the usual way does: nothing can tell.
        assert step.status == StepStatus.DONE and step.lease_expires_at is None
        assert _actions(step) == ["step.running", "step.done"], step.code
        effect = Effect.objects.get(department=step.code, idempotency_key=step.idempotency_key)
        assert effect.reference == step.reference and effect.calls == 1
    assert Entry.objects.filter(action="chain.completed").count() == 1


@needs_postgres
@override_settings(SIMULATOR=SIM)
@pytest.mark.parametrize("answer", ["refused", "reply lost", "raised"])
def test_anything_but_results_leaves_the_round_untouched(monkeypatch, answer):
    chain, followers = _past_registration()
    odd = registry.get(followers[2].code)

    def perform(request, serial):
        if answer == "refused":
            raise PermanentError("不予办理 / refused")
        if answer == "raised":
            raise RuntimeError("the department's disk is full")
        return f"OK{serial}", {}

    monkeypatch.setattr(odd, "perform", perform)
    if answer == "reply lost":  # acted, then the answer never arrived
        submit = odd.submit

        def lose_reply(request):
            submit(request)
            raise TransientError("reply lost")

        monkeypatch.setattr(odd, "submit", lose_reply)
    entries = Entry.objects.count()
    assert at_once.run([s.pk for s in followers]) is None
    for step in Step.objects.filter(pk__in=[s.pk for s in followers]):
        assert step.status == StepStatus.PENDING and step.attempts == 0, step.code
    assert not Effect.objects.filter(department__in=[s.code for s in followers]).exists()
    assert Entry.objects.count() == entries


@needs_postgres
@override_settings(SIMULATOR=SIM)
def test_a_record_that_fails_undoes_the_acts_too(monkeypatch):
    chain, followers = _past_registration()
    settle = engine._settle_chain

    def settle_failing(*args):
        raise RuntimeError("lost the connection")

    monkeypatch.setattr(engine, "_settle_chain", settle_failing)
    assert at_once.run([s.pk for s in followers]) is None
    assert not Effect.objects.filter(department__in=[s.code for s in followers]).exists()
    assert set(chain.steps.exclude(code="registration")
               .values_list("status", flat=True)) == {StepStatus.PENDING}
    monkeypatch.setattr(engine, "_settle_chain", settle)
    assert at_once.run([s.pk for s in followers]) == {s.pk for s in followers}


@needs_postgres
@override_settings(SIMULATOR=SIM)
def test_the_worker_takes_a_refused_round_the_usual_way(monkeypatch):
    chain = start_chain(factories.application())
    refusing = registry.get("housing_fund")
    monkeypatch.setattr(refusing, "perform", lambda request, serial: (_ for _ in ()).throw(
        PermanentError("不予办理 / refused")))
    tasks.run_steps([chain.steps.get(code="registration").pk])
    steps = {s.code: s for s in chain.steps.all()}
    assert steps["housing_fund"].status == StepStatus.FAILED
    assert _actions(steps["housing_fund"]) == ["step.running", "step.failed"]
    others = [s for code, s in steps.items() if code != "housing_fund"]
    assert {s.status for s in others} == {StepStatus.DONE}
    assert {s.attempts for s in steps.values()} == {1}  # the undone round was no attempt
    assert Effect.objects.filter(department="tax").count() == 1


@needs_postgres
@override_settings(SIMULATOR=SIM)
def test_steps_taken_elsewhere_are_skipped_not_waited_for():
    chain, followers = _past_registration()
    held = engine.claim(followers[0].pk)  # another worker's claim, committed
    assert held is not None
    done = at_once.run([s.pk for s in followers])
    assert done == {s.pk for s in followers[1:]}
    assert Step.objects.get(pk=followers[0].pk).status == StepStatus.RUNNING


@needs_postgres
@override_settings(SIMULATOR={**SIM, "latency_ms": "5"})
def test_departments_that_take_their_time_are_not_done_at_once():
    chain = start_chain(factories.application())
    assert at_once.run([chain.steps.get(code="registration").pk]) == set()
    assert simulator.SimulatedDepartment.answers_at_once(registry.get("tax")) is False


@needs_postgres
@override_settings(SIMULATOR=SIM)
def test_steps_of_several_chains_in_one_round_each_record_their_own_chain():
    # The sweeper's resends carry steps of several chains in one message.
    chains = [_past_registration()[0] for _ in range(2)]
    followers = [s.pk for chain in reversed(chains)
                 for s in chain.steps.filter(status=StepStatus.PENDING)]
    assert at_once.run(followers) == set(followers)
    for chain in chains:
        chain.refresh_from_db()
        assert chain.status == "completed"
    assert Entry.objects.filter(action="chain.completed").count() == 2
