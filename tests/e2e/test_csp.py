"""The pages work under their Content-Security-Policy: in a real browser, nothing is
refused (no inline script, handler or style left) while the language switch (script),
a live name check (htmx) and the dashboard's charts do their work."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    return found


def test_pages_work_under_the_policy(site, desktop, new_desktop):
    refused = _violations(desktop)
    response = desktop.goto(site.url("/"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    with desktop.expect_navigation():  # the language switch is script, from a file
        desktop.locator("#language").select_option("en")
    assert desktop.locator("html").get_attribute("lang") == "en"
    site.sign_in_by_phone(desktop, "13800138991")
    with desktop.expect_navigation():
        desktop.locator("form[action$='/me/new/'] button[type=submit]").first.click()
    desktop.locator("#name").fill("威海一链测试科技有限公司")  # htmx asks as one types
    desktop.locator("#name-check *").first.wait_for()  # the fragment arrived and swapped
    admin = new_desktop()
    admin_refused = _violations(admin)
    site.sign_in(admin, "demo-admin")
    admin.goto(site.url("/dashboard/"))
    admin.locator("svg.chart-svg").first.wait_for()
    width = admin.locator("svg.chart-svg").first.bounding_box()["width"]
    designed = float(admin.locator("svg.chart-svg").first.get_attribute("width"))
    assert width <= designed + 1  # never drawn larger than designed, without inline style
    assert refused == [] and admin_refused == []
