"""License API: verification for anyone, downloads for the owner and the roles that
handle the application only."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from tests.licenses.conftest import make_user
from yilian.accounts import roles
from yilian.licenses import signing

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/licenses/verify/"


def test_verify_valid(lic):
    response = APIClient().post(VERIFY, lic.signed, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["reason"] and body["reason_en"]


def test_verify_tampered_is_200_and_invalid(lic):
    doc = json.loads(json.dumps(lic.signed))
    doc["license"]["name"] = "威海冒名科技有限公司"
    response = APIClient().post(VERIFY, doc, format="json")
    assert response.status_code == 200
    assert response.json() == {"valid": False, "reason": signing.REASONS["mismatch"][0],
                               "reason_en": signing.REASONS["mismatch"][1]}


@pytest.mark.parametrize("body", [{}, {"license": {}, "signature": "x"}])
def test_verify_object_without_parts_is_invalid(body):
    response = APIClient().post(VERIFY, body, format="json")
    assert response.status_code == 200
    assert response.json()["valid"] is False


def test_verify_garbage_is_400_in_the_error_shape(db):
    response = APIClient().post(VERIFY, b"this is not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42"])
def test_verify_non_object_is_400(db, body):
    response = APIClient().post(VERIFY, body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "not_object" and error["message_zh"] and error["message_en"]


def test_verify_needs_no_csrf_for_logged_in_browsers(lic, owner):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(VERIFY, lic.signed, format="json").json()["valid"] is True


def test_owner_downloads_pdf_and_json(lic, owner, client_for):
    client = client_for(owner)
    response = client.get(f"/api/v1/licenses/{lic.uscc}/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert "营业执照" in PdfReader(io.BytesIO(data)).pages[0].extract_text()

    response = client.get(f"/api/v1/licenses/{lic.uscc}/json/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.content == signing.canonical(lic.signed)
    assert signing.check(response.content).valid


def test_the_roles_that_handle_it_may_download_and_no_one_else(lic, client_for):
    def holder(username, role):
        user = make_user(username, is_staff=True)
        roles.grant(user, role)
        return client_for(user)

    url = f"/api/v1/licenses/{lic.uscc}/json/"
    assert holder("examiner", roles.EXAMINER).get(url).status_code == 200
    assert holder("registrar", roles.officer_group("registration")).get(url).status_code == 200
    # Django staff, an administrator, another department's officer: not theirs to read.
    for username, role in (("admin", roles.ADMIN), ("taxman", roles.officer_group("tax"))):
        assert holder(username, role).get(url).status_code == 404
    assert client_for(make_user("staff-only", is_staff=True)).get(url).status_code == 404


def test_other_users_get_404(lic, client_for):
    other = client_for(make_user("neighbour"))
    for kind in ("pdf", "json"):
        response = other.get(f"/api/v1/licenses/{lic.uscc}/{kind}/")
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"


def test_unknown_code_is_404_and_anonymous_must_log_in(lic, owner, client_for):
    assert client_for(owner).get("/api/v1/licenses/91371071MA3C7X0012/pdf/").status_code == 404
    assert APIClient().get(f"/api/v1/licenses/{lic.uscc}/pdf/").status_code == 401


def test_session_login_works_too(lic, owner):
    client = APIClient()
    client.force_login(owner)
    assert client.get(f"/api/v1/licenses/{lic.uscc}/json/").status_code == 200


def test_the_real_urlconfs_route_to_these_views():
    try:
        import yilian.api.urls  # noqa: F401
    except ImportError as exc:  # another app's views not written yet
        pytest.skip(f"yilian.api.urls is not importable yet: {exc}")
    from django.urls import resolve

    from yilian.api import licenses
    from yilian.licenses import views

    def view_of(url: str):
        match = resolve(url, urlconf="yilian.urls")
        return getattr(match.func, "view_class", match.func)

    code = "91371071MA3C7X0012"
    assert view_of("/api/v1/licenses/verify/") is licenses.VerifyLicense
    assert view_of(f"/api/v1/licenses/{code}/pdf/") is licenses.LicensePdf
    assert view_of(f"/api/v1/licenses/{code}/json/") is licenses.LicenseJson
    assert view_of(f"/verify/{code}/") is views.verify_page
