"""The in-process simulators' settings change while Yilian runs: `yilian simulate` and
the admin write one row over the YILIAN_SIM_* defaults, and the next call obeys it."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests import factories
from yilian.chain import engine
from yilian.chain.models import StepStatus
from yilian.chain.services import start_chain
from yilian.departments import registry, simconfig
from yilian.departments.base import StepRequest
from yilian.departments.cli import simulate
from yilian.departments.models import SimulatorSettings

pytestmark = pytest.mark.django_db


def test_an_outage_set_by_the_command_holds_steps_and_reset_lifts_it(capsys):
    chain = start_chain(factories.application())
    assert simulate(None, None, "tax@*", False) == 0
    assert "outages: 'tax@*'" in capsys.readouterr().out
    engine.drain()
    tax = chain.steps.get(code="tax")
    assert tax.status == StepStatus.RETRYING and "outage" in tax.last_error

    assert simulate(None, None, None, True) == 0
    out = capsys.readouterr().out
    assert "outages: '' (YILIAN_SIM_OUTAGES)" in out  # back to the environment's
    chain.steps.filter(pk=tax.pk).update(next_attempt_at=tax.next_attempt_at.replace(
        year=2000))
    engine.drain()
    chain.refresh_from_db()
    assert chain.status == "completed"


def test_latency_and_failure_rate_take_effect_on_the_next_call():
    app = factories.application()
    department = registry.get("housing_fund")
    request = StepRequest("housing_fund", "sim-lat", str(app.pk), "91371071MA00000012",
                          department.build_payload(app))
    simulate("80", None, None, False)
    started = time.monotonic()
    department.submit(request)
    assert time.monotonic() - started >= 0.08
    simulate("0", 1.0, None, False)
    assert simconfig.current().failure_rate == 1.0
    with pytest.raises(Exception, match="connection reset|reply lost"):
        department.submit(request)


def test_bad_values_are_refused_field_by_field_and_nothing_changes(capsys):
    assert simulate("fast", 1.5, "tax@2am", False) == 1
    err = capsys.readouterr().err
    assert "--latency-ms: 时延应为毫秒数" in err and "latency is milliseconds" in err
    assert "--failure-rate: 故障率应在0到1之间 / the failure rate is between 0 and 1" in err
    assert "--outages: 停机时段格式" in err
    assert not SimulatorSettings.objects.exists()


def test_other_processes_see_a_change_within_the_cache_period(monkeypatch):
    monkeypatch.setattr(simconfig, "CACHE_SECONDS", 0.05)
    assert not simconfig.current().in_outage("seals", timezone.now())
    # Written by another process (its save cannot empty this process's cache).
    SimulatorSettings.objects.bulk_create([SimulatorSettings(pk=1, outages="seals@*")])
    time.sleep(0.06)
    assert simconfig.current().in_outage("seals", timezone.now())


def test_the_admin_edits_the_one_row(client):
    admin = get_user_model().objects.create_superuser("root", password="pw-root")
    client.force_login(admin)
    answer = client.post("/admin/departments/simulatorsettings/add/",
                         {"latency_ms": "", "failure_rate": "", "outages": "bank@*"})
    assert answer.status_code == 302
    row = SimulatorSettings.objects.get()
    assert row.pk == 1 and row.latency_ms is None and row.outages == "bank@*"
    assert simconfig.current().outages == {"bank": [None]}
    assert not registry.get("bank").health()
    # The row exists: no second one, only changes — with field errors for bad input.
    assert client.get("/admin/departments/simulatorsettings/add/").status_code == 403
    answer = client.post("/admin/departments/simulatorsettings/1/change/",
                         {"latency_ms": "", "failure_rate": "2", "outages": "-"})
    assert answer.status_code == 200 and "故障率应在0到1之间" in answer.content.decode()
    client.post("/admin/departments/simulatorsettings/1/change/",
                {"latency_ms": "", "failure_rate": "", "outages": "-"})
    assert registry.get("bank").health()
