"""Waking workers: only after commit, each step once in the embedded inbox, retries
after their backoff, and the sweeper only for messages that must have been lost."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tests import factories
from yilian.chain import dispatch, engine
from yilian.chain.models import Step, StepStatus
from yilian.chain.services import start_chain


def _abandon(step_id: int) -> None:
    """Claim a step as a worker would, and let that worker die: its lease runs out."""
    assert engine.claim(step_id) is not None
    Step.objects.filter(pk=step_id).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1))


def _drain(box: dispatch.Inbox) -> list[int]:
    out = []
    while (step_id := box.get(timeout=0)) is not None:
        out.append(step_id)
    return out


@pytest.mark.django_db(transaction=True)
def test_nothing_is_dispatched_before_commit_and_nothing_after_rollback(inbox):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        start_chain(factories.application())
        raise Abort
    assert _drain(inbox) == []

    with transaction.atomic():
        chain = start_chain(factories.application())
        assert _drain(inbox) == []
    assert _drain(inbox) == [chain.steps.get(code="registration").pk]


def test_the_inbox_holds_a_step_once_and_keeps_order():
    box = dispatch.Inbox()
    for step_id in (3, 1, 3, 2, 1):
        box.put(step_id)
    assert _drain(box) == [3, 1, 2]
    box.put(3)
    assert _drain(box) == [3]  # taken out, so it may be queued again


def test_delayed_messages_arrive_after_their_delay():
    box = dispatch.Inbox()
    box.put(7, delay=0.2)
    box.put(8)
    assert box.get(timeout=0) == 8
    assert box.get(timeout=0.05) is None
    started = time.monotonic()
    assert box.get(timeout=2) == 7
    assert time.monotonic() - started > 0.1


@pytest.mark.django_db
def test_a_retry_is_dispatched_with_its_backoff_as_delay(inbox, django_capture_on_commit_callbacks):
    chain = start_chain(factories.application())
    with override_settings(SIMULATOR={"latency_ms": "0", "failure_rate": 0.0,
                                      "outages": "registration@*"}):
        registration = chain.steps.get(code="registration")
        with django_capture_on_commit_callbacks(execute=True):
            engine.advance(registration.pk)
    registration.refresh_from_db()
    assert registration.status == StepStatus.RETRYING
    assert _drain(inbox) == []  # not yet: it waits for its backoff
    assert inbox._delayed and inbox._delayed[0][1] == registration.pk


@pytest.mark.django_db
@override_settings(SWEEP_GRACE_SECONDS=60)
def test_the_sweeper_resends_only_steps_left_ready_too_long_or_abandoned(inbox):
    # A grace period long enough that "fresh" stays fresh however slowly a loaded machine
    # builds the three applications (10 s was not, at load average 10+).
    fresh = start_chain(factories.application()).steps.get(code="registration")
    lost = start_chain(factories.application()).steps.get(code="registration")
    Step.objects.filter(pk=lost.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=120))
    abandoned = start_chain(factories.application()).steps.get(code="registration")
    _abandon(abandoned.pk)
    _drain(inbox)

    assert engine.sweep() == 2
    assert sorted(_drain(inbox)) == sorted([lost.pk, abandoned.pk])
    assert fresh.pk not in engine.ready_step_ids(stale_after=60)


@pytest.mark.django_db
@override_settings(SWEEP_GRACE_SECONDS=0.3)
def test_an_abandoned_claim_is_resent_once_per_grace_period_not_at_every_sweep(inbox):
    """It stays "ready" until a worker claims it; resent at every sweep, a slow queue
    (a broker back from an outage) filled with copies of it."""
    abandoned = start_chain(factories.application()).steps.get(code="registration")
    _abandon(abandoned.pk)
    _drain(inbox)

    assert engine.sweep() == 1
    assert engine.sweep() == 0 and engine.sweep() == 0
    assert _drain(inbox) == [abandoned.pk]
    time.sleep(0.35)
    assert engine.sweep() == 1  # a grace period later, once more
    _abandon(abandoned.pk)  # claimed again and abandoned again: resent at once
    assert engine.sweep() == 1


def test_the_inbox_hands_back_what_it_holds_with_the_delays_left():
    box = dispatch.Inbox()
    box.put(1)
    box.put(2, delay=30)
    left = box.drain()
    assert left[0] == (1, 0.0)
    assert left[1][0] == 2 and 29 < left[1][1] <= 30
    assert box.drain() == [] and box.get(timeout=0) is None


_SEND_WITH_THE_BROKER_DOWN = """
import json, os, time
os.environ["DJANGO_SETTINGS_MODULE"] = "yilian.settings"
import django
django.setup()
from yilian.chain import dispatch
timed = []
for ids in ([1], [2, 3, 4, 5, 6], [7]):
    started = time.monotonic()
    dispatch.send(ids)
    timed.append(time.monotonic() - started)
print(json.dumps(timed))
"""


def test_a_process_that_cannot_reach_the_broker_stops_trying_for_a_while(tmp_path):
    """Each try at a broker that is down costs about a second (Celery's own retries): a
    request releasing five steps waited five. Now the first failure is the only one for
    a few seconds; the steps stay ready in the database for the workers."""
    import json
    import subprocess
    import sys

    env = {**os.environ, "YILIAN_DATA_DIR": str(tmp_path),
           # Nothing listens there (this engineer's port range): a broker that is down.
           "YILIAN_BROKER_URL": "redis://127.0.0.1:18102/0"}
    env.pop("YILIAN_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", _SEND_WITH_THE_BROKER_DOWN], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first, five, one = json.loads(done.stdout.strip().splitlines()[-1])
    assert first > 0.05  # it did try, and failed
    assert five < 0.05 and one < 0.05
    assert "could not queue steps [1]" in done.stderr
    assert "could not queue steps [2" not in done.stderr


_SEND_TEN = """
import django
django.setup()
from yilian.chain import dispatch
dispatch.send(list(range(1, 11)))
"""


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("YILIAN_TEST_BROKER_URL"),
                    reason="needs YILIAN_TEST_BROKER_URL")
def test_steps_made_ready_together_travel_in_few_messages(tmp_path):
    """A registration releasing six followers woke six workers, each paying a task's
    overhead for one step; now one message carries up to YILIAN_STEPS_PER_MESSAGE ids,
    read here from the real broker's queue, in order and none twice."""
    import base64
    import json
    import subprocess
    import sys

    import redis

    broker = os.environ["YILIAN_TEST_BROKER_URL"]
    queue = redis.Redis.from_url(broker)
    queue.delete("celery")
    env = {**os.environ, "YILIAN_DATA_DIR": str(tmp_path), "YILIAN_BROKER_URL": broker,
           "YILIAN_STEPS_PER_MESSAGE": "4"}
    env.pop("YILIAN_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", _SEND_TEN], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    messages = [json.loads(m) for m in reversed(queue.lrange("celery", 0, -1))]
    queue.delete("celery")
    assert [m["headers"]["task"] for m in messages] == ["yilian.chain.tasks.run_steps"] * 3
    bodies = [json.loads(base64.b64decode(m["body"]))[0] for m in messages]
    assert bodies == [[[1, 2, 3, 4]], [[5, 6, 7, 8]], [[9, 10]]]
