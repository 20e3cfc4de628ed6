"""/metrics: who may read it, and what it counts — parsed with prometheus_client's own
parser, as Prometheus would read it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from tests import factories
from yilian.chain import engine
from yilian.chain.models import StepStatus
from yilian.chain.services import start_chain

pytestmark = pytest.mark.django_db

TOKEN = "scrape-8c1f"


def scrape(client, **headers) -> dict[tuple, float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples}


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_loopback_reads_others_need_the_token(client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 403
    # Through a reverse proxy on the same host everyone looks like 127.0.0.1.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 403
    with override_settings(METRICS_TOKEN=TOKEN):
        assert client.get("/metrics", REMOTE_ADDR="10.0.0.9",
                          HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
        assert client.get("/metrics", REMOTE_ADDR="10.0.0.9",
                          HTTP_AUTHORIZATION="Bearer guess").status_code == 403


def test_requests_are_counted_by_view_and_status_and_timed(client):
    before = scrape(client)
    client.get("/")
    client.get("/")
    client.get("/no-such-page/")
    after = scrape(client)
    home = {"view": "home", "method": "GET", "status": "200"}
    assert value(after, "yilian_http_requests_total", **home) - \
        value(before, "yilian_http_requests_total", **home) == 2
    missing = {"view": "none", "method": "GET", "status": "404"}
    assert value(after, "yilian_http_requests_total", **missing) - \
        value(before, "yilian_http_requests_total", **missing) == 1
    assert value(after, "yilian_http_request_duration_seconds_count", view="home") - \
        value(before, "yilian_http_request_duration_seconds_count", view="home") == 2


def test_department_calls_retries_and_step_gauges(client):
    before = scrape(client)
    chain = start_chain(factories.application())
    # Tax is down for its first attempt: one transient failure, then a retry that works.
    with override_settings(SIMULATOR={"latency_ms": "0", "failure_rate": 0.0,
                                      "outages": "tax@*", "seed": "1"}):
        engine.drain()
    chain.steps.filter(code="tax").update(next_attempt_at=timezone.now())
    engine.drain()
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("yilian_step_attempts_total", department="registration", outcome="done") == 1
    assert grew("yilian_step_attempts_total", department="tax", outcome="transient") == 1
    assert grew("yilian_step_attempts_total", department="tax", outcome="done") == 1
    assert grew("yilian_step_retries_total", department="tax") == 1
    assert grew("yilian_step_retries_total", department="seals") == 0
    assert grew("yilian_department_call_duration_seconds_count", department="tax",
                outcome="transient") == 1
    # From the database at scrape time.
    assert value(after, "yilian_steps", department="tax", status="done") == 1
    assert value(after, "yilian_queue_lag_seconds") == 0


def test_queue_lag_and_sla_overruns_from_the_database(client):
    chain = start_chain(factories.application())
    now = timezone.now()
    chain.steps.filter(code="registration").update(
        next_attempt_at=now - dt.timedelta(seconds=90))
    chain.deadline_at = now - dt.timedelta(minutes=1)
    chain.save(update_fields=["deadline_at"])
    engine.flag_overdue()
    samples = scrape(client)
    assert 90 <= value(samples, "yilian_queue_lag_seconds") < 120
    assert value(samples, "yilian_steps", department="registration",
                 status=StepStatus.PENDING) == 1
    assert value(samples, "yilian_steps_overdue", department="registration") == 1
    assert value(samples, "yilian_chains_overdue", state="running_late") == 1
    assert value(samples, "yilian_chains_overdue", state="finished_late") == 0
