"""A step a department accepted (待部门办结): it waits with the department's expected
time, is polled once that time and the grace have passed, and is done once — with the
seals department reached over real HTTP (a loopback peer), the others simulated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.departments.peer import Peer, Reply, accepted, done, reached_over_http
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_step
from yilian.chain import engine
from yilian.chain.models import StepStatus
from yilian.chain.services import start_chain

pytestmark = pytest.mark.django_db


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()


def _actions(chain, code="seals") -> list[str]:
    stream = stream_for_step(chain.application_id, code)
    return list(Entry.objects.filter(stream=stream).order_by("seq")
                .values_list("action", flat=True))


def _make_due(step) -> None:
    step.next_attempt_at = timezone.now() - dt.timedelta(seconds=1)
    step.save(update_fields=["next_attempt_at"])


@pytest.fixture
def seals():
    """The seals department over HTTP; its script starts as "accepted, in an hour"."""
    expected = (timezone.now() + dt.timedelta(hours=1)).replace(microsecond=0)
    with Peer(accepted(_iso(expected))) as peer, reached_over_http({"seals": peer}):
        peer.expected = expected
        yield peer


def test_an_accepted_step_waits_and_the_sla_clock_is_untouched(seals, settings):
    chain = start_chain(factories.application())
    deadline = chain.deadline_at
    engine.drain()

    step = chain.steps.get(code="seals")
    assert step.status == StepStatus.WAITING
    assert step.expected_at == seals.expected
    assert step.next_attempt_at == seals.expected + dt.timedelta(
        seconds=settings.DEPARTMENT_POLL_GRACE_SECONDS)
    assert step.attempts == 1 and step.last_error == ""
    assert _actions(chain) == ["step.running", "step.waiting"]
    chain.refresh_from_db()
    assert chain.deadline_at == deadline and chain.finished_at is None
    assert {s.code for s in chain.steps.exclude(status=StepStatus.DONE)} == {"seals"}
    assert step.waiting_on == "department"
    assert engine.ready_step_ids() == []  # not before its time
    # The request carried where to report the result.
    assert seals.seen[0].json()["callback_url"].endswith("/api/v1/departments/seals/callbacks/")


def test_a_waiting_step_is_polled_when_due_and_done_once(seals):
    chain = start_chain(factories.application())
    engine.drain()
    step = chain.steps.get(code="seals")
    _make_due(step)
    seals.script = done("YZ37107120261129000001", maker="诚信印章")
    engine.drain()

    step.refresh_from_db()
    assert step.status == StepStatus.DONE and step.reference == "YZ37107120261129000001"
    assert step.result == {"maker": "诚信印章"}
    assert step.attempts == 1  # asking how it stands is not another try
    assert [(s.method, s.path) for s in seals.seen] == [
        ("POST", "/v1/requests"), ("GET", f"/v1/requests/{step.idempotency_key}")]
    assert _actions(chain) == ["step.running", "step.waiting", "step.polling", "step.done"]
    chain.refresh_from_db()
    assert chain.finished_at is not None


def test_accepted_again_past_its_time_waits_again_and_longer(seals):
    chain = start_chain(factories.application())
    engine.drain()
    step = chain.steps.get(code="seals")
    _make_due(step)
    late = timezone.now() - dt.timedelta(minutes=10)
    seals.script = accepted(_iso(late))
    before = timezone.now()
    engine.drain()

    step.refresh_from_db()
    assert step.status == StepStatus.WAITING
    # Ten minutes overdue: asked again after five to ten more, not every grace period.
    assert before + dt.timedelta(seconds=299) < step.next_attempt_at \
        < timezone.now() + dt.timedelta(seconds=601)
    assert _actions(chain)[-2:] == ["step.polling", "step.waiting"]


def test_a_poll_the_department_does_not_know_asks_again_with_the_same_key(seals):
    chain = start_chain(factories.application())
    engine.drain()
    _make_due(chain.steps.get(code="seals"))

    def script(seen):
        if seen.method == "GET":
            return Reply(404, {"status": "unknown"})
        return done("YZ2")(seen)

    seals.script = script
    engine.drain()
    step = chain.steps.get(code="seals")
    assert step.status == StepStatus.DONE and step.reference == "YZ2"
    assert [s.method for s in seals.seen] == ["POST", "GET", "POST"]
    assert {s.json().get("key") for s in seals.seen if s.method == "POST"} == \
        {step.idempotency_key}


def test_busy_department_is_not_asked_before_its_retry_after(seals):
    seals.script = lambda seen: Reply(503, {"status": "error", "error": "down"},
                                      {"Retry-After": "600"})
    chain = start_chain(factories.application())
    engine.drain()
    step = chain.steps.get(code="seals")
    assert step.status == StepStatus.RETRYING and step.waiting_on == "department"
    assert step.next_attempt_at > timezone.now() + dt.timedelta(seconds=590)


def test_a_refusal_fails_the_step_for_a_person(seals):
    seals.script = lambda seen: Reply(422, {"status": "refused", "reason": {
        "code": "maker_closed", "message_zh": "刻章单位停业", "message_en": "maker closed"}})
    chain = start_chain(factories.application())
    engine.drain()
    step = chain.steps.get(code="seals")
    assert step.status == StepStatus.FAILED and "maker_closed" in step.last_error
    assert step.waiting_on == "person"


def _steps(client, app) -> dict:
    return {s["code"]: s for s in client.get(f"/api/v1/applications/{app.pk}/").json()["steps"]}


def test_the_applicant_sees_the_waiting_step_its_expected_time_and_who_it_waits_on(
        seals, client):
    from yilian.accounts import roles

    app = factories.application()
    roles.grant(app.owner, roles.APPLICANT)
    chain = start_chain(app)
    engine.drain()
    client.force_login(app.owner)

    steps = _steps(client, app)
    assert steps["seals"]["status"] == "waiting"
    assert dt.datetime.fromisoformat(steps["seals"]["expected_at"]) == seals.expected
    assert steps["seals"]["waiting_on"] == "department"
    assert steps["seals"]["overdue"] is False
    assert steps["tax"]["expected_at"] is None and steps["tax"]["waiting_on"] is None

    page = client.get(f"/me/applications/{app.pk}/timeline/").content.decode()
    at = timezone.localtime(seals.expected).strftime("%m-%d %H:%M")
    assert f"已由部门受理，预计 {at} 前办结" in page and "待部门办结" in page
    english = client.get(f"/me/applications/{app.pk}/timeline/",
                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Accepted by the department, expected by {at}" in english
    assert "Waiting for the department" in english

    # Past the promise, and stopped for a person: both said.
    finished = max(s.finished_at for s in chain.steps.filter(status=StepStatus.DONE))
    chain.deadline_at = finished + dt.timedelta(microseconds=1)  # passed by now
    chain.save(update_fields=["deadline_at"])
    chain.steps.filter(code="seals").update(status=StepStatus.FAILED)
    steps = _steps(client, app)
    assert steps["seals"]["overdue"] is True and steps["seals"]["waiting_on"] == "person"
    assert steps["seals"]["expected_at"] is None
    assert steps["tax"]["overdue"] is False  # done in time
    page = client.get(f"/me/applications/{app.pk}/timeline/").content.decode()
    assert "等待部门工作人员处理" in page and "已超承诺时限" in page


def test_the_seals_officer_finds_the_waiting_step_in_the_console(seals, client):
    from yilian.accounts import roles

    chain = start_chain(factories.application())
    engine.drain()
    officer = factories.user()
    roles.grant(officer, roles.officer_group("seals"))
    client.force_login(officer)
    page = client.get(reverse("workbench:console") + "?status=waiting").content.decode()
    at = timezone.localtime(seals.expected).strftime("%m-%d %H:%M")
    assert 'data-status="waiting"' in page and f"预计 {at} 前办结" in page
    assert chain.application.name in page
    # By hand, too: a seal record that reached the officer another way.
    step = chain.steps.get(code="seals")
    answer = client.post(reverse("workbench:complete", args=[step.pk]),
                         {"reference": "YZ-BY-HAND"})
    assert answer.status_code in (200, 302)
    step.refresh_from_db()
    assert step.status == StepStatus.DONE and step.reference == "YZ-BY-HAND"
