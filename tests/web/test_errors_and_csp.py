"""Unknown paths and ids answer 404 in the API's JSON shape under /api/, a page in the
reader's language elsewhere; a server error likewise; and every answer carries the
Content-Security-Policy, which the templates can live with (no inline script or style)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from yilian import csp, views

pytestmark = pytest.mark.django_db

# Fixed ids that no test makes: parametrized names must be the same in every xdist worker.
NOBODY = uuid.UUID("00000000-0000-4000-8000-000000000404")
API_404 = ["/api/v1/nope/", "/api/v1/", "/api/v1/applications/not-a-uuid/",
           f"/api/v1/applications/{NOBODY}/", "/api/v1/applications/%20/submit/",
           f"/api/v1/applications/{NOBODY}/submit/"]


@pytest.fixture
def api(client, django_user_model):
    from yilian.accounts import tokens

    user = django_user_model.objects.create_user("someone", password="x-pw-12345")
    key, _ = tokens.issue(user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


@pytest.mark.parametrize("path", API_404)
def test_unknown_api_paths_and_ids_answer_json_404(api, path):
    response = api.post(path) if path.endswith("submit/") else api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    (error,) = response.json()["errors"]
    assert error["code"] == "not_found" and error["message_zh"] == "未找到"
    assert error["message_en"].isascii()


def test_drf_messages_are_english_in_message_en_whatever_the_browser_asks(api):
    response = api.post("/api/v1/applications/", {"people": [{"name": "x"}]},
                        content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["message_zh"] == "此项为必填项" and error["message_en"].isascii()


@pytest.mark.parametrize(("language", "title"), [
    ("zh-hans", "页面不存在"), ("zh-hant", "頁面不存在"), ("en", "Page not found")])
def test_pages_have_their_own_404_in_the_readers_language(client, language, title):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert title in response.content.decode()


@pytest.mark.parametrize(("language", "title"), [
    ("zh-hans", "服务暂时出错"), ("zh-hant", "服務暫時出錯"), ("en", "Something went wrong")])
def test_the_500_page_speaks_the_readers_language(language, title):
    request = RequestFactory().get("/me/")
    with translation.override(language):
        response = views.server_error(request)
    assert response.status_code == 500 and title in response.content.decode()


def test_a_500_under_the_api_is_json():
    response = views.server_error(RequestFactory().get("/api/v1/applications/"))
    assert response.status_code == 500
    assert json.loads(response.content)["errors"][0]["code"] == "server_error"


@pytest.mark.urls("tests.web.urls")
def test_a_failing_page_answers_the_500_page(client):
    client.raise_request_exception = False
    response = client.get("/fails/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert response["Content-Security-Policy"] == csp.POLICY
    response = client.get("/api/v1/fails/")
    assert response.status_code == 500
    assert json.loads(response.content)["errors"][0]["code"] == "server_error"


# Content-Security-Policy


def _simple_paths(patterns=None, prefix="") -> list[str]:
    """Every URL of the configuration that takes no argument."""
    out = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            out += _simple_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            out.append("/" + prefix + route)
    return sorted(set(out))


def test_every_page_answers_with_the_policy(client, django_user_model):
    paths = _simple_paths()
    assert "/" in paths and "/accounts/login/" in paths and "/api/v1/schema/" in paths
    staff = django_user_model.objects.create_superuser("root", password="x-pw-12345")
    for who in (None, staff):
        if who:
            client.force_login(who)
        for path in paths:
            response = client.get(path)
            assert response.status_code < 500, path
            assert response["Content-Security-Policy"] == csp.POLICY, path


def test_the_api_answers_json_even_to_a_browser(api):
    response = api.get("/api/v1/applications/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_the_policy_forbids_inline_script_and_style():
    directives = dict(d.split(" ", 1) for d in csp.POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in csp.POLICY
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


SRC = Path(__file__).resolve().parents[2] / "src" / "yilian"
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"<style", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\shx-on", re.I), "hx-on (htmx evaluates it as script)"),
]


def test_no_template_or_generated_markup_needs_unsafe_inline():
    """What the policy would block, found before a browser does: every template, and
    the Python that writes markup (charts)."""
    found = []
    for path in [*SRC.rglob("*.html"), SRC / "charts.py"]:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(SRC)}: {what}: {match.group(0)!r}")
    assert not found, "\n".join(found)


def test_htmx_is_told_not_to_inject_its_style(client):
    html = client.get("/").content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert re.search(r'<script src="/static/yilian/yilian\.js"', html)
