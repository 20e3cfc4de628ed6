"""The department console over the API: the same panels and the same re-ask as the
page, for the same people (an officer sees and acts on their departments only)."""

from __future__ import annotations

import pytest

from tests.api.conftest import make_user
from yilian.accounts import roles
from yilian.chain import engine
from yilian.chain.models import Step, StepStatus
from yilian.departments import circuit, reconcile
from yilian.workbench import demo

pytestmark = pytest.mark.django_db


def _officer(*codes: str):
    user = make_user("officer-" + "-".join(codes))
    for code in codes:
        roles.grant(user, roles.officer_group(code))
    return user


@pytest.fixture
def failed_tax(db):
    clerk = make_user("clerk")
    roles.grant(clerk, roles.CLERK)
    application = demo.failing_chain("tax", clerk_username="clerk")
    engine.drain()
    return application


def test_an_officer_reads_the_panels_of_their_departments(client_for, failed_tax):
    reconcile.run("tax")
    circuit.failed("seals", "Seals: connection reset")
    answer = client_for(_officer("tax", "seals")).get("/api/v1/departments/")
    assert answer.status_code == 200
    panels = {p["code"]: p for p in answer.json()}
    assert set(panels) == {"seals", "tax"}
    tax = panels["tax"]
    assert tax["steps_waiting"] == {"retrying": 0, "waiting": 0, "failed": 1}
    assert tax["circuit"]["state"] == "closed" and "outage" in tax["circuit"]["last_error"]
    assert tax["reconciliation"]["agrees"] is True
    assert panels["seals"]["circuit"]["consecutive_failures"] == 1
    assert panels["seals"]["reconciliation"] is None


def test_others_are_refused(client_for, failed_tax, applicant, staff_user):
    for user in (applicant, staff_user):
        assert client_for(user).get("/api/v1/departments/").status_code == 403
    seals = client_for(_officer("seals"))
    assert seals.post("/api/v1/departments/tax/retry-failed/").status_code == 403
    assert Step.objects.filter(code="tax", status=StepStatus.FAILED).count() == 1
    assert seals.post("/api/v1/departments/nonesuch/retry-failed/").status_code == 404


def test_the_officer_re_asks_every_failed_step(client_for, failed_tax):
    answer = client_for(_officer("tax")).post("/api/v1/departments/tax/retry-failed/")
    assert answer.status_code == 200 and answer.json() == {"retried": 1}
    assert Step.objects.get(code="tax").status == StepStatus.RETRYING
