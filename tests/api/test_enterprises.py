"""``GET /api/v1/enterprises/{uscc}/`` (issue 13, history): an enterprise registered
through the API shows its status, kind, its establishment with the application that asked
for it, and its license; only those who may read the license read it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from tests import factories
from tests.api.conftest import confirm_every_party, make_user
from yilian.accounts import roles
from yilian.codes import uscc
from yilian.licenses.services import revoke
from yilian.registry import history
from yilian.registry.models import Enterprise, EnterpriseStatus

pytestmark = pytest.mark.django_db
URL = "/api/v1/applications/"


@pytest.fixture
def registered(api_client, example):
    from yilian.chain import engine

    draft = api_client.post(URL, example, format="json").json()
    confirm_every_party(api_client, draft["id"])
    assert api_client.post(f"{URL}{draft['id']}/submit/").status_code == 202
    engine.drain()
    done = api_client.get(f"{URL}{draft['id']}/").json()
    assert done["status"] == "completed"
    return done


def test_the_owner_reads_status_kind_history_and_license(api_client, registered):
    answer = api_client.get(f"/api/v1/enterprises/{registered['uscc']}/")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["uscc"], body["name"], body["status"], body["kind"]) == (
        registered["uscc"], registered["name"], "active", registered["org_form"])
    assert body["kind_name"]["zh"].startswith("有限责任公司")
    [event] = body["history"]
    assert (event["kind"], event["application"], event["source"], event["changes"]) == (
        "established", registered["id"], "yilian", {})
    [lic] = body["licenses"]
    assert (lic["version"], lic["status"]) == (1, "current")
    assert lic["pdf_url"].endswith(f"/licenses/{registered['uscc']}/v1/pdf/")
    assert api_client.get(lic["json_url"]).status_code == 200


def test_the_code_is_read_as_people_type_it(api_client, registered):
    typed = registered["uscc"].lower()
    assert api_client.get(f"/api/v1/enterprises/{typed}/").status_code == 200


def test_a_closed_enterprise_shows_its_license_revoked(api_client, registered):
    enterprise = Enterprise.objects.get(uscc=registered["uscc"])
    Enterprise.objects.filter(pk=enterprise.pk).update(status=EnterpriseStatus.CLOSED)
    revoke(enterprise)
    body = api_client.get(f"/api/v1/enterprises/{registered['uscc']}/").json()
    assert body["status"] == "closed" and body["licenses"][0]["status"] == "revoked"


def test_others_get_404_staff_read_it_anonymous_401(registered, client_for,
                                                     other_applicant, staff_user):
    path = f"/api/v1/enterprises/{registered['uscc']}/"
    assert client_for(other_applicant).get(path).status_code == 404
    assert client_for(staff_user).get(path).status_code == 200
    from rest_framework.test import APIClient

    assert APIClient().get(path).status_code == 401


def test_an_imported_enterprise_is_read_by_window_staff_only(client_for, applicant,
                                                             staff_user):
    code = uscc.make("371071", 777)
    imported = factories.registered(code, "威海导入科技有限公司")
    imported.source = "import"  # as `yilian import-registry` writes it
    imported.save()
    path = f"/api/v1/enterprises/{code}/"
    assert client_for(applicant).get(path).status_code == 404
    body = client_for(staff_user).get(path).json()
    assert body["licenses"] == []
    assert [(e["kind"], e["source"], e["application"]) for e in body["history"]] == [
        ("established", "import", None)]


def test_a_registration_officer_reads_it_an_administrator_does_not(registered, client_for):
    officer, admin = make_user("officer"), make_user("zone-admin")
    roles.grant(officer, roles.officer_group("registration"))
    roles.grant(admin, roles.ADMIN)
    path = f"/api/v1/enterprises/{registered['uscc']}/"
    assert client_for(officer).get(path).status_code == 200
    assert client_for(admin).get(path).status_code == 404


def test_an_application_records_its_establishment_once(registered):
    enterprise = Enterprise.objects.get(uscc=registered["uscc"])
    with pytest.raises(IntegrityError):
        history.record_established(enterprise, enterprise.application_id)


def test_an_unknown_code_is_404(api_client):
    assert api_client.get("/api/v1/enterprises/91371071MA00000000/").status_code == 404
