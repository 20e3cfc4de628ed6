"""Texts in production: `yilian serve` and `yilian worker --beat` (Celery) on PostgreSQL +
Redis with ``YILIAN_SMS_URL`` pointing at a real HTTP SMS provider (a server in this
test): every code and every milestone text of a completed application reaches the
provider once, from the outbox, by the worker."""

from __future__ import annotations

from tests.e2e.processes import wait_for
from tests.e2e.test_production import pytestmark, serving, submit_example  # noqa: F401
from tests.notices.test_delivery import Provider

LIAISON = "18606310005"  # the example's 联络员: a password account is told through them
MILESTONES = ("已受理", "已核准登记", "枚印章已刻制", "银行开户已预约", "已全部办结")


def test_the_worker_delivers_every_text_to_the_provider_once(tmp_path):
    provider = Provider(503)  # the first request meets a provider hiccup: retried
    try:
        with serving(tmp_path, "agency-sms", web_workers=1, YILIAN_SMS_URL=provider.url,
                     YILIAN_SMS_KEY="k-123") as (client, log):
            submit_example(client)

            def told() -> list[str]:
                # Every milestone, and each party's code (the one that met the hiccup
                # comes later, on its retry).
                texts = [v["text"] for v in provider.sent.values() if v["to"] == LIAISON]
                codes = [v for v in provider.sent.values() if "验证码" in v["text"]]
                done = all(any(m in t for t in texts) for m in MILESTONES) and len(codes) >= 5
                return texts if done else []

            texts = wait_for(told, 120, interval=0.2, what=f"the texts (log: {log})")
            for milestone in MILESTONES:
                assert sum(milestone in t for t in texts) == 1, (milestone, texts)
            assert all(r["headers"]["Authorization"] == "Bearer k-123"
                       for r in provider.requests)
    finally:
        provider.close()
