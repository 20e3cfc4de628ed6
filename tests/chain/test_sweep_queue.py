"""The sweeper and a queue that is behind: a step whose message waits in the broker's
queue is not sent again, however long it has been ready; a step made ready before the
oldest message still waiting was sent had its message taken, and is (docs/BENCHMARKS.md,
"The production chain on PostgreSQL")."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.test import override_settings
from django.utils import timezone

from tests import factories
from yilian.chain import dispatch, engine
from yilian.chain.models import Step
from yilian.chain.services import start_chain

BROKER = os.environ.get("YILIAN_TEST_BROKER_URL", "")

# One step message sent as any process sends it, to the real broker.
_SEND_ONE = """
import django
django.setup()
from yilian.chain import dispatch
dispatch.send([999999])
"""


def _send_one(tmp_path) -> None:
    env = {**os.environ, "YILIAN_DATA_DIR": str(tmp_path), "YILIAN_BROKER_URL": BROKER}
    env.pop("YILIAN_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", _SEND_ONE], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _ready_at(when: dt.datetime) -> Step:
    step = start_chain(factories.application()).steps.get(code="registration")
    Step.objects.filter(pk=step.pk).update(next_attempt_at=when)
    return step


def _resent(step: Step, since: dt.datetime) -> bool:
    step.refresh_from_db()
    return step.next_attempt_at >= since


@pytest.mark.redis
@pytest.mark.django_db
@pytest.mark.skipif(not BROKER, reason="needs YILIAN_TEST_BROKER_URL")
@override_settings(SWEEP_GRACE_SECONDS=1, BROKER_URL=BROKER, EMBEDDED_WORKER=False)
def test_a_step_whose_message_is_still_queued_is_not_sent_again(tmp_path):
    import redis

    queue = redis.Redis.from_url(BROKER)
    queue.delete("celery")
    lost = _ready_at(timezone.now() - dt.timedelta(seconds=120))
    _send_one(tmp_path)  # the oldest message waiting: the workers are behind
    sent = timezone.now()
    assert dispatch.queued_since() == pytest.approx(time.time(), abs=60)
    queued = _ready_at(timezone.now())  # made ready after it: its message is behind it
    time.sleep(1.2)  # both have been ready longer than the grace period

    swept = timezone.now()
    assert engine.sweep() == 1
    assert _resent(lost, swept) and not _resent(queued, swept)
    assert queued.next_attempt_at > sent

    queue.delete("celery")  # the queue is empty: whatever is still ready was lost
    assert dispatch.queued_since() is None
    swept = timezone.now()
    assert engine.sweep() == 1
    assert _resent(queued, swept)


@pytest.mark.django_db
@override_settings(BROKER_URL="", EMBEDDED_WORKER=True)
def test_without_a_broker_to_ask_the_sweeper_resends_as_before(inbox):
    assert dispatch.queued_since() is None
    lost = _ready_at(timezone.now() - dt.timedelta(seconds=120))
    assert engine.sweep() == 1
    assert inbox.get(timeout=0) == lost.pk
