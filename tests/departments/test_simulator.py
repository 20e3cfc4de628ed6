"""The department simulators behave like real systems: latency, failures that happen
before or after the department acted, outage windows, references, idempotency."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import override_settings
from django.utils import timezone

from tests import factories
from yilian.chain import engine
from yilian.chain.services import start_chain
from yilian.departments import registry
from yilian.departments.base import StepRequest, TransientError
from yilian.departments.models import Effect
from yilian.departments.simconfig import SimulatorConfig, _parse_latency, _parse_outages

pytestmark = pytest.mark.django_db

BASE = {"latency_ms": "0", "failure_rate": 0.0, "outages": "", "seed": "3"}


def _request(code: str, key: str, app, payload=None) -> StepRequest:
    return StepRequest(code, key, str(app.pk), app.uscc or "91371071MA00000012",
                       payload if payload is not None else registry.get(code).build_payload(app))


def test_parsing_latency_and_outages():
    assert _parse_latency("0") == (0, 0)
    assert _parse_latency("20-80") == (0.02, 0.08)
    outages = _parse_outages("tax@02:00-03:30; seals@*")
    assert outages == {"tax": [(dt.time(2), dt.time(3, 30))], "seals": [None]}


def test_outage_windows_including_ones_that_cross_midnight():
    config = SimulatorConfig((0, 0), 0.0, _parse_outages("tax@23:00-01:00"))
    def at(hour, minute=0):
        local = timezone.make_aware(dt.datetime(2026, 11, 29, hour, minute))
        return local
    assert config.in_outage("tax", at(23, 30))
    assert config.in_outage("tax", at(0, 30))
    assert not config.in_outage("tax", at(1, 0))
    assert not config.in_outage("seals", at(23, 30))


def test_latency_is_applied():
    app = factories.application()
    with override_settings(SIMULATOR={**BASE, "latency_ms": "50"}):
        started = time.monotonic()
        registry.get("housing_fund").submit(_request("housing_fund", "lat-1", app))
        assert time.monotonic() - started >= 0.05


def test_an_outage_refuses_without_acting():
    app = factories.application()
    with override_settings(SIMULATOR={**BASE, "outages": "tax@*"}), \
            pytest.raises(TransientError, match="outage"):
        registry.get("tax").submit(_request("tax", "out-1", app))
    assert not Effect.objects.filter(idempotency_key="out-1").exists()


def test_failures_happen_both_before_and_after_the_department_acted():
    app = factories.application()
    before = after = 0
    with override_settings(SIMULATOR={**BASE, "failure_rate": 1.0}):
        for i in range(40):
            key = f"fail-{i}"
            with pytest.raises(TransientError):
                registry.get("medical_insurance").submit(_request("medical_insurance", key, app))
            if Effect.objects.filter(idempotency_key=key).exists():
                after += 1
            else:
                before += 1
    assert before > 5 and after > 5


def test_the_same_key_gets_the_same_answer_and_acts_once():
    app = factories.application()
    department = registry.get("seals")
    first = department.submit(_request("seals", "same-key", app))
    again = department.submit(_request("seals", "same-key", app))
    assert first == again
    effect = Effect.objects.get(department="seals", idempotency_key="same-key")
    assert effect.calls == 2 and effect.reference == first.reference
    other = department.submit(_request("seals", "other-key", app))
    assert other.reference != first.reference


def test_references_look_like_the_departments_own():
    app = factories.application(bank=True)
    chain = start_chain(app)
    engine.drain()
    app.refresh_from_db()
    refs = {s.code: s for s in chain.steps.all()}
    assert refs["registration"].reference == app.uscc
    assert refs["seals"].reference.startswith("YZ" + app.uscc[2:8])
    assert [s["name"] for s in refs["seals"].result["seals"]] == \
        ["公章", "财务专用章", "发票专用章", "法定代表人名章"]
    assert refs["tax"].reference.startswith("SW") and \
        refs["tax"].result["taxpayer_id"] == app.uscc
    assert refs["medical_insurance"].reference.startswith("H" + app.uscc[2:8])
    assert refs["bank"].reference.startswith("YY")
    enrolled = refs["social_security"].result["enrolled"]
    assert len(enrolled) == 2 and all(e["personal_no"].startswith(
        refs["social_security"].reference) for e in enrolled)


def test_the_registry_is_the_only_thing_the_engine_knows():
    codes = set(registry.departments())
    assert codes == {"registration", "seals", "tax", "social_security", "medical_insurance",
                     "housing_fund", "bank"}
    for code, department in registry.departments().items():
        assert department.code == code and department.name_zh and department.name_en
