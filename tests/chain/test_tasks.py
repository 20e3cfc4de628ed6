"""The Celery task that runs the steps one message woke (:mod:`yilian.chain.tasks`),
called as a worker calls it, on the real engine and database."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests import factories
from yilian.chain import engine, tasks
from yilian.chain.models import StepStatus
from yilian.chain.services import start_chain

pytestmark = pytest.mark.django_db

SIM = {"latency_ms": "0", "failure_rate": 0.0, "outages": "", "seed": "7"}


@override_settings(SIMULATOR=SIM)
def test_one_message_runs_every_follower_it_carries_and_skips_what_is_not_ready():
    chain = start_chain(factories.application())
    registration = chain.steps.get(code="registration")
    assert tasks.run_steps([registration.pk]) == 1
    followers = list(chain.steps.exclude(pk=registration.pk).values_list("pk", flat=True))
    # Registration again (done), a step id that does not exist, then the followers:
    # one attempt each for the followers, none for the rest.
    assert tasks.run_steps([registration.pk, max(followers) + 1000, *followers]) == \
        len(followers)
    chain.refresh_from_db()
    assert chain.status == "completed"
    assert set(chain.steps.values_list("status", flat=True)) == {StepStatus.DONE}
    assert set(chain.steps.values_list("attempts", flat=True)) == {1}


@override_settings(SIMULATOR=SIM)
def test_a_step_claimed_elsewhere_is_left_to_its_claimant():
    chain = start_chain(factories.application())
    registration = chain.steps.get(code="registration")
    taken = engine.claim(registration.pk)  # another worker holds it
    assert taken is not None
    assert tasks.run_steps([registration.pk]) == 0
    registration.refresh_from_db()
    assert registration.status == StepStatus.RUNNING and registration.attempts == 1
