"""Every main page, as its users see it: each form field has a label, each image a text
alternative, the page names its language, and on a phone nothing overflows sideways — in
a real browser, after htmx has run."""

from __future__ import annotations

import pytest

from tests.e2e.processes import Client

pytestmark = [pytest.mark.slow, pytest.mark.browser]

UNLABELLED = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea')].filter(
    e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
         && !e.getAttribute('aria-labelledby')).map(e => e.id || e.name)"""
NO_ALT = """() => [...document.querySelectorAll('img')].filter(e => !e.hasAttribute('alt'))
    .map(e => e.src)"""
STEPS = ("enterprise", "scope", "investors", "people", "employees", "choices", "parties",
         "review")


def _check(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    assert page.evaluate(UNLABELLED) == [], url
    assert page.evaluate(NO_ALT) == [], url
    assert page.locator("html").get_attribute("lang"), url
    assert page.locator("h1").count() >= 1, url
    width = page.viewport_size["width"]
    if width <= 400:  # a phone: nothing may push the page sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url


def test_the_applicants_pages(site, phone):
    api = Client(site.base)
    api.login("demo-applicant")
    status, body = api.call("POST", "/api/v1/applications/", {"name": ""})
    assert status == 201, body
    site.sign_in(phone, "demo-applicant")
    _check(phone, site.url("/me/"))
    for step in STEPS:
        _check(phone, site.url(f"/me/applications/{body['id']}/{step}/"))


@pytest.mark.parametrize(("user", "paths"), [
    ("demo-clerk", ["/workbench/", "/workbench/sla/", "/workbench/counter/"]),
    ("demo-officer-tax", ["/workbench/departments/", "/workbench/departments/?status=failed"]),
    ("demo-admin", ["/dashboard/"]),
])
def test_the_staff_pages(site, desktop, user, paths):
    site.sign_in(desktop, user)
    for path in paths:
        _check(desktop, site.url(path))
