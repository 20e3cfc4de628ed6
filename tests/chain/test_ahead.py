"""The steps one message carries, claimed together (:mod:`yilian.chain.ahead`): on
PostgreSQL in one transaction, each with its lease and audit entry as a single claim
gives; never a waiting step's poll, a step of a department over the network, or any while
a circuit is open; on SQLite one at a time as before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from tests import factories
from yilian.audit.models import Entry
from yilian.chain import ahead, engine, tasks
from yilian.chain.models import Step, StepStatus
from yilian.chain.services import start_chain
from yilian.departments import registry

pytestmark = pytest.mark.django_db

SIM = {"latency_ms": "0", "failure_rate": 0.0, "outages": "", "seed": "7"}
POSTGRES = connection.vendor == "postgresql"


def _followers():
    chain = start_chain(factories.application())
    registration = chain.steps.get(code="registration")
    assert engine.advance(registration.pk)
    return chain, list(chain.steps.exclude(pk=registration.pk).order_by("pk"))


@override_settings(SIMULATOR=SIM)
def test_a_messages_followers_are_claimed_in_one_go_then_each_asked_and_recorded():
    chain, followers = _followers()
    ids = [step.pk for step in followers]
    claimed = ahead.claim(ids)
    if not POSTGRES:  # SQLite's claim holds the only write lock: one at a time
        assert claimed == {}
        return
    assert sorted(claimed) == ids
    rows = Step.objects.filter(pk__in=ids)
    assert {s.status for s in rows} == {StepStatus.RUNNING}
    assert {s.attempts for s in rows} == {1}
    assert len({s.claim_token for s in rows}) == 1
    assert all(s.lease_expires_at is not None for s in rows)
    # Each claim is audited as a single one is.
    assert Entry.objects.filter(action="step.running").count() == 1 + len(ids)
    assert tasks.run_steps(ids) == 0  # claimed already: nobody else takes them
    assert ahead.run_together([claimed[i] for i in ids]) == len(ids)
    chain.refresh_from_db()
    assert chain.status == "completed"
    assert set(chain.steps.values_list("attempts", flat=True)) == {1}


@override_settings(SIMULATOR=SIM)
def test_the_task_claims_together_and_completes_the_chain():
    chain, followers = _followers()
    assert tasks.run_steps([s.pk for s in followers]) == len(followers)
    chain.refresh_from_db()
    assert chain.status == "completed"
    tokens = set(chain.steps.exclude(code="registration").values_list("claim_token",
                                                                       flat=True))
    assert len(tokens) == (1 if POSTGRES else len(followers))


@override_settings(SIMULATOR=SIM)
def test_what_is_not_claimed_ahead(monkeypatch):
    chain, followers = _followers()
    ids = [s.pk for s in followers]
    waiting, remote = followers[0], followers[1]
    Step.objects.filter(pk=waiting.pk).update(status=StepStatus.WAITING)
    # A department over the network answers in its own time: not claimed ahead.
    monkeypatch.setattr(registry.get(remote.code), "in_process", False)
    claimed = ahead.claim(ids)
    assert waiting.pk not in claimed and remote.pk not in claimed
    assert len(claimed) == (len(ids) - 2 if POSTGRES else 0)
    assert ahead.claim([ids[-1]]) == {}  # one step: the ordinary claim


@override_settings(SIMULATOR=SIM)
def test_nothing_is_claimed_ahead_while_a_circuit_is_open(monkeypatch):
    from yilian.departments import circuit

    _, followers = _followers()
    monkeypatch.setattr(circuit, "any_open", lambda: True)
    assert ahead.claim([s.pk for s in followers]) == {}
    assert not Step.objects.filter(status=StepStatus.RUNNING).exists()
