"""Delivering texts through the HTTP SMS provider — a real HTTP server on 127.0.0.1,
started by the test (no mocks): sent, retried after a 5xx, failed visibly when refused."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from yilian.accounts.models import Delivery, OutboxMessage
from yilian.notices import outbox, senders

pytestmark = pytest.mark.django_db


class Provider:
    """A tiny SMS provider: answers each request with the next scripted status, records
    what it was sent, and sends each Idempotency-Key once."""

    def __init__(self, *statuses: int, port: int = 0) -> None:
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        self.sent: dict[str, dict] = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                provider.requests.append({"headers": dict(self.headers), "body": body})
                status = provider.statuses.pop(0) if provider.statuses else 200
                if status == 200:
                    provider.sent.setdefault(self.headers["Idempotency-Key"], body)
                answer = json.dumps({"id": f"P{len(provider.requests)}"} if status == 200
                                    else {"error": "no"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    servers = []

    def start(*statuses: int) -> Provider:
        server = Provider(*statuses)
        servers.append(server)
        settings.SMS_URL, settings.SMS_KEY = server.url, "test-key-123"
        return server

    yield start
    for server in servers:
        server.close()


def _due(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_a_text_is_sent_with_the_key_and_its_id(provider):
    server = provider(200)
    message = outbox.put("13900001234", "【一链】测试", kind="code")
    assert message.status == Delivery.PENDING
    assert outbox.deliver_due() == 1
    message.refresh_from_db()
    assert message.status == Delivery.SENT and message.delivered_at
    assert message.provider_ref == "P1" and message.attempts == 1
    (request,) = server.requests
    assert request["body"] == {"id": f"yilian-sms-{message.pk}", "to": "13900001234",
                               "text": "【一链】测试"}
    assert request["headers"]["Authorization"] == "Bearer test-key-123"
    assert outbox.deliver_due() == 0  # sent is sent


def test_a_5xx_is_retried_later_then_sent(provider):
    server = provider(503, 502, 200)
    message = outbox.put("13900001234", "【一链】重试")
    assert outbox.deliver(message.pk) == Delivery.PENDING
    message.refresh_from_db()
    assert message.next_attempt_at > timezone.now() and "503" in message.last_error
    assert outbox.deliver_due() == 0  # not due yet: the backoff holds
    _due(message)
    assert outbox.deliver(message.pk) == Delivery.PENDING
    _due(message)
    assert outbox.deliver(message.pk) == Delivery.SENT
    message.refresh_from_db()
    assert message.attempts == 3 and message.last_error == ""
    assert len(server.requests) == 3 and len(server.sent) == 1


def test_a_refusal_fails_at_once_and_visibly(provider, client, settings):
    server = provider(400)
    message = outbox.put("13900001234", "【一链】拒收")
    assert outbox.deliver(message.pk) == Delivery.FAILED
    message.refresh_from_db()
    assert "HTTP 400" in message.last_error and message.next_attempt_at is None
    assert outbox.deliver_due() == 0 and len(server.requests) == 1  # never again
    settings.DEMO_MODE = True
    page = client.get("/accounts/outbox/").content.decode()
    assert "发送失败" in page and "HTTP 400" in page


def test_retries_end_in_failure_past_the_limit(provider, settings):
    settings.SMS_MAX_ATTEMPTS = 2
    provider(500, 500, 200)
    message = outbox.put("13900001234", "【一链】上限")
    assert outbox.deliver(message.pk) == Delivery.PENDING
    _due(message)
    assert outbox.deliver(message.pk) == Delivery.FAILED


def test_no_server_listening_is_a_transient_failure(settings):
    settings.SMS_URL = "http://127.0.0.1:9/sms"  # discard port: nothing listens
    message = outbox.put("13900001234", "【一链】无连接")
    assert outbox.deliver(message.pk) == Delivery.PENDING
    assert "ConnectError" in OutboxMessage.objects.get(pk=message.pk).last_error


def test_without_a_provider_texts_stay_in_the_outbox(settings):
    settings.SMS_URL = ""
    assert isinstance(senders.configured(), senders.OutboxSender)
    message = outbox.put("13900001234", "【一链】演示")
    assert message.status == Delivery.HELD and outbox.deliver_due() == 0


def test_the_key_may_come_from_a_file(tmp_path, monkeypatch):
    from yilian import conf

    secret = tmp_path / "sms-key"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("YILIAN_SMS_KEY", raising=False)
    monkeypatch.setenv("YILIAN_SMS_KEY_FILE", str(secret))
    assert conf.get_secret("YILIAN_SMS_KEY") == "from-a-file"
    monkeypatch.setenv("YILIAN_SMS_KEY", "set")
    assert conf.get_secret("YILIAN_SMS_KEY") == "set"
    assert conf.masked("YILIAN_SMS_KEY", "set") == "***"


def test_milestone_texts_reach_the_provider_once(provider):
    from tests import factories

    server = provider()
    application = factories.application(factories.user("13900005555"), accepted=False)
    factories.confirm_parties(application)
    waiting = OutboxMessage.objects.filter(application=application)
    assert waiting.count() == application.parties.count()
    assert set(waiting.values_list("status", flat=True)) == {Delivery.PENDING}
    assert outbox.deliver_due() == waiting.count()
    assert outbox.deliver_due() == 0
    assert {r["body"]["to"] for r in server.requests} == {"13900005555"}
    assert len(server.sent) == waiting.count()
    assert set(waiting.values_list("status", flat=True)) == {Delivery.SENT}


def test_texts_gathered_in_a_block_are_written_together_once_per_key(
        provider, django_assert_num_queries):
    from django.db import transaction

    server = provider(200)
    outbox.put("13900001234", "【一链】早先", kind="seals", key="k:seals")
    with transaction.atomic():
        # The check below, then the block's one insert.
        with django_assert_num_queries(2), outbox.gathered():
            for kind in ("seals", "bank", "completed"):  # seals: its key is written
                assert outbox.put("13900001234", f"【一链】{kind}", kind=kind,
                                  key=f"k:{kind}") is None
            assert not OutboxMessage.objects.filter(kind="bank").exists()  # not yet
        assert set(OutboxMessage.objects.values_list("body", flat=True)) == {
            "【一链】早先", "【一链】bank", "【一链】completed"}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Delivery.PENDING}
    assert outbox.deliver_due() == 3
    assert len(server.requests) == 3


def test_texts_gathered_in_a_block_that_fails_are_not_written():
    with pytest.raises(RuntimeError), outbox.gathered():
        outbox.put("13900001234", "【一链】测试", kind="bank", key="k:bank")
        raise RuntimeError("the round failed")
    assert not OutboxMessage.objects.exists()
