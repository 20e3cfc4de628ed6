"""A department down for minutes: its steps wait (nothing else of the chain does), and
once it is back its waiting steps resume within the probe's interval — not when each
step's own back-off, by then a minute or more, happens to run out."""

from __future__ import annotations

import os
import time

import pytest

from tests.e2e.processes import wait_for
from tests.network.checks import assert_exactly_once, assert_reconciled

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Long enough that a step's back-off (2, 4, 8 … s, jittered) passes a minute; the suite's
# time budget keeps it under two minutes. The probe runs every 20 s by default.
OUTAGE_SECONDS = float(os.environ.get("YILIAN_TEST_OUTAGE_SECONDS", "90"))
RESUMED_WITHIN = 45


def _set(system, *settings: str) -> None:
    """As an operator or trainer does: the command, against the running system."""
    done = system.sim_set(*settings)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_department_down_for_minutes_is_caught_up_within_the_probe(network):
    yilian, departments = network()
    down = departments["medical_insurance"]
    _set(down, "outage=now")
    began = time.monotonic()
    ids = yilian.submit(4)

    def others_done():
        steps = [s for s in yilian.steps() if s["code"] not in ("medical_insurance",)]
        return steps and all(s["status"] == "done" for s in steps)

    wait_for(others_done, 60, interval=0.5, what="the other departments' steps")
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - began)))
    waiting = [s for s in yilian.steps() if s["code"] == "medical_insurance"]
    assert len(waiting) == 4 and not any(s["status"] == "done" for s in waiting)

    _set(down, "outage=off")
    lifted = time.monotonic()
    yilian.wait_completed(ids, RESUMED_WITHIN)
    assert time.monotonic() - lifted < RESUMED_WITHIN
    assert_exactly_once(yilian, departments)
    assert_reconciled(yilian)
