"""The request guard (yilian.guards): oversized bodies, NUL, lone surrogates and deep JSON
are refused at the edge — pages, htmx fragments, the API and the public verification
alike — with the API's error shape, and a refused write stores nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import EXAMPLE
from yilian import guards
from yilian.accounts import roles
from yilian.forms.models import Application
from yilian.wsgi import application as wsgi_app

pytestmark = pytest.mark.django_db

API = "/api/v1/applications/"
# One of each kind of endpoint: the API, its public verification, the token endpoint,
# a page, an htmx fragment, the public license page, an unknown path.
ENDPOINTS = [API, "/api/v1/licenses/verify/", "/api/v1/auth/token/",
             "/accounts/login/phone/", "/me/check/id/", "/verify/91371071MA3C7X0012/", "/nope/"]


def _shape(response) -> dict:
    body = response.json()
    assert set(body) == {"errors"}
    (error,) = body["errors"]
    assert set(error) == {"field", "code", "message_zh", "message_en"}
    return error


@pytest.fixture
def portal_user(applicant):
    roles.grant(applicant, roles.APPLICANT)
    return applicant


@pytest.mark.parametrize("path", ENDPOINTS)
@override_settings(MAX_BODY_BYTES=1000)
def test_a_body_over_the_limit_is_413_everywhere(client, path):
    response = client.generic("POST", path, b"x" * 1001, content_type="application/json")
    assert response.status_code == 413
    assert _shape(response)["code"] == "request.too_large"


@override_settings(MAX_BODY_BYTES=1000)
def test_a_body_at_the_limit_passes(api_client):
    body = b'{"name": "x"' + b" " * 987 + b"}"
    assert len(body) == 1000
    response = api_client.generic("POST", API, body, content_type="application/json")
    assert response.status_code == 201


def _wsgi(path: str, body: bytes, headers: dict[str, str]) -> tuple[str, bytes]:
    """The real WSGI application with a chunked body and no Content-Length, as gunicorn
    hands one over."""
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": False,
        "wsgi.run_once": False, "CONTENT_TYPE": "application/json",
        "HTTP_TRANSFER_ENCODING": "chunked", **headers,
    }
    status = []
    # As the test client does: a finished request must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = wsgi_app(environ, lambda s, h, *a: status.append(s))
        body = b"".join(response)
        response.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return status[0], body


@override_settings(MAX_BODY_BYTES=1000)
def test_a_chunked_body_without_length_is_measured_too(applicant, client_for):
    token = client_for(applicant)._credentials["HTTP_AUTHORIZATION"]
    before = Application.objects.count()
    status, body = _wsgi(API, json.dumps({"name": "x" * 5000}).encode(),
                         {"HTTP_AUTHORIZATION": token})
    assert status.startswith("413")
    assert json.loads(body)["errors"][0]["code"] == "request.too_large"
    assert Application.objects.count() == before
    # A small chunked body is read and served as if it had come with its length.
    status, body = _wsgi(API, json.dumps({"name": "威海一链科技有限公司"}).encode(),
                         {"HTTP_AUTHORIZATION": token})
    assert status.startswith("201"), body
    assert json.loads(body)["name"] == "威海一链科技有限公司"


BAD_JSON = [
    ('{"name": "a\\u0000b"}', "request.nul", "name"),
    ('{"name": "a\\ud800b"}', "request.encoding", "name"),
    ('{"a\\u0000": 1}', "request.nul", ""),
    ('{"\\udfff": 1}', "request.encoding", ""),
    ('{"investors": [{"name": "\\u0000"}]}', "request.nul", "investors[0].name"),
    ('{"permits": {"x": "\\udbff"}}', "request.encoding", "permits.x"),
    ('{"business_scope": ["ok", "\\ud83d"]}', "request.encoding", "business_scope[1]"),
    ('[' * 40 + ']' * 40, "request.depth", ""),
    ('{"name": "\\ud83d\\ude00 fine"}', None, None),  # a proper pair is a real character
]


@pytest.mark.parametrize(("body", "code", "field"), BAD_JSON)
def test_json_bodies_with_nul_surrogates_or_depth_are_400(api_client, body, code, field):
    before = Application.objects.count()
    response = api_client.generic("POST", API, body.encode(), content_type="application/json")
    if code is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400, response.content
    error = _shape(response)
    assert (error["code"], error["field"]) == (code, field)
    assert Application.objects.count() == before


def test_invalid_utf8_in_json_is_400(api_client):
    response = api_client.generic("POST", API, b'{"name": "\xed\xa0\x80"}',
                                  content_type="application/json")
    assert response.status_code == 400


def test_the_public_verification_is_guarded_too(client):
    response = client.generic("POST", "/api/v1/licenses/verify/", b'{"uscc": "\\u0000"}',
                              content_type="application/json")
    assert response.status_code == 400 and _shape(response)["code"] == "request.nul"


@pytest.mark.parametrize("query", ["q=%00", "%00=1", "q=%ED%A0%80", "q=%FF", "a=1&b=x%00y"])
@pytest.mark.parametrize("path", ["/me/check/id/", API, "/verify/91371071MA3C7X0012/", "/"])
def test_query_strings_with_nul_or_bad_bytes_are_400(api_client, path, query):
    response = api_client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert _shape(response)["code"] in {"request.nul", "request.encoding"}


@pytest.mark.parametrize("path", ["/verify/%00/", "/api/v1/applications/%00/", "/me/%00"])
def test_paths_with_nul_are_400(client, path):
    response = client.get(path)
    assert response.status_code == 400 and _shape(response)["code"] == "request.nul"


def test_form_bodies_with_nul_or_surrogates_are_400_and_store_nothing(client, portal_user):
    client.force_login(portal_user)
    draft = Application.objects.create(owner=portal_user, name="原名称")
    url = f"/me/applications/{draft.pk}/enterprise/"
    for body in (b"name=a%00b", b"name=%ED%A0%80", b"na%00me=x", b"name=\xff"):
        response = client.generic("POST", url, body,
                                  content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, body
        draft.refresh_from_db()
        assert draft.name == "原名称"


def test_multipart_bodies_are_checked_too(client, portal_user):
    client.force_login(portal_user)
    draft = Application.objects.create(owner=portal_user, name="原名称")
    response = client.post(f"/me/applications/{draft.pk}/enterprise/", {"name": "a\x00b"})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.name == "原名称"


def test_the_api_takes_json_only(api_client):
    response = api_client.post(API, {"name": "威海一链科技有限公司"})  # multipart
    assert response.status_code == 415
    response = api_client.post(API, "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_the_depth_scanner_ignores_brackets_in_strings():
    assert guards.json_depth_within(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')
    assert guards.json_depth_within(b'["\\"[[[["]', limit=1)
    assert not guards.json_depth_within(b"[[[]]]", limit=2)


# Hypothesis: whatever text goes in any field of the application, the API answers 201
# or 400 — never 500 — and what it stored reads back as sent.

_TEXT_FIELDS = ["name", "domicile", "division_code", "industry_code", "investors.0.name",
                "investors.0.id_number", "investors.0.uscc", "people.0.name",
                "people.0.id_number", "people.0.phone", "people.0.email",
                "employees.0.name", "employees.0.id_number", "business_scope.0",
                "permits.x", "pledges.0", "bank_appointment.bank",
                "investors.0.amount", "employees.0.monthly_wage", "registered_capital"]
_ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=30)


def _put(document: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    node = document
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(field=st.sampled_from(_TEXT_FIELDS), value=_ANY_TEXT)
def test_any_text_in_any_field_never_breaks_a_record(api_client, field, value):
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document.setdefault("permits", {})
    document.setdefault("pledges", [""])
    document["bank_appointment"] = document.get("bank_appointment") or {"bank": "x"}
    _put(document, field, value)
    raw = json.dumps(document, ensure_ascii=True).encode()  # surrogates as \ud800
    before = Application.objects.count()
    response = api_client.generic("POST", API, raw, content_type="application/json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert Application.objects.count() == before
        return
    created = response.json()
    again = api_client.get(f"{API}{created['id']}/")
    assert again.status_code == 200
    page_check = api_client.patch(f"{API}{created['id']}/", {"domicile": "威海"}, format="json")
    assert page_check.status_code == 200
