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

# Long enough that the steps' own waits pass a minute (their back-off doubles from 2 s;
# an open circuit defers them as long as it has been open); the suite's time budget keeps
# it short of the "minutes" (YILIAN_TEST_OUTAGE_SECONDS=300 for the real thing).
# The probe asks every 20 s (YILIAN_DEPARTMENT_PROBE_SECONDS, default).
OUTAGE_SECONDS = float(os.environ.get("YILIAN_TEST_OUTAGE_SECONDS", "80"))
RESUMED_WITHIN = 45
CODE = "medical_insurance"


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
    waiting = [s for s in yilian.steps() if s["code"] == CODE]
    assert len(waiting) == 4 and not any(s["status"] == "done" for s in waiting)
    assert yilian.count("SELECT count(*) FROM departments_departmenthealth "
                        f"WHERE code = '{CODE}' AND state = 'open'") == 1

    _set(down, "outage=off")
    lifted = time.monotonic()
    yilian.wait_completed(ids, RESUMED_WITHIN)
    assert time.monotonic() - lifted < RESUMED_WITHIN
    # Closed by the sweeper's probe, or by the step a claim let through as the probe
    # (half-open) — not by each step's own back-off running out.
    closed = yilian.audit("circuit.closed")[-1]
    assert closed["via"] in ("probe", "success") and closed["released"] >= 0, closed
    assert_exactly_once(yilian, departments)
    assert_reconciled(yilian)
