"""Separation of duties (职责分离) and refusal (不予受理): only an examiner decides, never
on an application they entered at the counter or own; a refusal needs a reason, is
audited, and the applicant reads it. And the counter's lookup makes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.workbench.conftest import UNLISTED, submitted
from yilian.accounts import roles
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_application
from yilian.forms import review
from yilian.forms.models import Application, Status

pytestmark = pytest.mark.django_db


def test_the_clerk_who_entered_it_cannot_approve_it_even_as_an_examiner(client, clerk,
                                                                         applicant, examiner):
    roles.grant(clerk, roles.EXAMINER)  # one person holding both roles
    from tests.forms.conftest import example_data

    application = submitted(clerk, applicant,
                            business_scope=[*example_data()["business_scope"], UNLISTED])
    with pytest.raises(PermissionDenied):
        review.approve(application, clerk)
    client.force_login(clerk)
    page = client.get(reverse("workbench:detail", args=[application.pk])).content.decode()
    assert 'action="/workbench/applications/' not in page  # no decision buttons for them
    client.post(reverse("workbench:approve", args=[application.pk]))
    client.post(reverse("workbench:reject", args=[application.pk]), {"comment": "x"})
    assert Application.objects.get(pk=application.pk).status == Status.IN_REVIEW
    review.approve(application, examiner)  # another examiner may
    assert Application.objects.get(pk=application.pk).status == Status.ACCEPTED


def test_nobody_decides_their_own_application(in_review, applicant):
    roles.grant(applicant, roles.EXAMINER)
    with pytest.raises(PermissionDenied):
        review.return_for_correction(in_review, applicant, "自己退回")


def test_refusal_needs_a_reason_is_audited_and_the_applicant_reads_it(client, in_review,
                                                                     examiner, applicant):
    client.force_login(examiner)
    client.post(reverse("workbench:reject", args=[in_review.pk]), {"comment": "  "})
    assert Application.objects.get(pk=in_review.pk).status == Status.IN_REVIEW
    reason = "经营范围含禁止准入事项，依据《市场准入负面清单》不予受理"
    answer = client.post(reverse("workbench:reject", args=[in_review.pk]), {"comment": reason})
    assert answer.status_code == 302
    application = Application.objects.get(pk=in_review.pk)
    assert application.status == Status.REJECTED and application.review_comment == reason
    entry = Entry.objects.get(stream=stream_for_application(in_review.pk),
                              action="application.rejected")
    assert entry.actor_id == examiner.pk and entry.data == {"reason": reason}
    client.force_login(applicant)
    page = client.get(reverse("portal:detail", args=[in_review.pk])).content.decode()
    assert "不予受理的原因" in page and reason in page
    with pytest.raises(review.ReviewRefused):  # final: not in review any more
        review.approve(application, examiner)


def test_the_counter_lookup_makes_no_account(client, clerk):
    client.force_login(clerk)
    users = get_user_model().objects.count()
    for answer in (client.get(reverse("workbench:counter"), {"phone": "13906317777"}),
                   client.post(reverse("workbench:counter"), {"phone": "13906317777"})):
        assert answer.status_code == 200 and 'id="new-application"' in answer.content.decode()
    assert get_user_model().objects.count() == users
    client.post(reverse("workbench:counter-new"), {"phone": "13906317777"})
    assert get_user_model().objects.filter(username="13906317777").exists()


def test_a_staff_number_is_not_served_as_an_applicant(client, clerk, examiner):
    staff = get_user_model().objects.create_user("13906316666")
    roles.grant(staff, roles.CLERK)
    client.force_login(clerk)
    answer = client.get(reverse("workbench:counter"), {"phone": "13906316666"})
    assert answer.status_code == 400 and "工作人员账号" in answer.content.decode()
    client.post(reverse("workbench:counter-new"), {"phone": "13906316666"})
    assert not Application.objects.filter(owner=staff).exists()
