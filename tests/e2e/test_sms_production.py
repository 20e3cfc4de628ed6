"""Texts in production: `yilian serve` and `yilian worker --beat` (Celery) on PostgreSQL +
Redis with ``YILIAN_SMS_URL`` pointing at a real HTTP SMS provider (a server in this
test): every code and every milestone text of a completed application reaches the
provider once, from the outbox, by the worker."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model

from tests.e2e.processes import Client, child_env, free_port, kill, start, wait_for
from tests.e2e.test_production import _code_from_the_outbox_table, pytestmark  # noqa: F401
from tests.notices.test_delivery import Provider

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "application.json"
LIAISON = "18606310005"  # the example's 联络员: a password account is told through them
MILESTONES = ("已受理", "已核准登记", "枚印章已刻制", "银行开户已预约", "已全部办结")


def test_the_worker_delivers_every_text_to_the_provider_once(tmp_path):
    from tests.e2e.test_production import BROKER

    get_user_model().objects.create_user("agency-sms", password="s3cret-pass")
    provider = Provider(503)  # the first request meets a provider hiccup: retried
    port = free_port()
    env = child_env(YILIAN_BROKER_URL=BROKER, YILIAN_SWEEP_SECONDS="1",
                    YILIAN_SMS_URL=provider.url, YILIAN_SMS_KEY="k-123")
    log = tmp_path / "processes.log"
    web = start(["serve", "--port", str(port), "--workers", "1"], env, log)
    worker = start(["worker", "--concurrency", "2", "--beat"], env, log)
    try:
        client = Client(f"http://127.0.0.1:{port}")
        wait_for(client.up, 60, interval=0.2, what=f"gunicorn to answer (log: {log})")
        client.login("agency-sms", "s3cret-pass")
        status, created = client.call("POST", "/api/v1/applications/",
                                      json.loads(EXAMPLE.read_text(encoding="utf-8")))
        assert status == 201, created
        client.confirm_parties(created["id"], _code_from_the_outbox_table)
        status, _ = client.call("POST", f"/api/v1/applications/{created['id']}/submit/")
        assert status == 202

        def told() -> list[str]:
            texts = [v["text"] for v in provider.sent.values() if v["to"] == LIAISON]
            return texts if all(any(m in t for t in texts) for m in MILESTONES) else []

        texts = wait_for(told, 60, interval=0.2, what=f"the texts (log: {log})")
        for milestone in MILESTONES:
            assert sum(milestone in t for t in texts) == 1, (milestone, texts)
        assert all(r["headers"]["Authorization"] == "Bearer k-123"
                   for r in provider.requests)
        codes = [v for v in provider.sent.values() if "验证码" in v["text"]]
        assert len(codes) >= 5  # each party's code went out through the provider too
    finally:
        kill(worker)
        kill(web)
        provider.close()
