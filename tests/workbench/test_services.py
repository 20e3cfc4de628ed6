"""The workbench's actions: review (approve, return for correction), the counter path,
and an officer's retry and completion by hand — permissions, state, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from tests.forms.conftest import example_data, parse
from tests.workbench.conftest import submitted
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_application, stream_for_step, verify_application
from yilian.chain import engine, manual
from yilian.chain.models import StepStatus
from yilian.forms import counter, review, services
from yilian.forms.models import Application, Status

pytestmark = pytest.mark.django_db


def _actions(application, stream=None) -> list[tuple[str, str]]:
    entries = Entry.objects.filter(stream=stream or stream_for_application(application.pk))
    return list(entries.order_by("seq").values_list("action", "actor_label"))


# Review (人工审查)

def test_queue_lists_the_application_with_the_rules_reasons(in_review):
    (queued,) = review.review_queue()
    assert queued.pk == in_review.pk
    (reason,) = review.reasons(queued)
    assert reason.rule == "R-UNLISTED-SCOPE" and "人工审查" in reason.basis
    assert reason.subject and reason.edition


def test_approve_accepts_starts_the_chain_and_audits(in_review, examiner):
    review.approve(in_review, examiner, "表述可以接受")
    application = Application.objects.get(pk=in_review.pk)
    assert application.status == Status.ACCEPTED and application.accepted_at
    assert application.chain.steps.filter(code="registration").exists()
    assert ("application.approved", "examiner") in _actions(application)
    assert ("chain.started", "examiner") in _actions(application)
    engine.drain()
    assert Application.objects.get(pk=in_review.pk).public_status() == "completed"
    assert verify_application(application.pk) == (True, "ok")


def test_return_for_correction_then_the_applicant_resubmits(in_review, examiner, applicant):
    review.return_for_correction(in_review, examiner, "请使用规范表述")
    application = Application.objects.get(pk=in_review.pk)
    assert application.status == Status.RETURNED
    assert application.review_comment == "请使用规范表述"
    assert ("application.returned", "examiner") in _actions(application)
    # The applicant corrects through the ordinary path and is accepted.
    services.update_draft(application, applicant,
                          {"business_scope": example_data()["business_scope"]})
    with pytest.raises(services.InvalidApplication) as stale:  # confirmed another form
        services.submit_application(application, applicant)
    assert {e["code"] for e in stale.value.errors} == {"parties.unconfirmed"}
    factories.confirm_parties(application)
    assert services.submit_application(application, applicant).status == Status.ACCEPTED


def test_return_needs_a_comment_and_only_applications_in_review(in_review, examiner):
    with pytest.raises(review.ReviewRefused):
        review.return_for_correction(in_review, examiner, "  ")
    review.approve(in_review, examiner)
    with pytest.raises(review.ReviewRefused):
        review.approve(in_review, examiner)  # twice: the second finds it accepted


def test_clerks_applicants_and_officers_may_not_review(in_review, clerk, applicant, officer):
    for who in (clerk, applicant, officer("registration")):
        with pytest.raises(PermissionDenied):
            review.approve(in_review, who)
        with pytest.raises(PermissionDenied):
            review.return_for_correction(in_review, who, "不行")
    assert Application.objects.get(pk=in_review.pk).status == Status.IN_REVIEW


# The counter (一窗受理)

def test_counter_creates_the_applicant_and_audits_both_identities(clerk):
    applicant = counter.applicant_for_phone("139 0631 0777", clerk)
    assert applicant.username == "13906310777" and not applicant.has_usable_password()
    assert counter.applicant_for_phone("13906310777", clerk) == applicant
    application = submitted(clerk, applicant)
    assert application.owner == applicant and application.status == Status.ACCEPTED
    entries = {action: data for action, data in Entry.objects.filter(
        stream=stream_for_application(application.pk)).values_list("action", "data")}
    assert entries["application.counter_submitted"]["on_behalf_of"] == "13906310777"
    labels = dict(_actions(application))
    assert labels["application.counter_submitted"] == "clerk"
    assert labels["application.submitted"] == "13906310777"


def test_counter_finishes_an_applicants_draft(clerk, applicant):
    draft = services.create_draft(applicant, {"name": ""})
    assert list(counter.open_applications(applicant)) == [draft]
    counter.update(clerk, draft, parse(example_data()))
    counter.confirm_everyone_present(clerk, draft)
    assert counter.submit(clerk, draft).status == Status.ACCEPTED


def test_only_window_staff_use_the_counter(applicant, officer):
    with pytest.raises(PermissionDenied):
        counter.applicant_for_phone("13906310888", applicant)
    with pytest.raises(PermissionDenied):
        counter.start(officer("tax"), applicant, parse(example_data()))


# The department console (部门工作台)

def test_retry_puts_a_failed_step_back_and_audits(failed_tax, officer):
    step = failed_tax.chain.steps.get(code="tax")
    assert step.status == StepStatus.FAILED
    manual.retry_step(step, officer("tax"))
    step.refresh_from_db()
    assert step.status == StepStatus.RETRYING and step.next_attempt_at
    engine.drain()  # the department is back: the retry succeeds and the chain completes
    step.refresh_from_db()
    assert step.status == StepStatus.DONE and step.attempts == 2
    assert failed_tax.chain.__class__.objects.get(pk=failed_tax.chain.pk).status == "completed"
    stream = stream_for_step(failed_tax.pk, "tax")
    assert ("step.retry_requested", "officer-tax") in _actions(failed_tax, stream)


def test_completion_by_hand_releases_followers_and_completes_the_chain(clerk, officer):
    from yilian.workbench import demo

    # Housing fund fails right after registration: its siblings are still pending.
    application = demo.failing_chain("housing_fund", clerk_username=clerk.username)
    chain = application.chain
    step = chain.steps.get(code="housing_fund")
    manual.complete_by_hand(step, officer("housing_fund"), " GJJ-2026-000123 ")
    step.refresh_from_db()
    assert step.status == StepStatus.DONE and step.reference == "GJJ-2026-000123"
    assert step.result["by_hand"] is True
    engine.drain()
    chain.refresh_from_db()
    assert chain.status == "completed"
    stream = stream_for_step(application.pk, "housing_fund")
    assert ("step.done_by_hand", "officer-housing_fund") in _actions(application, stream)
    assert verify_application(application.pk) == (True, "ok")


def test_completing_the_last_step_by_hand_completes_the_chain(failed_tax, officer):
    manual.complete_by_hand(failed_tax.chain.steps.get(code="tax"), officer("tax"), "SW-1")
    failed_tax.chain.refresh_from_db()
    assert failed_tax.chain.status == "completed"
    assert ("chain.completed", "worker") in _actions(failed_tax)


def test_officers_act_only_on_their_own_department(failed_tax, officer):
    step = failed_tax.chain.steps.get(code="tax")
    for action in (lambda who: manual.retry_step(step, who),
                   lambda who: manual.complete_by_hand(step, who, "X-1")):
        with pytest.raises(PermissionDenied):
            action(officer("seals"))
    step.refresh_from_db()
    assert step.status == StepStatus.FAILED


def test_registration_cannot_be_completed_by_hand(in_review, examiner, officer):
    review.approve(in_review, examiner)
    step = Application.objects.get(pk=in_review.pk).chain.steps.get(code="registration")
    with pytest.raises(manual.StepActionRefused) as refused:
        manual.complete_by_hand(step, officer("registration"), "X-1")
    assert refused.value.code == "step.registration_by_hand"


def test_a_done_step_can_neither_be_retried_nor_completed(failed_tax, officer):
    step = failed_tax.chain.steps.get(code="seals")
    with pytest.raises(manual.StepActionRefused):
        manual.retry_step(step, officer("seals"))
    with pytest.raises(manual.StepActionRefused):
        manual.complete_by_hand(step, officer("seals"), "X-1")
    with pytest.raises(manual.StepActionRefused):
        manual.complete_by_hand(failed_tax.chain.steps.get(code="tax"), officer("tax"), "")
