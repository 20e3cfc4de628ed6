"""Milestone texts: each milestone texts the applicant once — never twice on a re-run —
with the link to their page under the public URL, and only Yilian's own words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.workbench.conftest import submitted
from yilian.accounts.models import Delivery, OutboxMessage
from yilian.chain import engine, manual
from yilian.chain.models import Step, StepStatus
from yilian.departments.base import Outcome
from yilian.forms import review, services
from yilian.forms.models import Application
from yilian.notices import notify

pytestmark = pytest.mark.django_db
PUBLIC = "https://yilian.example.gov.cn"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.PUBLIC_URL = PUBLIC


def texts(application, kind: str | None = None) -> list[OutboxMessage]:
    found = OutboxMessage.objects.filter(application=application).order_by("id")
    return list(found.filter(kind=kind) if kind else found)


def kinds(application) -> list[str]:
    return [m.kind for m in texts(application)]


def page(application) -> str:
    return PUBLIC + reverse("portal:detail", args=[application.pk])


def test_a_completed_application_texts_each_milestone_once_with_its_link(
        clerk, applicant):
    application = submitted(clerk, applicant, bank_appointment={
        "bank": "中国工商银行", "branch": "威海高技术产业开发区支行", "date": "2030-12-31"})
    assert kinds(application) == ["accepted"]
    engine.drain()
    assert sorted(kinds(application)) == sorted(
        ["accepted", "license", "seals", "bank", "completed"])
    for message in texts(application):
        assert message.to == applicant.username  # the applicant's own number
        assert message.body.startswith("【一链】") and page(application) in message.body
        assert notify.reference(application) in message.body
        assert application.name not in message.body  # nothing the applicant typed
        assert message.status == Delivery.HELD  # no provider: it stays in the outbox
    uscc = Application.objects.get(pk=application.pk).uscc
    assert uscc in texts(application, "license")[0].body
    bank = texts(application, "bank")[0].body
    assert "2030-12-31" in bank and "预约号YY" in bank
    assert "中国工商银行" not in bank  # typed on the form: shown on the page only


def test_re_running_every_milestone_texts_nothing_more(clerk, applicant):
    application = submitted(clerk, applicant)
    engine.drain()
    before = OutboxMessage.objects.count()
    application = Application.objects.get(pk=application.pk)
    notify.decided(application)
    notify.accepted(application)
    notify.completed(application.pk)
    for step in Step.objects.filter(chain__application=application):
        notify.step_done(application.pk, step.code, Outcome(step.reference, step.result))
    assert OutboxMessage.objects.count() == before


def test_a_step_answered_twice_texts_once(clerk, applicant):
    """A worker that reclaims a step and records the same answer again: one text."""
    application = submitted(clerk, applicant)
    engine.drain()
    registration = Step.objects.get(chain__application=application, code="registration")
    claim = engine.Claim(registration.pk, registration.chain_id, application.pk,
                         "registration", 2, registration.idempotency_key,
                         registration.payload, application.uscc, "stale")
    engine._record_success(claim, Outcome(registration.reference, registration.result))
    assert len(texts(application, "license")) == 1


def test_return_for_correction_texts_the_start_of_the_reason_each_time(
        in_review, examiner, applicant):
    reason = "经营范围“区块链技术服务”不属于规范表述，请从目录中选择相应条目后重新提交。" * 2
    review.return_for_correction(in_review, examiner, reason)
    (message,) = texts(in_review, "returned")
    assert reason[:notify.REASON_CHARS] in message.body and reason not in message.body
    assert "…" in message.body and page(in_review) in message.body
    notify.returned(Application.objects.get(pk=in_review.pk))  # a re-run
    assert len(texts(in_review, "returned")) == 1


def test_a_second_return_is_a_second_milestone(clerk, applicant, examiner, in_review):
    review.return_for_correction(in_review, examiner, "第一次补正")
    application = Application.objects.get(pk=in_review.pk)
    application.status = "in_review"  # resubmitted (as the staff tests do it in full)
    application.submitted_at = application.submitted_at.replace(microsecond=1)
    application.save()
    review.return_for_correction(application, examiner, "第二次补正")
    bodies = [m.body for m in texts(in_review, "returned")]
    assert len(bodies) == 2 and "第一次补正" in bodies[0] and "第二次补正" in bodies[1]


def test_rejection_texts_the_reason(in_review, examiner):
    review.reject(in_review, examiner, "经营范围属于禁止准入事项")
    (message,) = texts(in_review, "rejected")
    assert "不予受理" in message.body and "禁止准入" in message.body


def test_approval_after_review_texts_acceptance(in_review, examiner):
    assert texts(in_review) == []  # in review is not a milestone
    review.approve(in_review, examiner)
    assert kinds(in_review) == ["accepted"]


def test_each_party_confirmation_is_told_to_the_applicant_once():
    owner = factories.user("13900009999")
    application = factories.application(owner, accepted=False)
    factories.confirm_parties(application)
    confirmed = texts(application, "party_confirmed")
    people = application.parties.count()
    assert len(confirmed) == people
    assert all(m.to == "13900009999" for m in confirmed)
    assert f"已确认1/{people}人" in confirmed[0].body
    assert f"全部{people}人均已确认" in confirmed[-1].body
    factories.confirm_parties(application)  # the same form confirmed again: no new texts
    assert len(texts(application, "party_confirmed")) == people


def test_an_account_without_a_mobile_number_is_told_through_the_checked_liaison():
    application = factories.application(factories.user("demo-like"), accepted=False)
    assert notify.recipient(application) == ""  # nobody's number checked yet
    factories.confirm_parties(application)
    contact = next(p for p in application.parties.all() if "contact" in p.roles)
    assert notify.recipient(application) == contact.phone
    # The liaison's own confirmation is not told to the liaison.
    assert not texts(application, "party_confirmed") or all(
        "联络员已完成" not in m.body for m in texts(application, "party_confirmed"))


def test_a_step_that_waits_for_a_person_is_told_once_per_failure(
        clerk, applicant, officer, settings):
    settings.SIMULATOR = {**settings.SIMULATOR, "outages": "tax@*"}
    settings.MAX_AUTO_ATTEMPTS = 1
    application = submitted(clerk, applicant)
    engine.drain()
    tax = Step.objects.get(chain__application=application, code="tax")
    assert tax.status == StepStatus.FAILED
    (message,) = texts(application, "step_failed")
    assert "涉税事项暂未办成" in message.body and page(application) in message.body
    manual.retry_step(tax, officer("tax"))
    engine.drain()
    assert len(texts(application, "step_failed")) == 2  # failed again: told again
    assert "completed" not in kinds(application)


def test_a_rolled_back_transition_texts_nothing(clerk, applicant):
    from django.db import transaction

    application = submitted(clerk, applicant)
    before = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify.completed(application.pk)
        raise RuntimeError("the transition failed")
    assert OutboxMessage.objects.count() == before


def test_a_submission_refused_by_the_rules_is_told(clerk, applicant):
    refused = submitted(clerk, applicant, name="威海象牙工艺有限公司",
                        business_scope=["软件开发", "象牙及其制品加工"])
    assert Application.objects.get(pk=refused.pk).status == "rejected"
    assert kinds(refused) == ["rejected"]
    assert "R-PROHIBITED" in texts(refused)[0].body  # the rules' own summary


def test_sign_in_codes_go_through_the_same_outbox(client, settings):
    from yilian.accounts import services as accounts

    message = accounts.send_code("13900007777")
    assert message.kind == "code" and message.status == Delivery.HELD
    assert services  # the one form's services import the notices (no cycle)


def test_within_one_recording_the_recipient_is_read_once_per_application(
        django_assert_num_queries):
    first = factories.application(factories.user("demo-like"), accepted=False)
    factories.confirm_parties(first)
    contact = next(p for p in first.parties.all() if "contact" in p.roles)
    second = factories.application(factories.user("13912345678"), accepted=False)
    with django_assert_num_queries(2), notify.texts_together():
        for _ in range(3):
            # A fresh instance each time, as each text makes one.
            assert notify.recipient(Application(pk=first.pk)) == contact.phone
            assert notify.recipient(Application(pk=second.pk)) == "13912345678"
    with django_assert_num_queries(2):  # outside the block, read every time
        notify.recipient(first)
        notify.recipient(first)
