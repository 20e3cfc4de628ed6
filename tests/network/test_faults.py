"""Chains over HTTP against departments that crash, lose their replies after acting,
and deliver late results twice and out of order — every chain completes, every
department acted exactly once per step, reconciliation finds nothing.

Runs in both passes of the suite: on the embedded default (``yilian demo``) in the SQLite
pass, on ``yilian serve`` + ``yilian worker`` (PostgreSQL, Celery on Redis) in the other.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.processes import wait_for
from tests.network.checks import assert_exactly_once, assert_reconciled

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CHAINS = 10  # the example's parties' numbers get ten codes a day


def _kill_mid_chain(first, *others) -> None:
    """SIGKILL the departments once ``first`` has acted for some chains and not yet for
    all, keep them down a moment (requests meet a closed port; seals' results are not yet
    called back), start them again on their ports and data dirs."""
    wait_for(lambda: 2 <= len(first.effects()) < CHAINS, 60, interval=0.05,
             what=f"{first.code} to be in the middle of the chains")
    for system in (first, *others):
        system.kill()
    time.sleep(1.5)
    for system in (first, *others):
        system.start()


def test_chains_complete_through_crashes_lost_replies_and_repeated_callbacks(network):
    slow = {"latency_ms": "100-300"}  # enough that a kill lands with chains in flight
    yilian, departments = network(
        # Batches of two (yilian-dept/2): still asked together, and still a middle of the
        # chains for the kill to land in (ten steps asked at once would leave none).
        environment={"YILIAN_DEPARTMENT_BATCH_SIZE": "2"},
        # Seals answer late by callback (their default), here soon.
        options={"seals": {"async_after": "1"}},
        faults={
            **{code: slow for code in ("social_security", "medical_insurance", "bank")},
            # Acts, then the reply is lost: Yilian asks again with the same key. Every
            # reply at first, so that it surely happens (a batch of several steps is one
            # draw: yilian-dept/2), then 30 %.
            "tax": {**slow, "lost_reply_rate": "1"},
            "housing_fund": {**slow, "lost_reply_rate": "1"},
            # Every late result delivered twice, some held back (out of order); a lost
            # 202 makes the callback arrive before Yilian heard the request was accepted.
            "seals": {"callback_duplicates": "1", "callback_reorder": "0.5",
                      "lost_reply_rate": "0.3"},
        })
    ids = yilian.submit(CHAINS)

    # As soon as both have acted (and lost the reply), 30 %: the steps' back-off is
    # still short.
    lossy = (departments["tax"], departments["housing_fund"])
    wait_for(lambda: all(system.effects() for system in lossy), 60, interval=0.05,
             what="tax and housing fund to have acted")
    for system in lossy:
        system.set_faults(lost_reply_rate="0.3")

    _kill_mid_chain(departments["social_security"], departments["seals"])

    yilian.wait_completed(ids, 150)
    for app_id in ids:
        steps = yilian.application(app_id)["steps"]
        assert all(s["status"] == "done" and s["reference"] for s in steps), steps
    assert_exactly_once(yilian, departments)
    # The faults did happen: replies lost after acting were asked for again (same key,
    # one effect), and seals' results came back more often than there were results.
    for code in ("tax", "housing_fund"):
        assert any(e["calls"] > 1 for e in departments[code].effects()), code
    deliveries = yilian.count("SELECT count(*) FROM departments_callbackreceipt "
                              "WHERE department = 'seals'")
    assert deliveries > CHAINS, deliveries
    assert_reconciled(yilian)
