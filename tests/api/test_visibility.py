"""The API reads applications by the pages' roles (:mod:`yilian.forms.access`): window
staff never a draft, an officer only their department's applications and of each only
what the department is sent, an administrator none."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.conftest import make_user
from yilian.accounts import roles
from yilian.chain.services import start_chain
from yilian.departments import registry
from yilian.forms.models import Status

pytestmark = pytest.mark.django_db
URL = "/api/v1/applications/"


def _with(username: str, *held: str):
    user = make_user(username)
    for role in held:
        roles.grant(user, role)
    return user


@pytest.fixture
def accepted(applicant):
    application = factories.application(applicant, bank=False)
    start_chain(application)
    return application


def test_an_officer_reads_only_what_their_department_is_sent(client_for, accepted, applicant):
    draft = factories.application(applicant, accepted=False)
    tax = client_for(_with("officer-tax", roles.officer_group("tax")))
    listed = tax.get(URL).json()
    assert [a["id"] for a in listed["results"]] == [str(accepted.pk)]
    body = tax.get(f"{URL}{accepted.pk}/").json()
    assert set(body) == {"id", "status", "uscc", "accepted_at", "steps", "departments"}
    assert [s["code"] for s in body["steps"]] == ["tax"]
    assert body["departments"] == {
        "tax": registry.get("tax").build_payload(accepted)}
    text = str(body)
    for secret in (p.id_number for p in accepted.people.all()):
        assert secret not in text  # ID numbers are not the tax step's business
    assert tax.get(f"{URL}{draft.pk}/").status_code == 404
    # The bank was not asked (no appointment): its officer sees nothing.
    bank = client_for(_with("officer-bank", roles.officer_group("bank")))
    assert bank.get(URL).json()["count"] == 0
    assert bank.get(f"{URL}{accepted.pk}/").status_code == 404


def test_window_staff_read_submitted_applications_whole_never_drafts(client_for, accepted,
                                                                    applicant):
    draft = factories.application(applicant, accepted=False)
    for role in (roles.CLERK, roles.EXAMINER):
        staff = client_for(_with(f"window-{role}", role))
        assert staff.get(f"{URL}{draft.pk}/").status_code == 404
        body = staff.get(f"{URL}{accepted.pk}/").json()
        assert body["name"] == accepted.name and len(body["people"]) == 6
        assert [a["id"] for a in staff.get(URL).json()["results"]] == [str(accepted.pk)]
        draft.status = Status.IN_REVIEW
        draft.save()
        assert staff.get(f"{URL}{draft.pk}/").status_code == 200
        draft.status = Status.DRAFT
        draft.save()


def test_the_zone_admin_reads_aggregates_not_applications(client_for, accepted):
    admin = client_for(_with("zone-admin", roles.ADMIN))
    assert admin.get(URL).json()["count"] == 0
    assert admin.get(f"{URL}{accepted.pk}/").status_code == 404


def test_staff_file_no_applications(client_for, example):
    for role in (roles.CLERK, roles.ADMIN, roles.officer_group("tax")):
        staff = client_for(_with(f"staff-{role}", role))
        assert staff.post(URL, example, format="json").status_code == 403
