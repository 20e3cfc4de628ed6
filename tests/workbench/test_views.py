"""The workbench pages: who may open them, and that they call the actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yilian.chain.models import StepStatus
from yilian.forms.models import Application, Status

pytestmark = pytest.mark.django_db


def _pages(application) -> list[str]:
    return [reverse("workbench:index"), reverse("workbench:sla"),
            reverse("workbench:counter"),
            reverse("workbench:detail", args=[application.pk])]


def test_window_pages_are_for_clerks_and_examiners_only(client, in_review, clerk, examiner,
                                                        applicant, officer):
    for user, allowed in ((clerk, True), (examiner, True), (applicant, False),
                          (officer("tax"), False)):
        client.force_login(user)
        for url in _pages(in_review):
            assert client.get(url).status_code == (200 if allowed else 403), (user, url)
    # Deciding is the examiner's alone (separation of duties): the clerk is refused.
    for user, answer in ((clerk, 403), (applicant, 403), (examiner, 302)):
        client.force_login(user)
        assert client.post(reverse("workbench:approve", args=[in_review.pk])).status_code \
            == answer
    assert Application.objects.get(pk=in_review.pk).status == Status.ACCEPTED


def test_denied_roles_cannot_act(client, in_review, clerk, applicant, officer):
    for user in (clerk, applicant, officer("registration")):
        client.force_login(user)
        assert client.post(reverse("workbench:return", args=[in_review.pk]),
                           {"comment": "x"}).status_code == 403
    assert Application.objects.get(pk=in_review.pk).status == Status.IN_REVIEW


def test_queue_shows_reasons_and_return_keeps_the_comment(client, in_review, examiner):
    client.force_login(examiner)
    page = client.get(reverse("workbench:index")).content.decode()
    assert in_review.name in page and "R-UNLISTED-SCOPE" in page
    client.post(reverse("workbench:return", args=[in_review.pk]), {"comment": "请补正经营范围"})
    in_review.refresh_from_db()
    assert in_review.status == Status.RETURNED and in_review.review_comment == "请补正经营范围"


def test_console_shows_only_the_officers_departments(client, failed_tax, officer):
    client.force_login(officer("tax"))
    page = client.get(reverse("workbench:console") + "?status=failed").content.decode()
    assert failed_tax.name in page and "立即重试" in page
    client.force_login(officer("seals"))
    page = client.get(reverse("workbench:console") + "?status=failed").content.decode()
    assert failed_tax.name not in page


def test_console_is_for_officers_only(client, clerk, applicant):
    for user in (clerk, applicant):
        client.force_login(user)
        assert client.get(reverse("workbench:console")).status_code == 403


def test_console_actions_answer_the_row_to_htmx(client, failed_tax, officer):
    step = failed_tax.chain.steps.get(code="tax")
    client.force_login(officer("seals"))
    assert client.post(reverse("workbench:retry", args=[step.pk])).status_code == 403
    client.force_login(officer("tax"))
    row = client.post(reverse("workbench:complete", args=[step.pk]), {"reference": ""},
                      HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and 'role="alert"' in row.content.decode()
    row = client.post(reverse("workbench:complete", args=[step.pk]),
                      {"reference": "SW-2026-1"}, HTTP_HX_REQUEST="true")
    html = row.content.decode()
    assert html.lstrip().startswith(f'<tr id="step-{step.pk}"') and "SW-2026-1" in html
    step.refresh_from_db()
    assert step.status == StepStatus.DONE


def test_registration_row_says_why_it_cannot_be_done_by_hand(client, in_review, examiner,
                                                              officer):
    from yilian.forms import review

    review.approve(in_review, examiner)
    client.force_login(officer("registration"))
    page = client.get(reverse("workbench:console") + "?status=pending").content.decode()
    assert "不能人工办结" in page and "人工办结</button>" not in page
