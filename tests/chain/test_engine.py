"""The chain engine against the real database and the department simulators."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.test import override_settings
from django.utils import timezone

from tests import factories
from tests.audit.tampering import tamper
from yilian.audit.services import (
    stream_for_application,
    stream_for_step,
    verify,
    verify_application,
)
from yilian.chain import engine
from yilian.chain.models import Step, StepStatus
from yilian.chain.services import start_chain
from yilian.codes import uscc
from yilian.departments import simulator
from yilian.departments.models import Effect

pytestmark = pytest.mark.django_db

ALL_STEPS = {"registration", "seals", "tax", "social_security", "medical_insurance",
             "housing_fund"}


def _sim(**overrides):
    base = {"latency_ms": "0", "failure_rate": 0.0, "outages": "", "seed": "7"}
    return override_settings(SIMULATOR={**base, **overrides})


def _make_due(chain) -> None:
    """Pretend the backoff has passed."""
    chain.steps.filter(status=StepStatus.RETRYING).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def test_registration_first_then_the_rest_and_the_chain_completes():
    app = factories.application()
    chain = start_chain(app)
    steps = {s.code: s for s in chain.steps.all()}
    assert set(steps) == ALL_STEPS
    # Only registration can start before the USCC exists.
    assert [s.code for s in chain.steps.filter(next_attempt_at__isnull=False)] == \
        ["registration"]

    engine.drain()

    chain.refresh_from_db()
    app.refresh_from_db()
    assert chain.status == "completed"
    uscc.validate(app.uscc)
    assert app.uscc.startswith("91371071")
    registration = chain.steps.get(code="registration")
    for step in chain.steps.all():
        assert step.status == StepStatus.DONE
        assert step.reference and step.started_at and step.finished_at
        assert step.attempts == 1
        if step.code != "registration":
            # Nobody started before the code they key on existed.
            assert step.started_at >= registration.finished_at
    assert chain.steps.get(code="tax").result["taxpayer_id"] == app.uscc
    assert len(chain.steps.get(code="seals").result["seals"]) == 4
    assert len(chain.steps.get(code="social_security").result["enrolled"]) == 2
    assert app.public_status() == "completed"


def test_bank_step_only_when_an_appointment_was_asked_for():
    chain = start_chain(factories.application(bank=True))
    assert "bank" in set(chain.steps.values_list("code", flat=True))


def test_every_transition_is_audited_and_the_trail_verifies():
    app = factories.application()
    start_chain(app)
    engine.drain()
    from yilian.audit.models import Entry

    stream = stream_for_application(app.pk)
    actions = list(Entry.objects.filter(stream=stream).values_list("action", flat=True))
    assert actions[0] == "chain.started"
    assert actions[-1] == "chain.completed"
    for code in ALL_STEPS:
        step_actions = list(Entry.objects.filter(stream=stream_for_step(app.pk, code))
                            .values_list("action", flat=True))
        assert step_actions == ["step.running", "step.done"], code
    assert verify_application(app.pk) == (True, "ok")

    entry = Entry.objects.filter(stream=stream_for_step(app.pk, "tax"),
                                 action="step.done").get()
    # Past the append-only trigger (PostgreSQL), as someone with the rights could go.
    tamper("UPDATE audit_entry SET data = %s WHERE id = %s",
           [json.dumps({**entry.data, "reference": "forged"}), entry.pk])
    ok, reason = verify_application(app.pk)
    assert not ok and "/tax" in reason and f"entry {entry.seq}" in reason
    assert verify(stream) == (True, "ok")  # the other streams are untouched


def test_an_outage_only_delays_steps_with_backoff():
    app = factories.application()
    chain = start_chain(app)
    with _sim(outages="tax@*"):
        engine.drain()
        tax = chain.steps.get(code="tax")
        assert tax.status == StepStatus.RETRYING
        assert "outage" in tax.last_error
        assert tax.next_attempt_at > timezone.now()
        first_wait = tax.next_attempt_at
        _make_due(chain)
        engine.drain()
        tax.refresh_from_db()
        assert tax.attempts == 2 and tax.status == StepStatus.RETRYING
        assert (tax.next_attempt_at - timezone.now()) > (first_wait - timezone.now()) / 2
    assert chain.steps.exclude(code="tax").filter(status=StepStatus.DONE).count() == 5
    _make_due(chain)
    engine.drain()
    chain.refresh_from_db()
    assert chain.status == "completed"
    assert Effect.objects.filter(department="tax").count() == 1


@override_settings(MAX_AUTO_ATTEMPTS=3)
def test_a_step_that_exhausts_its_retries_waits_for_a_person():
    chain = start_chain(factories.application())
    with _sim(outages="seals@*"):
        for _ in range(5):
            engine.drain()
            _make_due(chain)
    seals = chain.steps.get(code="seals")
    assert seals.status == StepStatus.FAILED
    assert seals.attempts == 3
    assert seals.next_attempt_at is None
    chain.refresh_from_db()
    assert chain.status == "processing"


def test_lost_replies_never_duplicate_an_effect(monkeypatch):
    # The simulators draw their faults from one process-wide generator; a fresh one with a
    # fixed seed makes "half of them after the department acted" the same draw every run
    # instead of depending on which tests ran before (five misses in a row, 1 in 32).
    monkeypatch.setattr(simulator, "_rng", random.Random(7))
    chain = start_chain(factories.application())
    # Every call "fails"; half of them after the department acted (reply lost).
    with _sim(failure_rate=1.0):
        for _ in range(6):
            engine.drain()
            _make_due(chain)
    # Six failures in a row opened registration's circuit; the sweeper's probe finds the
    # department back and releases its step.
    with override_settings(DEPARTMENT_PROBE_SECONDS=0):
        engine.sweep()
    engine.drain()
    _make_due(chain)
    engine.drain()
    chain.refresh_from_db()
    assert chain.status == "completed"
    keys = Step.objects.filter(chain=chain).values_list("idempotency_key", flat=True)
    effects = Effect.objects.filter(idempotency_key__in=keys)
    assert effects.count() == 6  # one per department, however often it was asked
    assert sum(e.calls for e in effects) > 6  # and it was asked again
    for step in chain.steps.all():
        assert step.reference == effects.get(department=step.code).reference


def test_a_crashed_workers_claim_expires_and_the_step_is_finished_once():
    app = factories.application()
    chain = start_chain(app)
    registration = chain.steps.get(code="registration")
    taken = engine.claim(registration.pk)  # the worker "dies" here
    assert taken is not None
    assert engine.claim(registration.pk) is None  # nobody else may take it meanwhile
    Step.objects.filter(pk=registration.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert registration.pk in engine.ready_step_ids()
    engine.drain()
    registration.refresh_from_db()
    assert registration.status == StepStatus.DONE and registration.attempts == 2
    chain.refresh_from_db()
    assert chain.status == "completed"


def test_the_state_machine_refuses_backward_moves():
    chain = start_chain(factories.application())
    engine.drain()
    step = chain.steps.first()
    with pytest.raises(ValueError):
        step.move_to(StepStatus.RUNNING)


def test_overdue_steps_are_flagged_once():
    chain = start_chain(factories.application())
    with _sim(outages="housing_fund@*"):
        engine.drain()
    chain.deadline_at = timezone.now() - dt.timedelta(minutes=1)
    chain.save()
    assert engine.flag_overdue() == 1
    flagged = chain.steps.get(code="housing_fund")
    assert flagged.overdue_at is not None
    assert chain.steps.filter(overdue_at__isnull=False).count() == 1
    assert engine.flag_overdue() == 0
    assert chain.is_overdue()


def test_backoff_grows_is_capped_and_jittered():
    import random

    rng = random.Random(1)
    waits = [engine.backoff(n, rng) for n in range(1, 20)]
    assert all(w <= engine.RETRY_CAP_SECONDS for w in waits)
    assert waits[0] <= engine.RETRY_BASE_SECONDS
    assert waits[6] > waits[0]
    assert len({round(engine.backoff(5, rng), 6) for _ in range(10)}) > 1


def test_the_factorys_application_would_pass_submission():
    # The chain tests build applications by hand; they must be ones the form accepts.
    from yilian.forms.validation import check_application

    assert check_application(factories.application()) == []


def test_registration_enters_the_enterprise_and_its_first_event():
    """The register's entry and its establishment, as the registration step writes them
    (in one statement on PostgreSQL, through the ORM on SQLite)."""
    from yilian.registry.models import Enterprise, EnterpriseStatus, EventKind

    app = factories.application()
    start_chain(app)
    engine.drain()
    app.refresh_from_db()
    enterprise = Enterprise.objects.get(application=app)
    assert (enterprise.uscc, enterprise.name, enterprise.org_form, enterprise.division_code,
            enterprise.industry_code) == (app.uscc, app.name, app.org_form, app.division_code,
                                          app.industry_code)
    assert enterprise.established == timezone.localdate()
    assert (enterprise.source, enterprise.status) == ("yilian", EnterpriseStatus.ACTIVE)
    [event] = enterprise.events.all()
    assert (event.kind, event.application_id, event.changes) == (
        EventKind.ESTABLISHED, app.pk, {})
    assert abs((timezone.now() - event.at).total_seconds()) < 60
    registration = Step.objects.get(chain__application=app, code="registration")
    assert registration.result["enterprise_id"] == enterprise.pk
