"""对账: `yilian reconcile` finds what the departments did and Yilian did not record (a
lost reply), what Yilian recorded and no department did, and references that differ —
each run stored for the console; exit 0 / 1 / 2."""

from __future__ import annotations

import pytest

from tests import factories
from yilian.accounts import roles
from yilian.chain import engine, manual
from yilian.chain.models import Step, StepStatus
from yilian.chain.services import start_chain
from yilian.departments import reconcile
from yilian.departments.cli import reconcile as reconcile_command
from yilian.departments.models import Effect, Reconciliation, SimulatorSettings

pytestmark = pytest.mark.django_db


def _officer(code: str):
    user = factories.user(f"officer-{code}")
    roles.grant(user, roles.officer_group(code))
    return user


@pytest.fixture
def completed():
    chains = [start_chain(factories.application()) for _ in range(2)]
    engine.drain()
    return chains


def test_completed_chains_agree_and_the_run_is_stored(completed, capsys):
    assert reconcile_command(None) == 0
    out = capsys.readouterr().out
    assert out.count("一致 agree") == 7
    assert "tax 涉税事项: 2 个事项 steps, 2 条部门记录 effects" in out
    stored = Reconciliation.objects.filter(code="tax").get()
    assert stored.agrees and (stored.steps, stored.effects) == (2, 2)
    # The steps were read as Yilian has them, the effects as the department lists them.
    report = reconcile.compare("seals")
    assert report.agrees and report.steps == report.effects == 2


def test_missing_extra_and_mismatched_are_each_found_and_labelled(completed, capsys):
    first, second = completed
    # A department lost a record (missing), issued another number (mismatched) …
    Effect.objects.filter(idempotency_key=first.steps.get(code="tax").idempotency_key) \
        .delete()
    seals_key = second.steps.get(code="seals").idempotency_key
    Effect.objects.filter(idempotency_key=seals_key).update(reference="YZ-OTHER")
    # … acted on a request whose reply was lost (the step still retrying) …
    waiting = start_chain(factories.application())
    housing = waiting.steps.get(code="housing_fund")
    Step.objects.filter(pk=housing.pk).update(status=StepStatus.RETRYING)
    Effect.objects.create(department="housing_fund", idempotency_key=housing.idempotency_key,
                          reference="GJJ-LOST")
    # … and on a key Yilian never sent.
    Effect.objects.create(department="housing_fund", idempotency_key="no-such-step",
                          reference="GJJ-ODD")

    assert reconcile_command(None) == 1
    out = capsys.readouterr().out
    assert "tax 涉税事项: 3 个事项 steps, 1 条部门记录 effects — 缺失 missing 1" in out
    assert "本系统记为已办结，部门无对应办理记录 / done in Yilian, the department has no " \
           "effect for it" in out
    assert f"不符 mismatched  key={seals_key} step=YZ" in out and "department=YZ-OTHER" in out
    assert "lost reply: the department acted, the step is still retrying" in out
    assert "key=no-such-step department=GJJ-ODD" in out
    assert "the department acted on a key Yilian has no step for" in out

    runs = {r.code: r for r in Reconciliation.objects.all()}
    assert (runs["tax"].missing, runs["tax"].extra, runs["tax"].mismatched) == (1, 0, 0)
    assert (runs["seals"].missing, runs["seals"].mismatched) == (0, 1)
    assert runs["housing_fund"].extra == 2 and not runs["housing_fund"].agrees
    notes = {d["note"] for d in runs["housing_fund"].details["differences"]}
    assert notes == {"lost_reply", "unknown_key"}
    assert runs["bank"].agrees

    # One department asked alone: only its run, its exit code.
    assert reconcile_command("medical_insurance") == 0
    assert reconcile_command("seals") == 1


def test_a_step_completed_by_hand_expects_no_effect_but_not_another_number():
    chain = start_chain(factories.application())
    SimulatorSettings(outages="tax@*").save()
    engine.drain()
    tax = chain.steps.get(code="tax")
    assert tax.status == StepStatus.RETRYING
    manual.complete_by_hand(tax, _officer("tax"), "SW-BY-HAND-1")
    SimulatorSettings(outages="").save()
    report = reconcile.compare("tax")
    assert report.agrees and report.by_hand == 1
    Effect.objects.create(department="tax", idempotency_key=tax.idempotency_key,
                          reference="SW-OTHER")
    (difference,) = reconcile.compare("tax").differences
    assert (difference.kind, difference.note) == ("mismatched", "by_hand")


def test_a_department_that_cannot_be_reached_exits_2(completed, capsys):
    SimulatorSettings(outages="tax@*").save()
    assert reconcile_command("tax") == 2
    assert "无法连接部门系统 could not be reached" in capsys.readouterr().out
    stored = Reconciliation.objects.get(code="tax")
    assert not stored.reachable and "outage" in stored.details["error"]
    # Others still reconcile, but the whole run says it is incomplete.
    assert reconcile_command(None) == 2
    assert reconcile_command("nonesuch") == 2


def test_details_are_truncated_but_counts_are_complete(completed, monkeypatch):
    monkeypatch.setattr(reconcile, "KEPT_DETAILS", 3)
    Effect.objects.bulk_create([Effect(department="bank", idempotency_key=f"stray-{i}",
                                       reference=f"BK-{i}") for i in range(5)])
    report, stored = reconcile.run("bank")
    assert stored.extra == 5 and len(stored.details["differences"]) == 3
    assert stored.details["more"] == 2
