"""Log lines as JSON with the request id, the application and the step; the access log."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import override_settings

from tests import factories
from yilian.chain import engine
from yilian.chain.services import start_chain
from yilian.observability.logs import ContextFilter, JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """What the production console handler writes, for the ``yilian`` loggers."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("yilian")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


@override_settings(ACCESS_LOG=True)
def test_the_access_log_is_one_json_line_per_request(client, json_lines):
    client.get("/?q=secret-code", HTTP_X_REQUEST_ID="req-77")
    client.get("/healthz")  # probes stay out of it
    (line,) = [entry for entry in json_lines() if entry["logger"] == "yilian.access"]
    assert line["request_id"] == "req-77"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/", 200)
    assert line["duration_ms"] >= 0 and line["level"] == "INFO"
    assert line["time"].endswith("Z")
    assert "secret-code" not in json.dumps(line)  # query strings may carry codes


def test_a_step_s_log_lines_name_its_application_and_step(json_lines, monkeypatch):
    from yilian.departments import registry

    app = factories.application()
    start_chain(app)
    department = registry.get("registration")

    def broken(request):
        raise KeyError("adapter bug")

    monkeypatch.setattr(department, "submit", broken)
    engine.drain()
    (line,) = [entry for entry in json_lines() if "raised" in entry["message"]]
    assert line["application_id"] == str(app.pk)
    assert line["step"] == "registration"
    assert line["level"] == "ERROR" and "KeyError" in line["exception"]
    # Outside the attempt the context is gone.
    logging.getLogger("yilian.chain").info("after")
    assert "step" not in json_lines()[-1]


def test_the_format_follows_the_setting():
    from yilian.observability.logs import logging_config

    assert logging_config(json_lines=True)["handlers"]["console"]["formatter"] == "json"
    assert logging_config(json_lines=False)["handlers"]["console"]["formatter"] == "text"
