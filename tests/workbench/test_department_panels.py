"""The department console's panels (部门状态): per department of the officer's, its
circuit, last error, steps waiting and last reconciliation; re-asking every failed step
of a department at once — its officers only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.workbench.conftest import submitted
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_step
from yilian.chain import engine, manual
from yilian.chain.models import Step, StepStatus
from yilian.departments import circuit, reconcile
from yilian.departments.models import SimulatorSettings
from yilian.workbench import demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_failed_tax(clerk):
    made = [demo.failing_chain("tax", phone, clerk_username=clerk.username)
            for phone in ("13906319001", "13906319002")]
    engine.drain()
    return made


def _panel(page: str, code: str) -> str:
    start = page.index(f'id="department-{code}"')
    return page[start:page.index("</article>", start)]


def test_each_officer_sees_the_panels_of_their_departments_only(client, two_failed_tax,
                                                                officer):
    reconcile.run("tax")
    client.force_login(officer("tax"))
    page = client.get(reverse("workbench:console")).content.decode()
    tax = _panel(page, "tax")
    assert 'data-circuit="closed"' in tax and "连通正常" in tax
    assert "部门系统暂停服务" in tax  # the last error, in words, with its time
    assert f"{timezone.localtime():%Y-%m-%d}" in tax
    assert '<span data-status="failed" class="bad-text">需人工处理 2</span>' in tax
    assert "重试中 0" in tax and "待部门办结 0" in tax
    assert "一致（2个事项）" in tax
    assert "全部重新提交（2个）" in tax
    assert 'id="department-seals"' not in page

    client.force_login(officer("seals"))
    page = client.get(reverse("workbench:console")).content.decode()
    seals = _panel(page, "seals")
    assert "尚未对账" in seals and "需人工处理 0" in seals and "全部重新提交" not in seals
    assert 'id="department-tax"' not in page


def test_an_open_circuit_and_a_failed_reconciliation_show(client, clerk, applicant,
                                                         officer, settings):
    settings.DEPARTMENT_CIRCUIT_FAILURES = 1
    submitted(clerk, applicant)
    SimulatorSettings(outages="seals@*").save()
    engine.drain()
    assert circuit.is_open("seals")
    reconcile.run("seals")  # the department is down: could not be reached
    client.force_login(officer("seals"))
    page = client.get(reverse("workbench:console"), HTTP_ACCEPT_LANGUAGE="en").content
    seals = _panel(page.decode(), "seals")
    assert 'data-circuit="open"' in seals and "Circuit open" in seals
    assert "its steps wait without being asked" in seals
    assert '<span data-status="retrying">Retrying 1</span>' in seals
    assert "The department's system could not be reached" in seals


def test_re_asking_every_failed_step_at_once(client, two_failed_tax, officer, inbox,
                                             django_capture_on_commit_callbacks):
    steps = Step.objects.filter(code="tax", status=StepStatus.FAILED)
    ids = set(steps.values_list("pk", flat=True))
    assert len(ids) == 2
    url = reverse("workbench:retry-failed", args=["tax"])

    # Another department's officer, a clerk, an unknown department: refused.
    client.force_login(officer("seals"))
    assert client.post(url).status_code == 403
    assert steps.count() == 2
    client.force_login(officer("tax"))
    assert client.post(reverse("workbench:retry-failed", args=["nonesuch"])).status_code \
        == 404
    assert client.get(url).status_code == 405

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"status": "failed"}, follow=True)
    assert answer.redirect_chain[-1][0].endswith("?status=failed")
    assert "已重新提交2个事项，正在办理。" in answer.content.decode()
    queued = []
    while (step_id := inbox.get(timeout=0)) is not None:
        queued.append(step_id)
    assert set(queued) == ids  # dispatched once the transaction committed
    for step in Step.objects.filter(pk__in=ids):
        assert step.status == StepStatus.RETRYING and step.next_attempt_at <= timezone.now()
        (entry,) = Entry.objects.filter(
            stream=stream_for_step(step.chain.application_id, "tax"),
            action="step.retry_requested")
        assert entry.data["all_failed"] is True and entry.actor_label == "officer-tax"

    engine.drain()
    assert not Step.objects.filter(code="tax").exclude(status=StepStatus.DONE).exists()
    answer = client.post(url, follow=True)
    assert "没有需人工处理的事项。" in answer.content.decode()


def test_the_service_checks_the_department_too(two_failed_tax, officer, clerk):
    with pytest.raises(manual.PermissionDenied):
        manual.retry_failed("tax", officer("seals"))
    with pytest.raises(manual.PermissionDenied):
        manual.retry_failed("tax", clerk)
    assert manual.retry_failed("tax", officer("tax")) == 2


def test_a_step_held_by_an_open_circuit_can_be_completed_by_hand(clerk, applicant,
                                                                 officer, settings):
    settings.DEPARTMENT_CIRCUIT_FAILURES = 1
    application = submitted(clerk, applicant)
    SimulatorSettings(outages="bank@*;housing_fund@*").save()
    engine.drain()
    fund = Step.objects.get(chain__application=application, code="housing_fund")
    assert circuit.is_open("housing_fund") and fund.status == StepStatus.RETRYING
    assert manual.can_complete_by_hand(fund)
    manual.complete_by_hand(fund, officer("housing_fund"), "GJJ-BY-HAND-7")
    fund.refresh_from_db()
    assert fund.status == StepStatus.DONE and fund.reference == "GJJ-BY-HAND-7"
    # And a step the department accepted, whose result came by other means.
    Step.objects.filter(pk=fund.pk).update(status="waiting")
    fund.refresh_from_db()
    assert manual.can_complete_by_hand(fund)
