"""变更登记 on a 375 px phone, in a real browser (issue 13): the owner of a registered
enterprise opens a change, finds the form pre-filled with what is registered, moves the
domicile, sees the change before and after on the check step (the page never wider than
the phone), submits, and the chain runs to a new license that supersedes the old."""

from __future__ import annotations

import time

import pytest

from tests.e2e.processes import Client
from tests.e2e.test_workbench import submitted

pytestmark = [pytest.mark.slow, pytest.mark.browser]
OLD_ADDRESS = "火炬路213号创新创业基地A座501室"
NEW_ADDRESS = "文化西路180号创业大厦B座1203室"


def _registered(site) -> dict:
    """A company of the demo applicant's, registered through the API (chain done)."""
    api = Client(site.base)
    api.login("demo-applicant")
    return _until_completed(api, submitted(site)["id"])


def _until_completed(api: Client, pk: str) -> dict:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status, body = api.call("GET", f"/api/v1/applications/{pk}/")
        if body["status"] == "completed":
            return body
        time.sleep(0.5)
    raise AssertionError(f"not completed: {body['status']} {body['steps']}")


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px phone"


def test_an_owner_moves_the_company_on_a_phone(site, phone):
    company = _registered(site)
    uscc = company["uscc"]
    site.sign_in(phone, "demo-applicant")
    phone.goto(site.url("/me/"))
    # 办理变更 is a POST from the enterprise's page: the same form, sent from here.
    with phone.expect_navigation():
        phone.evaluate("""uscc => {
            const form = document.querySelector("form[action$='/me/new/']");
            form.action = `/me/enterprises/${uscc}/change/`;
            form.submit();
        }""", uscc)
    assert phone.url.endswith("/enterprise/"), phone.url
    banner = phone.locator("#change-banner")
    assert "变更登记" in banner.inner_text() and uscc in banner.inner_text()
    registered = phone.locator("#domicile").input_value()
    assert registered.endswith(OLD_ADDRESS)  # pre-filled with what is registered
    _fits(phone)

    phone.locator("#domicile").fill(registered.replace(OLD_ADDRESS, NEW_ADDRESS))
    with phone.expect_navigation():
        phone.locator(".step-nav button[value=next]").click()
    phone.goto(phone.url.rsplit("/", 2)[0] + "/review/")
    table = phone.locator("#what-changes")
    rows = table.locator("tbody tr")
    assert rows.count() == 1
    assert "住所" in rows.first.locator("th").inner_text()
    assert OLD_ADDRESS in rows.first.locator("td.before").inner_text()
    assert NEW_ADDRESS in rows.first.locator("td.after").inner_text()
    assert phone.locator(".error-summary").count() == 0  # nobody's consent needed
    _fits(phone)
    phone.locator("#declaration").check()  # 承诺书
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交申请").click()
    phone.locator("#app-status", has_text="已办结").wait_for(timeout=90_000)

    api = Client(site.base)
    api.login("demo-applicant")
    status, body = api.call("GET", f"/api/v1/enterprises/{uscc}/")
    assert status == 200, body
    assert [(lic["version"], lic["status"]) for lic in body["licenses"]] == [
        (2, "current"), (1, "superseded")]
    assert [event["kind"] for event in body["history"]] == ["established", "changed"]
