"""A message's worker goes on with the steps its own steps make ready (yilian.chain.tasks)
and records each chain's results together (together.record_successes) — on the real
engine and database, transactions committed as a worker commits them (what a step makes
ready is sent only once its record commits)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from tests import factories
from yilian.audit.models import Entry
from yilian.chain import ahead, dispatch, engine, tasks, together
from yilian.chain.models import Step, StepStatus
from yilian.chain.services import start_chain
from yilian.departments import registry
from yilian.departments.base import Outcome

pytestmark = pytest.mark.django_db(transaction=True)

SIM = {"latency_ms": "0", "failure_rate": 0.0, "outages": "", "seed": "7"}
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def published(monkeypatch, settings):
    """The broker's queue, kept here: each message's step ids."""
    settings.EMBEDDED_WORKER = False
    monkeypatch.setattr(dispatch.inbox, "active", False)
    sent: list[list[int]] = []
    monkeypatch.setattr(dispatch, "publish", lambda ids, delay=0.0: sent.append(list(ids)))
    return sent


@override_settings(SIMULATOR=SIM)
def test_one_message_carries_a_chain_through_when_its_departments_are_here(published):
    chain = start_chain(factories.application())
    published.clear()
    registration = chain.steps.get(code="registration")
    made = tasks.run_steps([registration.pk])
    chain.refresh_from_db()
    if not POSTGRES:  # no claims ahead on SQLite: the followers go to the queue
        assert made == 1 and chain.status != "completed"
        assert sorted(published[0]) == sorted(
            chain.steps.exclude(pk=registration.pk).values_list("pk", flat=True))
        return
    assert made == chain.steps.count()
    assert chain.status == "completed"
    assert published == []  # no second message
    assert set(chain.steps.values_list("attempts", flat=True)) == {1}
    # Every step's claim and result audited as ever, and the chain's completion once.
    assert Entry.objects.filter(action="step.done").count() == chain.steps.count()
    assert Entry.objects.filter(action="chain.completed").count() == 1


@override_settings(SIMULATOR=SIM)
def test_a_follower_of_a_department_over_the_network_goes_to_the_queue(published,
                                                                      monkeypatch):
    chain = start_chain(factories.application())
    published.clear()
    remote = chain.steps.get(code="tax")
    monkeypatch.setattr(registry.get("tax"), "in_process", False)
    tasks.run_steps([chain.steps.get(code="registration").pk])
    remote.refresh_from_db()
    assert remote.status == StepStatus.PENDING and remote.attempts == 0
    assert [remote.pk in ids for ids in published] == [True]
    chain.refresh_from_db()
    assert chain.status != "completed"


def _followers_answered():
    """A chain past registration, its followers claimed one by one and answered."""
    chain = start_chain(factories.application())
    registration = chain.steps.get(code="registration")
    assert engine.advance(registration.pk)
    followers = list(chain.steps.exclude(pk=registration.pk).order_by("pk"))
    claims = [engine.claim(step.pk) for step in followers]
    return chain, [(claim, engine.ask(claim)) for claim in claims]


@override_settings(SIMULATOR=SIM)
def test_results_of_one_chain_are_recorded_in_one_go_and_the_chain_completes_once():
    chain, answered = _followers_answered()
    assert all(isinstance(answer, Outcome) for _, answer in answered)
    # One was recorded meanwhile by someone else (a callback): left as they left it.
    first, outcome = answered[0]
    engine._record_success(first, outcome)
    together.record_successes(answered)
    assert set(chain.steps.values_list("status", flat=True)) == {StepStatus.DONE}
    chain.refresh_from_db()
    assert chain.status == "completed"
    assert Entry.objects.filter(action="chain.completed").count() == 1
    assert Entry.objects.filter(action="step.done").count() == chain.steps.count()


@override_settings(SIMULATOR=SIM)
def test_when_recording_together_fails_each_is_recorded_on_its_own(monkeypatch):
    chain, answered = _followers_answered()
    settle, calls = engine._settle_chain, []

    def settle_once_failing(*args):
        calls.append(args)
        if len(calls) == 1:  # the transaction of all of them: it rolls back whole
            raise RuntimeError("lost the connection")
        return settle(*args)

    monkeypatch.setattr(engine, "_settle_chain", settle_once_failing)
    together.record_successes(answered)
    assert len(calls) == 1 + len(answered)  # then once a step
    assert set(chain.steps.values_list("status", flat=True)) == {StepStatus.DONE}
    assert Entry.objects.filter(action="step.done").count() == chain.steps.count()
    chain.refresh_from_db()
    assert chain.status == "completed"


def test_steps_of_different_chains_are_not_recorded_together():
    one, other = start_chain(factories.application()), start_chain(factories.application())
    claims = [engine.claim(chain.steps.get(code="registration").pk) for chain in (one, other)]
    with pytest.raises(ValueError, match="one chain"):
        together.record_successes([(claim, Outcome("X", {})) for claim in claims])
    assert not Step.objects.filter(status=StepStatus.DONE).exists()


@override_settings(SIMULATOR=SIM)
def test_a_lone_follower_may_be_claimed_ahead_when_asked_to():
    chain = start_chain(factories.application())
    step = chain.steps.get(code="registration")
    assert ahead.claim([step.pk]) == {}
    claimed = ahead.claim([step.pk], alone_too=True)
    assert list(claimed) == ([step.pk] if POSTGRES else [])


@override_settings(SIMULATOR=SIM)
def test_an_act_that_fails_among_those_asked_together_undoes_none_of_the_others(
        monkeypatch):
    from yilian.departments.models import Effect

    chain = start_chain(factories.application())
    registration = chain.steps.get(code="registration")
    assert engine.advance(registration.pk)
    followers = list(chain.steps.exclude(pk=registration.pk).order_by("pk"))
    broken = registry.get(followers[1].code)
    acts = []

    def act_failing_once(request, serial):
        acts.append(serial)
        if len(acts) == 1:  # inside the shared transaction: it is doomed
            raise RuntimeError("the department's disk is full")
        return "OK" + str(serial), {}

    monkeypatch.setattr(broken, "perform", act_failing_once)
    claims = [engine.claim(step.pk) for step in followers]
    assert ahead.run_together(claims) == len(claims)
    # Asked again one by one: every department acted exactly once, the broken one too.
    assert len(acts) == 2
    assert Effect.objects.filter(department__in=[s.code for s in followers]).count() == \
        len(followers)
    assert set(chain.steps.values_list("status", flat=True)) == {StepStatus.DONE}
    assert set(chain.steps.values_list("attempts", flat=True)) == {1}


@override_settings(SIMULATOR=SIM)
def test_asked_again_a_simulated_department_answers_as_the_first_time():
    from yilian.departments.models import Effect

    chain = start_chain(factories.application())
    step = chain.steps.get(code="registration")
    claim = engine.claim(step.pk)
    first, again = engine.ask(claim), engine.ask(claim)
    assert isinstance(first, Outcome) and again == first
    assert Effect.objects.get(department="registration").calls == 2


@override_settings(SIMULATOR={**SIM, "latency_ms": "5"})
def test_simulators_that_take_their_time_are_not_claimed_ahead():
    # Each would wait through the latency of every one before it, its lease running out.
    chain = start_chain(factories.application())
    assert ahead.claim([chain.steps.get(code="registration").pk], alone_too=True) == {}


@override_settings(SIMULATOR=SIM)
def test_asked_together_the_ledgers_take_one_statement_and_keep_each_key_once(
        monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from yilian.departments import simulator
    from yilian.departments.base import StepRequest, TransientError
    from yilian.departments.models import Effect

    chain = start_chain(factories.application())
    assert engine.advance(chain.steps.get(code="registration").pk)
    followers = list(chain.steps.filter(status=StepStatus.PENDING).order_by("pk"))
    seen, down = followers[0], followers[2]
    # One department acted before and its reply was lost: the key is in its ledger.
    before = registry.get(seen.code).submit(StepRequest(
        seen.code, seen.idempotency_key, str(chain.application_id), "", seen.payload))
    reach = simulator.reach

    def down_one(code, name_en):
        if code == down.code:
            raise TransientError(f"{name_en} is down")
        return reach(code, name_en)

    monkeypatch.setattr(simulator, "reach", down_one)
    claims = [engine.claim(step.pk) for step in followers]
    with CaptureQueriesContext(connection) as ran:
        assert ahead.run_together(claims) == len(claims)
    if POSTGRES:  # the new keys' rows in one statement, their answers in one
        ledger = [q["sql"] for q in ran.captured_queries if "departments_effect" in q["sql"]]
        assert [sql.split()[0] for sql in ledger] == [
            "INSERT", "INSERT", "SELECT", "UPDATE", "UPDATE", "DELETE"], ledger
    effects = {e.department: e for e in Effect.objects.filter(
        department__in=[s.code for s in followers])}
    assert down.code not in effects  # asked, but never reached: no row left behind
    assert effects[seen.code].calls == 2 and effects[seen.code].reference == before.reference
    for step in Step.objects.filter(pk__in=[s.pk for s in followers]):
        if step.pk == down.pk:
            assert step.status == StepStatus.RETRYING
        else:
            assert step.status == StepStatus.DONE
            assert step.reference == effects[step.code].reference
