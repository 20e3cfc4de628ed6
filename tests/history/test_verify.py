"""The public verification of a license that is no longer the one in force: the page of
each version says whether it is current, superseded (linking the current one) or revoked
with the closing date — read from the HTML, no OCR — and the API says the same."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from tests.history.conftest import close
from yilian.licenses import signing
from yilian.licenses.models import License

pytestmark = pytest.mark.django_db


def _get(client, path, language="zh-hans"):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    return response.status_code, response.content.decode()


def _standing(html: str) -> str:
    return re.search(r'id="standing" data-status="(\w+)"', html).group(1)


def test_the_code_shows_the_current_version_and_lists_the_older(client, changed):
    status, html = _get(client, f"/verify/{changed.uscc}/")
    assert status == 200 and _standing(html) == "current"
    assert "第 2 版" in html and "现行有效" in html
    versions = html[html.index('id="versions"'):]
    assert re.findall(r'data-version="(\d)" data-status="(\w+)"', versions) == [
        ("1", "superseded")]
    assert f'href="/verify/{changed.uscc}/v1/"' in versions


def test_an_older_version_says_superseded_and_links_the_current(client, changed):
    old = License.objects.get(uscc=changed.uscc, version=1)
    status, html = _get(client, f"/verify/{changed.uscc}/v1/")
    assert status == 200 and _standing(html) == "superseded"
    assert 'data-valid="true"' in html  # genuine, and no longer in force
    assert f"已于 {old.ended_at:%Y-%m-%d} 因变更登记换发，不再有效" in html
    current = re.search(r'<a href="([^"]+)" id="current-link">', html).group(1)
    assert current == f"/verify/{changed.uscc}/v2/"
    assert _standing(_get(client, current)[1]) == "current"
    # What the page shows is the old content: the old domicile.
    assert old.fields["domicile"] in html
    _, english = _get(client, f"/verify/{changed.uscc}/v1/", "en")
    assert "Superseded" in english


def test_a_closed_enterprise_license_says_revoked_with_the_date(client, enterprise):
    close(enterprise)
    status, html = _get(client, f"/verify/{enterprise.uscc}/")
    assert status == 200 and _standing(html) == "revoked"
    day = enterprise.closed_on.isoformat()
    assert f'data-closed-on="{day}"' in html
    assert f"该企业已于 {day} 注销登记，本执照已作废" in html
    _, english = _get(client, f"/verify/{enterprise.uscc}/", "en")
    assert f"closed on {day}" in english


def test_a_version_never_issued_is_not_found(client, enterprise):
    assert client.get(f"/verify/{enterprise.uscc}/v7/").status_code == 404


def test_the_api_tells_superseded_from_current(changed):
    api = APIClient()
    verdicts = {}
    for lic in License.objects.filter(uscc=changed.uscc):
        answer = api.post("/api/v1/licenses/verify/", signing.canonical(lic.signed),
                          content_type="application/json").json()
        verdicts[lic.version] = (answer["valid"], answer["status"])
    assert verdicts == {1: (True, "superseded"), 2: (True, "current")}


def test_the_api_history_names_the_license_and_the_application(changed):
    api = APIClient()
    api.force_authenticate(changed.application.owner)
    body = api.get(f"/api/v1/enterprises/{changed.uscc}/").json()
    kinds = [(e["kind"], e["license_version"]) for e in body["history"]]
    assert kinds == [("established", 1), ("changed", 2), ("filed", None)]
    for entry in body["history"]:
        assert entry["application_url"].endswith(f"/api/v1/applications/{entry['application']}/")
    assert api.get(body["history"][1]["application_url"]).status_code == 200
    assert [(lic["version"], lic["status"]) for lic in body["licenses"]] == [
        (2, "current"), (1, "superseded")]
