"""注销 on a phone (375 px), in a real browser against the demo (notice period 0): the
owner of a registered enterprise chooses the simplified route and declares no debts, the
investors confirm on their own phones, the owner pledges and submits; the notice is on
the public gazette page and the enterprise ends closed, its license revoked."""

from __future__ import annotations

import pytest

from tests.e2e.browser import PHONE, confirm_on_their_phones, fresh_people, screenshot
from tests.e2e.processes import Client, wait_for
from tests.e2e.test_workbench import _example, submitted_with_a_free_name

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _registered(site) -> dict:
    """A new enterprise of the demo applicant's, registered through the API."""
    body = submitted_with_a_free_name(site, fresh_people(_example()), "网络科技有限公司")
    api = Client(site.base)
    api.login("demo-applicant")

    def done():
        return api.call("GET", f"/api/v1/applications/{body['id']}/")[1]["status"] == "completed"

    wait_for(done, 60, interval=0.3, what="the establishment's chain")
    return api.call("GET", f"/api/v1/applications/{body['id']}/")[1]


def test_an_owner_closes_the_enterprise_on_a_phone(site, phone, browser):
    enterprise = _registered(site)
    uscc = enterprise["uscc"]
    site.sign_in(phone, "demo-applicant")
    phone.goto(site.url(f"/me/enterprises/{uscc}/close/"))
    # Nothing declared: a field error, in place.
    with phone.expect_navigation():
        phone.locator("#open-closing").click()
    assert "简易注销须承诺" in phone.locator("#debts-error").inner_text()
    phone.locator("#debts-none").check()
    screenshot(phone, "phone-closing-route")
    with phone.expect_navigation():
        phone.locator("#open-closing").click()
    assert phone.locator("#closing-route").inner_text() == "简易注销"
    confirm_on_their_phones(site, phone, browser, PHONE)
    phone.locator("#declaration").check()  # 承诺书
    with phone.expect_navigation():
        phone.locator("#submit-closing").click()
    assert phone.locator("#notices li[data-kind=simplified]").count() == 1

    def closed():
        phone.reload()
        return phone.locator("#closing-stage").inner_text() == "已注销"

    wait_for(closed, 60, interval=0.5, what="the closing chain")
    # Nothing wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "phone-closing-closed")

    phone.goto(site.url(f"/gazette/?q={uscc}"))
    assert phone.locator(f"#notices tr[data-uscc='{uscc}']").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    api = Client(site.base)
    api.login("demo-applicant")
    status, body = api.call("GET", f"/api/v1/enterprises/{uscc}/")
    assert status == 200 and body["status"] == "closed"
    assert body["licenses"][0]["status"] == "revoked"
    assert [e["kind"] for e in body["history"]] == ["established", "closed"]
