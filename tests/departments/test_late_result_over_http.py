"""Both directions over real HTTP: Yilian asks the seals department (a loopback peer), the
department accepts and then calls back Yilian's live server with the signed result; the
step ends done once, whether the callback or the answer is recorded first."""

from __future__ import annotations

import datetime as dt
import json
import threading
from urllib.parse import urlsplit

import httpx
import pytest
from django.utils import timezone

from tests import factories
from tests.departments.peer import Peer, Reply, reached_over_http
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_step
from yilian.chain import engine
from yilian.chain.models import StepStatus
from yilian.chain.services import start_chain
from yilian.departments import protocol


class CallingBack:
    """The department's side: accept every request, then report it done by callback."""

    def __init__(self, first: str) -> None:
        self.first = first
        self.delay = 0.5 if first == "answer" else 0.0
        self.deliveries: list[int] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, seen) -> Reply:
        request = seen.json()
        thread = threading.Thread(target=self._call_back, args=(request,))
        self.threads.append(thread)
        thread.start()
        if self.first == "callback":  # the answer is "lost" until the callback is in
            thread.join(timeout=15)
        later = (timezone.now() + dt.timedelta(hours=1)).isoformat()
        return Reply(202, {"protocol": protocol.PROTOCOL, "key": request["key"],
                           "status": "accepted", "expected_at": later})

    def _call_back(self, request: dict) -> None:
        threading.Event().wait(self.delay)
        body = json.dumps({"protocol": protocol.PROTOCOL, "event_id": "e-1",
                           "key": request["key"], "status": "done",
                           "reference": "YZ37107120261129000009",
                           "data": {"maker": "诚信印章"}}, ensure_ascii=False).encode()
        url = request["callback_url"]
        headers = protocol.signed_headers(self._secret, "seals", "POST", urlsplit(url).path,
                                          body)
        self.deliveries.append(httpx.post(url, content=body, headers=headers,
                                          timeout=10).status_code)


@pytest.mark.parametrize("first", ["callback", "answer"])
@pytest.mark.django_db(transaction=True)
def test_a_result_called_back_to_the_live_server_completes_the_step_once(
        live_server, settings, first):
    settings.PUBLIC_URL = live_server.url
    department = CallingBack(first)
    with Peer(department) as seals, reached_over_http({"seals": seals}):
        department._secret = seals.secret
        chain = start_chain(factories.application())
        engine.drain()
        for thread in department.threads:
            thread.join(timeout=15)

    assert department.deliveries == [200]
    step = chain.steps.get(code="seals")
    assert step.status == StepStatus.DONE and step.reference == "YZ37107120261129000009"
    assert step.result == {"maker": "诚信印章"}
    chain.refresh_from_db()
    assert chain.finished_at is not None
    assert [s.method for s in seals.seen] == ["POST"]  # never polled: the result came
    actions = list(Entry.objects.filter(
        stream=stream_for_step(chain.application_id, "seals")).order_by("seq")
        .values_list("action", flat=True))
    assert actions == (["step.running", "step.done"] if first == "callback"
                       else ["step.running", "step.waiting", "step.done"])
