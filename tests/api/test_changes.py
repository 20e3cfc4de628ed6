"""变更登记 through the API (issue 13, part 1): an owner opens a change of the example
enterprise, edits the pre-filled form, sees what changes, gets the consent the change
needs (only that), submits, and the chain asks registration and then exactly the
departments that must know, each once; a license v2 supersedes v1 — or, for a filing, no
license at all."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.api import test_enterprises
from tests.api.conftest import confirm_every_party, make_user
from yilian.accounts import roles
from yilian.chain import engine
from yilian.codes import uscc as uscc_codes
from yilian.forms.models import Application
from yilian.licenses import signing
from yilian.licenses.models import License
from yilian.names.models import NameReservation

pytestmark = pytest.mark.django_db
URL = "/api/v1/applications/"
registered = test_enterprises.registered  # the fixture: a company registered via the API
NEW_HOME = "山东省威海市火炬高技术产业开发区文化西路180号创业大厦B座1203室"


def _open(client: APIClient, uscc: str) -> dict:
    answer = client.post(f"/api/v1/enterprises/{uscc}/changes/")
    assert answer.status_code == 201, answer.content
    return answer.json()


def _patch(client: APIClient, change: dict, data: dict) -> dict:
    answer = client.patch(f"{URL}{change['id']}/", data, format="json")
    assert answer.status_code == 200, answer.content
    return answer.json()


def _unconfirmed(client: APIClient, change: dict) -> list[str]:
    answer = client.post(f"{URL}{change['id']}/submit/")
    assert answer.status_code == 400, answer.content
    return sorted(e["message_en"].split(" (")[0] for e in answer.json()["errors"]
                  if e["code"] == "parties.unconfirmed")


def _submit(client: APIClient, change: dict) -> dict:
    answer = client.post(f"{URL}{change['id']}/submit/")
    assert answer.status_code == 202, answer.content
    engine.drain()
    done = client.get(f"{URL}{change['id']}/").json()
    assert done["status"] == "completed", done["steps"]
    return done


def _asked(done: dict) -> list[str]:
    return [step["code"] for step in done["steps"]]


def test_domicile_and_capital_change_end_to_end(api_client, registered):
    uscc = registered["uscc"]
    change = _open(api_client, uscc)
    assert (change["purpose"], change["enterprise"], change["uscc"]) == ("change", uscc, uscc)
    assert change["status"] == "draft" and change["changes"] == {}
    assert change["domicile"] == registered["domicile"]  # pre-filled from the register
    investors = change["investors"]
    investors[0]["amount"], investors[1]["amount"] = "1200000.00", "800000.00"
    change = _patch(api_client, change, {"domicile": NEW_HOME,
                                         "registered_capital": "2000000.00",
                                         "investors": investors})
    assert change["changes"]["domicile"] == [registered["domicile"], NEW_HOME]
    assert change["changes"]["registered_capital"] == ["1000000", "2000000"]
    # A change of capital needs every investor; nobody else named has to confirm.
    assert _unconfirmed(api_client, change) == ["张伟", "李娜"]
    confirm_every_party(api_client, change["id"])
    done = _submit(api_client, change)
    asked = _asked(done)
    assert asked[0] == "registration" and len(asked) == len(set(asked))
    assert {"tax", "social_security", "medical_insurance", "housing_fund"} <= set(asked)
    assert "seals" not in asked  # the seals carry the name, not the address
    body = api_client.get(f"/api/v1/enterprises/{uscc}/").json()
    assert [(lic["version"], lic["status"]) for lic in body["licenses"]] == [
        (2, "current"), (1, "superseded")]
    assert body["licenses"][0]["pdf_url"].endswith(f"/licenses/{uscc}/v2/pdf/")
    assert [event["kind"] for event in body["history"]] == ["established", "changed"]
    assert body["history"][1]["changes"]["domicile"][1] == NEW_HOME
    v1 = License.objects.get(enterprise__uscc=uscc, version=1)
    verified = APIClient().post("/api/v1/licenses/verify/", signing.canonical(v1.signed),
                                content_type="application/json").json()
    assert (verified["valid"], verified["status"]) == (True, "superseded")
    # The next change starts from what is registered now.
    assert _open(api_client, uscc)["domicile"] == NEW_HOME


def test_nothing_changed_is_a_field_error_and_stores_nothing(api_client, registered):
    change = _open(api_client, registered["uscc"])
    answer = api_client.post(f"{URL}{change['id']}/submit/")
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("changes", "change.nothing")]
    assert errors[0]["message_zh"] and errors[0]["message_en"]
    assert Application.objects.get(pk=change["id"]).status == "draft"


def test_a_new_name_gets_new_seals_and_invoices_title_and_is_held(api_client, registered):
    uscc = registered["uscc"]
    change = _open(api_client, uscc)
    # The same 字号 as the enterprise's own name: it clashes only with itself.
    change = _patch(api_client, change, {"name": "威海一链信息技术有限公司"})
    assert set(change["changes"]) == {"name"}
    # A new name needs nobody's consent: submitted with no party confirmed.
    answer = api_client.post(f"{URL}{change['id']}/submit/")
    assert answer.status_code == 202, answer.content
    held = NameReservation.objects.get(application_id=change["id"])
    assert held.name == "威海一链信息技术有限公司" and held.released_at is None
    engine.drain()
    done = api_client.get(f"{URL}{change['id']}/").json()
    assert {"seals", "tax"} <= set(_asked(done))
    steps = {s.code: s for s in Application.objects.get(pk=change["id"]).chain.steps.all()}
    assert steps["tax"].payload["changes"] == {
        "name": [registered["name"], "威海一链信息技术有限公司"]}
    assert steps["tax"].result["invoice_title"] == "威海一链信息技术有限公司"
    # A new set of seals bearing the new name; the old set retired.
    assert [s["kind"] for s in steps["seals"].result["seals"]] == registered["seals"]
    assert {r["bearing"] for r in steps["seals"].result["retired"]} == {registered["name"]}
    body = api_client.get(f"/api/v1/enterprises/{uscc}/").json()
    assert body["name"] == "威海一链信息技术有限公司"
    assert License.objects.get(enterprise__uscc=uscc, version=2).fields["name"] == \
        "威海一链信息技术有限公司"


def test_a_new_name_taken_by_another_enterprise_is_refused(api_client, registered):
    factories.registered(uscc_codes.make("371071", 8801), "威海远帆科技有限公司")
    change = _open(api_client, registered["uscc"])
    _patch(api_client, change, {"name": "威海远帆科技有限公司"})
    answer = api_client.post(f"{URL}{change['id']}/submit/")
    assert answer.status_code == 400, answer.content
    assert {e["field"] for e in answer.json()["errors"]} == {"name"}
    assert not NameReservation.objects.filter(application_id=change["id"]).exists()


def test_a_new_legal_representative_confirms_alone(api_client, registered):
    change = _open(api_client, registered["uscc"])
    newcomer = factories.resident("王新")
    # The new manager becomes the legal representative (who must be in office).
    people = [p for p in change["people"] if p["role"] not in ("legal_representative",
                                                               "manager")]
    for role in ("legal_representative", "manager"):
        people.append({"role": role, "name": newcomer.name,
                       "id_number": newcomer.id_number, "phone": newcomer.phone})
    change = _patch(api_client, change, {"people": people})
    assert set(change["changes"]) == {"people.legal_representative", "people.manager"}
    assert _unconfirmed(api_client, change) == ["王新"]
    confirm_every_party(api_client, change["id"])
    done = _submit(api_client, change)
    assert {"seals", "tax"} <= set(_asked(done))
    assert License.objects.get(application_id=change["id"]).version == 2


def test_a_filing_only_change_runs_registration_alone_and_issues_no_license(
        api_client, registered):
    change = _open(api_client, registered["uscc"])
    liaison = factories.resident("何联络")
    people = change["people"]
    for person in people:
        if person["role"] == "contact":
            person.update(name=liaison.name, id_number=liaison.id_number,
                          phone=liaison.phone)
    change = _patch(api_client, change, {"people": people})
    assert set(change["changes"]) == {"people.contact"}
    done = _submit(api_client, change)
    assert _asked(done) == ["registration"] and done["license"] is None
    body = api_client.get(f"/api/v1/enterprises/{registered['uscc']}/").json()
    assert [event["kind"] for event in body["history"]] == ["established", "filed"]
    assert [lic["version"] for lic in body["licenses"]] == [1]


def test_a_new_licensed_activity_needs_its_permit(api_client, registered):
    change = _open(api_client, registered["uscc"])
    scope = [*change["business_scope"], "保安服务"]
    change = _patch(api_client, change, {"business_scope": scope})
    answer = api_client.post(f"{URL}{change['id']}/submit/")
    assert answer.status_code == 202, answer.content
    returned = answer.json()
    assert returned["status"] == "returned"
    # Decided on what the change adds only: the registered activities were decided then.
    assert [(f["rule"], f["subject"]) for f in returned["decision"]["findings"]] == [
        ("R-PRE-PERMIT", "保安服务")]
    # A permit its department does not confirm goes to an examiner, never on its word.
    _patch(api_client, change, {"permits": {"S0554": "鲁公保服字〔2026〕999号"}})
    answer = api_client.post(f"{URL}{change['id']}/submit/")
    assert answer.status_code == 202, answer.content
    assert answer.json()["status"] == "in_review"


def test_who_may_open_a_change(api_client, registered, client_for, other_applicant,
                               staff_user):
    path = f"/api/v1/enterprises/{registered['uscc']}/changes/"
    assert client_for(other_applicant).post(path).status_code == 404
    officer = make_user("registration-officer")
    roles.grant(officer, f"{roles.OFFICER_PREFIX}registration")
    assert client_for(officer).post(path).status_code == 403
    assert APIClient().post(path).status_code == 401
    # At the counter: a clerk opens it for the owner.
    opened = client_for(staff_user).post(path)
    assert opened.status_code == 201, opened.content
    assert Application.objects.get(pk=opened.json()["id"]).owner.username == "applicant"
    # One change or closing at a time.
    again = api_client.post(path)
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "enterprise.open_application"


def test_the_new_name_is_taken_once_registered(api_client, registered, client_for,
                                               other_applicant, example,
                                               django_capture_on_commit_callbacks):
    change = _open(api_client, registered["uscc"])
    _patch(api_client, change, {"name": "威海远航信息技术有限公司"})
    assert api_client.post(f"{URL}{change['id']}/submit/").status_code == 202
    with django_capture_on_commit_callbacks(execute=True):  # as the register's commit
        engine.drain()
    other = client_for(other_applicant)
    draft = other.post(URL, {**example, "name": "威海远航信息技术有限公司"}, format="json").json()
    confirm_every_party(other, draft["id"])
    answer = other.post(f"{URL}{draft['id']}/submit/")
    assert answer.status_code == 400, answer.content
    assert [e["code"] for e in answer.json()["errors"]] == ["name.conflict.identical"]
