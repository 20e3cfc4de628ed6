"""The production processes together: `yilian serve` (gunicorn) and `yilian worker`
(Celery) on PostgreSQL + Redis, driven over HTTP like any client."""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.e2e.processes import Client, child_env, free_port, kill, start, wait_for

BROKER = os.environ.get("YILIAN_TEST_BROKER_URL", "")
ON_POSTGRES = os.environ.get("YILIAN_DATABASE_URL", "").startswith("postgres")
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "application.json"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(not (BROKER and ON_POSTGRES),
                       reason="runs in the PostgreSQL + Redis suite"),
]


def _code_from_the_outbox_table(masked_phone: str) -> str:
    """Outside demo mode no API shows codes: the test reads the message the SMS gateway
    would deliver, from the database both processes share."""
    from yilian.accounts.models import OutboxMessage

    message = OutboxMessage.objects.filter(kind="code", to__startswith=masked_phone[:3],
                                           to__endswith=masked_phone[-4:]).first()
    return re.search(r"\d{6}", message.body).group(0)


@contextlib.contextmanager
def serving(tmp_path, username: str, web_workers: int = 2, **env):
    """`yilian serve` (gunicorn) and `yilian worker` (Celery) on the run's
    PostgreSQL + Redis, and a client signed in as a new agency account; the processes'
    output goes to ``processes.log`` (yielded with the client, for failure messages)."""
    get_user_model().objects.create_user(username, password="s3cret-pass")
    port = free_port()
    # Links and department callbacks (callback_url) point at this server's own port.
    env.setdefault("YILIAN_PUBLIC_URL", f"http://127.0.0.1:{port}")
    environment = child_env(YILIAN_BROKER_URL=BROKER, YILIAN_SWEEP_SECONDS="1", **env)
    log = tmp_path / "processes.log"
    web = start(["serve", "--port", str(port), "--workers", str(web_workers)], environment,
                log)
    worker = start(["worker", "--concurrency", "2"], environment, log)
    try:
        client = Client(f"http://127.0.0.1:{port}")
        wait_for(client.up, 60, interval=0.2, what=f"gunicorn to answer (log: {log})")
        client.login(username, "s3cret-pass")
        yield client, log
    finally:
        kill(worker)
        kill(web)


def prepare_example(client, name: str = "", code_for=_code_from_the_outbox_table) -> dict:
    """The example application (under ``name`` when given: names may not clash) created
    and confirmed by every party (codes from ``code_for``), ready to submit."""
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    status, created = client.call("POST", "/api/v1/applications/",
                                  {**data, **({"name": name} if name else {})})
    assert status == 201, created
    client.confirm_parties(created["id"], code_for)
    return created


def submit_example(client) -> dict:
    """The example application created, confirmed by every party, submitted: 202."""
    created = prepare_example(client)
    status, _ = client.call("POST", f"/api/v1/applications/{created['id']}/submit/")
    assert status == 202
    return created


def test_serve_and_worker_complete_a_chain_over_http(tmp_path):
    with serving(tmp_path, "agency") as (client, log):
        created = submit_example(client)

        def completed():
            _, app = client.call("GET", f"/api/v1/applications/{created['id']}/")
            return app if app["status"] == "completed" else None

        app = wait_for(completed, 30, interval=0.1, what=f"the chain (log: {log})")
        assert all(s["status"] == "done" and s["reference"] for s in app["steps"])
        status, schema = client.call("GET", "/api/v1/schema/?format=json")
        assert status == 200 and "/api/v1/applications/" in schema["paths"]
