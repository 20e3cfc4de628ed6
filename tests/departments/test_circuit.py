"""The circuit breaker (熔断): an outage opens a department's circuit, its steps then wait
without being asked and without ever needing a person for it; the sweeper's probe finds
the department back (the in-process simulator, its outage lifted through the settings
the admin and `yilian simulate` change) and every waiting step goes at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from tests import factories
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_step
from yilian.chain import dispatch, engine
from yilian.chain.models import Step, StepStatus
from yilian.chain.services import start_chain
from yilian.departments import circuit
from yilian.departments.models import DepartmentHealth, Effect, SimulatorSettings

pytestmark = pytest.mark.django_db


def _outage(outages: str) -> None:
    SimulatorSettings(outages=outages).save()


def _make_due(code: str) -> None:
    Step.objects.filter(code=code, status__in=(StepStatus.RETRYING, StepStatus.PENDING),
                        next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def _health(code: str) -> DepartmentHealth:
    return DepartmentHealth.objects.get(code=code)


def _tax_down_until_open(chains: int = 1) -> list:
    """``chains`` chains whose tax steps fail until tax's circuit opens (3 failures)."""
    made = [start_chain(factories.application()) for _ in range(chains)]
    _outage("tax@*")
    engine.drain()
    while _health("tax").state != "open":
        _make_due("tax")
        engine.drain()
    return made


@override_settings(DEPARTMENT_CIRCUIT_FAILURES=3, MAX_AUTO_ATTEMPTS=3)
def test_failures_in_a_row_open_the_circuit_and_an_outage_never_needs_a_person():
    (chain,) = _tax_down_until_open()
    health = _health("tax")
    assert health.consecutive_failures == 3
    assert "outage" in health.last_error and health.last_error_at and health.opened_at
    tax = chain.steps.get(code="tax")
    # Three attempts is the automatic limit, but the department is down: only delayed.
    assert tax.status == StepStatus.RETRYING and tax.attempts == 3
    assert Entry.objects.filter(stream="department:tax", action="circuit.opened").exists()

    # While open, a due step is put off without asking the department: no attempt.
    _make_due("tax")
    engine.drain()
    tax.refresh_from_db()
    assert tax.status == StepStatus.RETRYING and tax.attempts == 3
    assert tax.next_attempt_at > timezone.now() + dt.timedelta(seconds=15)
    actions = list(Entry.objects.filter(stream=stream_for_step(chain.application_id, "tax"))
                   .values_list("action", flat=True))
    assert actions[-1] == "step.deferred"
    assert _health("tax").consecutive_failures == 3  # deferrals are not failures
    # The other departments are not held up.
    assert chain.steps.filter(status=StepStatus.DONE).count() == 5


@override_settings(DEPARTMENT_CIRCUIT_FAILURES=3)
def test_the_probe_closes_the_circuit_and_releases_every_waiting_step_at_once(
        inbox, django_capture_on_commit_callbacks):
    chains = _tax_down_until_open(chains=3)
    # A new chain's tax step, ready while the circuit is open, is put off too.
    late = start_chain(factories.application())
    engine.drain()
    def waiting():
        return list(Step.objects.filter(code="tax").exclude(status=StepStatus.DONE))

    assert len(waiting()) == 4
    assert all(s.next_attempt_at > timezone.now() for s in waiting())

    # Still down: the probe (due at once here) asks and leaves it open.
    with override_settings(DEPARTMENT_PROBE_SECONDS=0):
        assert circuit.probe() == []
    assert _health("tax").state == "open" and _health("tax").last_probe_at

    # The department is back (the operator lifts the outage while Yilian runs); within
    # the probe period nobody asks again, then the sweeper's probe closes it.
    _outage("-")
    assert circuit.probe() == []
    assert _health("tax").state == "open"
    DepartmentHealth.objects.filter(code="tax").update(
        last_probe_at=timezone.now() - dt.timedelta(seconds=21))
    # After a long outage every one of them is deep in its back-off.
    Step.objects.filter(code="tax", status__in=(StepStatus.RETRYING, StepStatus.PENDING)) \
        .update(next_attempt_at=timezone.now() + dt.timedelta(minutes=15))
    while dispatch.inbox.get(timeout=0) is not None:
        pass
    with django_capture_on_commit_callbacks(execute=True):
        engine.sweep()
    health = _health("tax")
    assert health.state == "closed" and health.consecutive_failures == 0
    assert health.opened_at is None
    released = {s.pk for s in waiting()}
    assert all(s.next_attempt_at <= timezone.now() for s in waiting())
    queued = []
    while (step_id := dispatch.inbox.get(timeout=0)) is not None:
        queued.append(step_id)
    assert released <= set(queued)  # dispatched now, not after their back-off
    assert Entry.objects.filter(stream="department:tax", action="circuit.closed").get() \
        .data == {"via": "probe", "released": 4}

    engine.drain()
    for chain in [*chains, late]:
        chain.refresh_from_db()
        assert chain.status == "completed"
    assert Effect.objects.filter(department="tax").count() == 4


@override_settings(DEPARTMENT_CIRCUIT_FAILURES=3, MAX_AUTO_ATTEMPTS=4)
def test_successes_between_failures_keep_it_closed_and_a_step_failing_alone_escalates():
    start_chain(factories.application())
    engine.drain()
    for _ in range(2):
        circuit.failed("tax", "Tax: connection reset")
    circuit.succeeded("tax")  # the department answered: the run of failures is over
    assert _health("tax").consecutive_failures == 0 and _health("tax").last_success_at
    circuit.failed("tax", "Tax: connection reset")
    assert _health("tax").state == "closed"

    # One step that keeps failing while its department is well still needs a person.
    other = start_chain(factories.application())
    _outage("seals@*")
    for _ in range(4):
        engine.drain()
        _make_due("seals")
        circuit.succeeded("seals")  # its department answers the others meanwhile
    seals = other.steps.get(code="seals")
    assert seals.status == StepStatus.FAILED and seals.attempts == 4


def test_a_success_on_a_well_department_costs_no_query(django_assert_num_queries):
    circuit.succeeded("tax")  # the first one in a minute notes the time
    assert _health("tax").last_success_at
    with django_assert_num_queries(0):
        for _ in range(100):
            circuit.succeeded("tax")
            circuit.is_open("tax")


@override_settings(DEPARTMENT_CIRCUIT_FAILURES=2, DEPARTMENT_PROBE_SECONDS=0)
def test_without_a_sweeper_a_due_step_goes_as_the_probe_and_closes_it():
    (chain,) = _tax_down_until_open()
    _outage("")
    _make_due("tax")
    engine.drain()  # no sweep: the claimed step itself is the probe
    assert _health("tax").state == "closed"
    chain.refresh_from_db()
    assert chain.status == "completed"


def test_the_sweeper_runs_in_both_deployments():
    from django.conf import settings

    from yilian.celery import SweeperStep, app
    from yilian.chain.sweeper import Sweeper, jobs
    from yilian.runner import EmbeddedWorker

    # Every Celery worker runs the sweeper (a bootstep), as the embedded worker does.
    assert SweeperStep in set(app.steps["worker"])
    assert engine.sweep in jobs()
    assert Sweeper().every <= settings.DEPARTMENT_PROBE_SECONDS
    assert EmbeddedWorker(1, settings.SWEEP_SECONDS).sweep_seconds <= \
        settings.DEPARTMENT_PROBE_SECONDS


@pytest.mark.django_db(transaction=True)
def test_the_embedded_sweeper_thread_closes_the_circuit_of_a_department_back(settings):
    """`yilian demo`/`serve` without a broker: the real sweeper loop probes, so a step
    fifteen minutes into its back-off goes within seconds of the department's return."""
    import time

    from yilian.runner import EmbeddedWorker

    settings.DEPARTMENT_CIRCUIT_FAILURES = 1
    settings.DEPARTMENT_PROBE_SECONDS = 0.2
    chain = start_chain(factories.application())
    _outage("tax@*")
    engine.drain()
    assert _health("tax").state == "open"
    tax = chain.steps.get(code="tax")
    Step.objects.filter(pk=tax.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(minutes=15))
    _outage("-")  # back, as an operator would say in the admin

    worker = EmbeddedWorker(threads=1, sweep_seconds=0.05)
    worker.sweeper.start()
    try:
        deadline = time.monotonic() + 20
        while _health("tax").state == "open" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.sweeper.stop()
    assert _health("tax").state == "closed"
    tax.refresh_from_db()
    assert tax.next_attempt_at <= timezone.now()
    engine.drain()
    chain.refresh_from_db()
    assert chain.status == "completed"
