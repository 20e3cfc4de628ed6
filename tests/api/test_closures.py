"""注销 through the API end to end (issue 13, part 2): ``POST /enterprises/{uscc}/closures/``
by both routes, the simplified route's notice period (none, and one the test moves
past), an individual business closing without a notice, the general route's liquidation
group, creditors' notice and report; the closing chain asks each department once, tax
first and registration last, and the license then verifies as revoked."""

# ruff: noqa: F811 (the fixture ``registered``, shared with test_enterprises.py, is an argument)
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import kindapps
from tests.api.conftest import PASSWORD, confirm_every_party, make_user
from tests.api.test_enterprises import registered  # noqa: F401
from yilian.accounts import roles
from yilian.chain import engine
from yilian.chain.models import Step
from yilian.chain.services import start_chain
from yilian.closing import services as closing
from yilian.closing.models import Closure, Notice, Stage
from yilian.forms.models import Application, Status
from yilian.licenses import signing, standing
from yilian.licenses.models import License, LicenseStatus
from yilian.registry.models import Enterprise, EnterpriseStatus

pytestmark = pytest.mark.django_db
URL = "/api/v1/applications/"


def _open(client, uscc: str, **body):
    return client.post(f"/api/v1/enterprises/{uscc}/closures/", body, format="json")


def _submit(client, application_id: str):
    confirm_every_party(client, application_id)
    answer = client.post(f"{URL}{application_id}/submit/")
    assert answer.status_code != 400, answer.content
    return answer


def _closed_by_the_chain(client, application_id: str, uscc: str) -> dict:
    """The chain ran: each department asked once, tax first, registration last; the
    enterprise closed and its license revoked with the date."""
    engine.drain()
    body = client.get(f"{URL}{application_id}/").json()
    assert body["status"] == "completed", body["steps"]
    steps = list(Step.objects.filter(chain__application_id=application_id))
    codes = [s.code for s in steps]
    assert len(codes) == len(set(codes))  # each department asked once
    by_code = {s.code: s for s in steps}
    assert "tax" in by_code and "registration" in by_code
    assert by_code["tax"].reference.startswith("QS")  # 清税, not a new registration
    assert all(s.payload["purpose"] == "close" and s.payload["uscc"] == uscc for s in steps)
    assert all(s.started_at >= by_code["tax"].finished_at
               for code, s in by_code.items() if code != "tax")
    assert all(by_code["registration"].started_at >= s.finished_at
               for code, s in by_code.items() if code != "registration")
    enterprise = client.get(f"/api/v1/enterprises/{uscc}/").json()
    assert enterprise["status"] == "closed"
    assert [e["kind"] for e in enterprise["history"]][-1] == "closed"
    assert enterprise["licenses"][0]["status"] == "revoked"
    assert enterprise["licenses"][0]["ended_at"]
    lic = License.objects.get(uscc=uscc, version=1)
    assert standing.standing(lic.signed["license"]) == "revoked"
    verified = client.post("/api/v1/licenses/verify/", signing.canonical(lic.signed),
                           content_type="application/json").json()
    assert (verified["valid"], verified["status"]) == (True, "revoked")
    return enterprise


def test_simplified_closing_with_no_notice_period_runs_at_once(api_client, registered):
    uscc = registered["uscc"]
    opened = _open(api_client, uscc, route="simplified", debts="none")
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert body["uscc"] == uscc and body["name"] == registered["name"]
    assert body["closure"]["route"] == "simplified" and body["closure"]["stage"] == "draft"
    assert api_client.get(f"/api/v1/enterprises/{uscc}/").json()["status"] == "active"
    assert _submit(api_client, body["id"]).status_code == 202
    notice = Notice.objects.get(uscc=uscc)
    assert notice.ends_at == notice.starts_at  # published, for no days
    _closed_by_the_chain(api_client, body["id"], uscc)
    listed = api_client.get("/api/v1/gazette/", {"q": uscc}).json()
    assert [n["uscc"] for n in listed["results"]] == [uscc]


def test_only_investors_commit_to_a_simplified_closing(api_client, registered):
    body = _open(api_client, registered["uscc"], route="simplified", debts="settled").json()
    parties = api_client.get(f"{URL}{body['id']}/parties/").json()
    refused = api_client.post(f"{URL}{body['id']}/submit/").json()["errors"]
    unconfirmed = {e["message_en"].split(" (")[0] for e in refused}
    investors = {p["name"] for p in parties if "investor" in p["roles"]}
    assert unconfirmed == investors and len(investors) < len(parties)


def test_a_notice_period_holds_the_chain_until_it_ends(api_client, registered, settings):
    settings.CLOSING_NOTICE_DAYS = 20
    uscc = registered["uscc"]
    body = _open(api_client, uscc, route="simplified", debts="none").json()
    assert _submit(api_client, body["id"]).status_code == 202
    engine.drain()
    assert not Step.objects.filter(chain__application_id=body["id"]).exists()
    assert api_client.get(f"/api/v1/enterprises/{uscc}/").json()["status"] == "closing"
    notice = Notice.objects.get(uscc=uscc)
    assert notice.ends_at - notice.starts_at == dt.timedelta(days=20)
    assert closing.start_due() == 0
    assert closing.start_due(timezone.now() + dt.timedelta(days=19)) == 0
    assert closing.start_due(timezone.now() + dt.timedelta(days=20, seconds=1)) == 1
    assert closing.start_due(timezone.now() + dt.timedelta(days=21)) == 0  # once
    _closed_by_the_chain(api_client, body["id"], uscc)


def test_the_sweeper_starts_a_closing_whose_notice_ended(api_client, registered, settings):
    from yilian.chain.sweeper import jobs

    settings.CLOSING_NOTICE_DAYS = 20
    body = _open(api_client, registered["uscc"], route="simplified", debts="none").json()
    assert _submit(api_client, body["id"]).status_code == 202
    past = timezone.now() - dt.timedelta(days=1)
    Notice.objects.filter(uscc=registered["uscc"]).update(ends_at=past)
    for job in jobs():
        job()
    assert Closure.objects.get(pk=body["id"]).stage == Stage.CHAIN
    _closed_by_the_chain(api_client, body["id"], registered["uscc"])


def test_an_individual_business_closes_without_a_notice(client_for, settings):
    settings.CLOSING_NOTICE_DAYS = 20
    app = kindapps.individual()
    app.status = Status.ACCEPTED
    app.save(update_fields=["status"])
    start_chain(app)
    engine.drain()
    app.refresh_from_db()
    owner = app.owner
    owner.set_password(PASSWORD)
    owner.save()
    client = client_for(owner)
    body = _open(client, app.uscc, route="simplified", debts="none").json()
    assert _submit(client, body["id"]).status_code == 202
    assert not Notice.objects.filter(uscc=app.uscc).exists()
    _closed_by_the_chain(client, body["id"], app.uscc)


GROUP = [{"name": "张伟", "id_number": "370102198506150011", "leader": True},
         {"name": "李娜", "id_number": "370102198506150038", "leader": False}]


def test_general_closing_files_the_group_waits_for_creditors_then_closes(api_client,
                                                                        registered):
    uscc = registered["uscc"]
    opened = _open(api_client, uscc, route="general", liquidation_group=GROUP)
    assert opened.status_code == 201, opened.content
    body = opened.json()
    history = api_client.get(f"/api/v1/enterprises/{uscc}/").json()["history"]
    assert history[-1]["kind"] == "filed"
    assert history[-1]["changes"] == {"liquidation_group": [None, ["张伟", "李娜"]]}
    creditors = Notice.objects.get(uscc=uscc, kind="creditors")
    assert creditors.ends_at - creditors.starts_at == dt.timedelta(days=45)
    confirm_every_party(api_client, body["id"])
    refused = api_client.post(f"{URL}{body['id']}/submit/")
    assert refused.status_code == 400
    codes = {e["code"] for e in refused.json()["errors"]}
    assert codes == {"closing.creditors_notice", "closing.liquidation_report"}
    # 46 days later: the notice has run its course.
    shift = dt.timedelta(days=46)
    Notice.objects.filter(pk=creditors.pk).update(starts_at=creditors.starts_at - shift,
                                                  ends_at=creditors.ends_at - shift)
    report = api_client.patch(f"{URL}{body['id']}/closure/",
                              {"liquidation_report": "债权债务已清理完毕，剩余财产已分配。"},
                              format="json")
    assert report.status_code == 200, report.content
    assert api_client.post(f"{URL}{body['id']}/submit/").status_code == 202
    enterprise = _closed_by_the_chain(api_client, body["id"], uscc)
    assert [e["kind"] for e in enterprise["history"]] == ["established", "filed", "closed"]


@pytest.mark.parametrize(("body", "field", "code"), [
    ({}, "route", "required"),
    ({"route": "dissolve"}, "route", "invalid_choice"),
    ({"route": "simplified", "debts": "some"}, "debts", "invalid_choice"),
    ({"route": "general"}, "liquidation_group", "closing.liquidation_group"),
    ({"route": "general", "liquidation_group": [{**GROUP[1]}]}, "liquidation_group",
     "closing.liquidation_leader"),
    ({"route": "general", "liquidation_group": [{"name": "", "leader": True}]},
     "liquidation_group[0].name", "blank"),
])
def test_bad_input_is_a_field_error_and_nothing_is_stored(api_client, registered, body,
                                                          field, code):
    answer = _open(api_client, registered["uscc"], **body)
    assert answer.status_code == 400, answer.content
    errors = answer.json()["errors"]
    assert (errors[0]["field"], errors[0]["code"]) == (field, code)
    assert errors[0]["message_zh"] and errors[0]["message_en"]
    assert not Application.objects.filter(purpose="close").exists()
    assert not Closure.objects.exists()


def test_the_route_alone_opens_a_simplified_closing_and_submission_asks_for_debts(
        api_client, registered):
    """DESIGN.md §5: ``{"route": "simplified"}`` → 201; the debts are declared before
    submitting (PATCH …/closure/), and a submission without them is a field error."""
    answer = _open(api_client, registered["uscc"], route="simplified")
    assert answer.status_code == 201, answer.content
    application_id = answer.json()["id"]
    confirm_every_party(api_client, application_id)
    refused = api_client.post(f"{URL}{application_id}/submit/")
    assert refused.status_code == 400
    assert "closing.debts" in {e["code"] for e in refused.json()["errors"]}
    declared = api_client.patch(f"{URL}{application_id}/closure/", {"debts": "none"},
                                format="json")
    assert declared.status_code == 200, declared.content
    confirm_every_party(api_client, application_id)
    assert api_client.post(f"{URL}{application_id}/submit/").status_code == 202


def test_who_may_open_a_closing(api_client, registered, client_for, other_applicant):
    uscc = registered["uscc"]
    assert _open(client_for(other_applicant), uscc, route="simplified",
                 debts="none").status_code == 404
    examiner = make_user("examiner")
    roles.grant(examiner, roles.EXAMINER)
    assert _open(client_for(examiner), uscc, route="simplified",
                 debts="none").status_code == 403
    clerk = make_user("clerk")
    roles.grant(clerk, roles.CLERK)
    opened = _open(client_for(clerk), uscc, route="simplified", debts="none")
    assert opened.status_code == 201, opened.content
    # The owner sees the closing the clerk opened for them; a second one is refused.
    assert api_client.get(f"{URL}{opened.json()['id']}/").status_code == 200
    again = _open(api_client, uscc, route="simplified", debts="none")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "enterprise.open_application"
    assert _open(api_client, "91371071MA0000000X", route="simplified").status_code == 404


def test_a_closed_enterprise_cannot_close_again(api_client, registered):
    uscc = registered["uscc"]
    body = _open(api_client, uscc, route="simplified", debts="none").json()
    assert _submit(api_client, body["id"]).status_code == 202
    engine.drain()
    assert Enterprise.objects.get(uscc=uscc).status == EnterpriseStatus.CLOSED
    again = _open(api_client, uscc, route="simplified", debts="none")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "enterprise.not_active"
    assert License.objects.get(uscc=uscc).status == LicenseStatus.REVOKED


def test_a_general_closing_in_liquidation_neither_expires_nor_is_deleted(api_client,
                                                                        registered):
    from yilian.forms.lifecycle import expire_drafts

    general = _open(api_client, registered["uscc"], route="general",
                    liquidation_group=GROUP).json()
    assert expire_drafts(timezone.now() + dt.timedelta(days=46)) == 0
    assert api_client.delete(f"{URL}{general['id']}/").status_code == 409
    assert Application.objects.get(pk=general["id"]).status == Status.DRAFT
