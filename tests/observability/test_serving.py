"""A real `yilian serve` operated as in production: probes by IP over plain HTTP behind
YILIAN_HTTPS, hashed and compressed static files, metrics and JSON logs over the wire,
and 503 (never 500) while its database cannot be reached — SQLite made unreachable, or
PostgreSQL behind a TCP proxy that the test cuts."""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.processes import child_env, free_port, kill, start, wait_for
from tests.observability.http import CuttableProxy, fetch, fetch_unredirected

pytestmark = pytest.mark.slow

# A probe: the pod's IP as the host, plain HTTP. A visitor: through the HTTPS proxy.
PROBE = {"Host": "10.244.3.17"}
VISITOR = {"X-Forwarded-Proto": "https"}
API = {**VISITOR, "Authorization": "Bearer not-a-real-token"}
SIGNED_IN = {**VISITOR, "Cookie": "sessionid=8cd0a7c2b1e94e1aa5c6d0f0b9e8a7d6"}


def _serve(tmp: Path, **env):
    port = free_port()
    log = tmp / "serve.log"
    environment = child_env(YILIAN_DATA_DIR=str(tmp / "data"), YILIAN_HTTPS="1",
                            YILIAN_LOG_FORMAT="json", YILIAN_ACCESS_LOG="1",
                            YILIAN_STATIC_MANIFEST="1", **env)
    process = start(["serve", "--port", str(port), "--workers", "1"], environment, log)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _status(base + "/readyz", PROBE) == 200, 90, interval=0.3,
             what=f"/readyz (log: {log})")
    return process, base, log


def _status(url: str, headers: dict) -> int:
    try:
        return fetch(url, headers)[0]
    except OSError:
        return 0


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    (tmp / "metrics").mkdir()
    # prometheus_client's multiprocess mode, as with several gunicorn and Celery workers.
    process, base, log = _serve(tmp, YILIAN_DATABASE_URL="",
                                PROMETHEUS_MULTIPROC_DIR=str(tmp / "metrics"))
    yield base, log, tmp / "data"
    kill(process)


def test_probes_answer_by_ip_over_plain_http_and_others_are_redirected(embedded):
    base, _, _ = embedded
    status, _, body = fetch(base + "/healthz", PROBE)
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, _, body = fetch(base + "/readyz", PROBE)
    assert status == 200 and json.loads(body)["failing"] == []
    assert fetch_unredirected(base + "/", {"Host": "127.0.0.1"}) == 301  # to https


def test_static_files_are_hashed_compressed_and_cached_for_ever(embedded):
    base, _, _ = embedded
    status, _, page = fetch(base + "/", VISITOR)
    assert status == 200
    css = re.search(rb'href="(/static/yilian/yilian\.[0-9a-f]{12}\.css)"', page)
    assert css, page[:500]
    status, headers, _ = fetch(base + css.group(1).decode(),
                               {**VISITOR, "Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    assert "immutable" in headers.get("Cache-Control", "")


def test_metrics_and_json_log_lines_over_the_wire(embedded):
    base, log, _ = embedded
    fetch(base + "/", {**VISITOR, "X-Request-ID": "probe-e2e-1"})
    status, _, body = fetch(base + "/metrics")
    assert status == 200
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    home = [s for s in families["yilian_http_requests"].samples
            if s.labels.get("view") == "home" and s.name.endswith("_total")]
    assert home and home[0].value >= 1
    assert "yilian_queue_lag_seconds" in families
    assert "process_cpu_seconds" not in families  # one process's own: not in the sum
    assert fetch(base + "/metrics", {"X-Forwarded-For": "203.0.113.5"})[0] == 403
    lines = [json.loads(line) for line in log.read_text().splitlines()
             if line.startswith("{")]
    access = [line for line in lines if line.get("request_id") == "probe-e2e-1"]
    assert access and access[0]["logger"] == "yilian.access" and access[0]["status"] == 200
    # gunicorn's own lines too, master's and worker's.
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"]
               for line in lines)
    assert not [line for line in log.read_text().splitlines() if line.startswith("[20")]


def _answers_503_while_down(base: str) -> None:
    status, headers, body = fetch(base + "/api/v1/applications/", API)
    assert status == 503, body[:300]
    assert headers["Retry-After"].isdigit()
    assert json.loads(body)["errors"][0]["code"] == "unavailable"
    status, headers, body = fetch(base + "/me/", SIGNED_IN)
    assert status == 503, body[:300]
    assert headers["Retry-After"].isdigit() and "服务暂时不可用" in body.decode()
    assert headers["Content-Type"].startswith("text/html")
    body = fetch(base + "/me/", {**SIGNED_IN, "Accept-Language": "en"})[2]
    assert b"service is temporarily unavailable" in body.lower(), body.decode()
    assert fetch(base + "/healthz", PROBE)[0] == 200
    status, _, body = fetch(base + "/readyz", PROBE)
    assert status == 503 and json.loads(body)["failing"] == ["database"]
    status, _, body = fetch(base + "/metrics")  # the counters, without the database's
    assert status == 200 and b"yilian_http_requests_total" in body


def _answers_again(base: str) -> None:
    wait_for(lambda: _status(base + "/readyz", PROBE) == 200, 30, what="readiness back")
    assert fetch(base + "/api/v1/applications/", API)[0] in (401, 403)
    assert fetch(base + "/me/", SIGNED_IN)[0] in (200, 302)


def test_sqlite_unreachable_answers_503_then_recovers(embedded):
    base, log, data = embedded
    database = data / "yilian.sqlite3"
    away = data / "yilian.sqlite3.away"
    database.rename(away)
    database.mkdir()  # a directory where the file was: SQLite cannot open it
    try:
        _answers_503_while_down(base)
    finally:
        database.rmdir()
        away.rename(database)
    _answers_again(base)
    assert '"status": 500' not in log.read_text()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("YILIAN_DATABASE_URL", "").startswith("postgres"),
                    reason="runs in the PostgreSQL suite")
def test_postgresql_unreachable_answers_503_then_recovers(tmp_path):
    from django.db import connection

    settings = connection.settings_dict
    proxy = CuttableProxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    url = child_env()["YILIAN_DATABASE_URL"]
    through_proxy = re.sub(r"@[^/]+/", f"@127.0.0.1:{proxy.port}/", url)
    process, base, log = _serve(tmp_path, YILIAN_DATABASE_URL=through_proxy)
    try:
        assert fetch(base + "/api/v1/applications/", API)[0] in (401, 403)
        proxy.cut()  # open connections broken, new ones refused
        _answers_503_while_down(base)
        _answers_503_while_down(base)  # and again, once every connection has failed
        proxy.restore()
        _answers_again(base)
    finally:
        proxy.cut()
        kill(process)
    assert '"status": 500' not in log.read_text()
    shutil.rmtree(tmp_path / "data", ignore_errors=True)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not (os.environ.get("YILIAN_TEST_BROKER_URL") and os.environ.get(
    "YILIAN_DATABASE_URL", "").startswith("postgres")), reason="runs in the PostgreSQL + "
    "Redis suite")
def test_a_chain_s_worker_log_lines_carry_the_submitting_request_s_id(tmp_path):
    from tests.e2e.test_production import EXAMPLE, _code_from_the_outbox_table, serving

    with serving(tmp_path, "agency-obs", web_workers=1, YILIAN_LOG_FORMAT="json") \
            as (client, log):
        status, created = client.call("POST", "/api/v1/applications/",
                                      json.loads(EXAMPLE.read_text(encoding="utf-8")))
        assert status == 201, created
        client.confirm_parties(created["id"], _code_from_the_outbox_table)
        request = urllib.request.Request(
            f"{client.base}/api/v1/applications/{created['id']}/submit/", data=b"",
            method="POST", headers={"Authorization": f"Bearer {client.token}",
                                    "X-Request-ID": "submit-obs-42"})
        with urllib.request.urlopen(request, timeout=15) as response:
            assert response.status == 202

        def worked() -> list[dict]:
            lines = [json.loads(line) for line in log.read_text().splitlines()
                     if line.startswith("{")]
            # One line a step done, in the worker, under the submitting request's id.
            return [line for line in lines if line["logger"] == "yilian.chain"
                    and "(registration) done: " in line["message"]
                    and line.get("request_id") == "submit-obs-42"]

        wait_for(worked, 30, interval=0.2, what=f"the worker's lines (log: {log})")
