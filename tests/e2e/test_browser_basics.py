"""The pages every user meets first, in a real browser: the front page, signing in by
phone with a code from the outbox, signing in by password, the language switch, and the
role checks."""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import screenshot

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_front_page_renders_chinese_on_a_phone(site, phone):
    phone.goto(site.url("/"))
    assert phone.locator("h1").inner_text() == "企业开办，一链办理"
    # Chinese glyphs have real width: with no CJK font they would be tofu of equal width.
    widths = phone.evaluate("""() => {
        const c = document.createElement('canvas').getContext('2d');
        c.font = '16px sans-serif';
        return [c.measureText('链').width, c.measureText('一').width];
    }""")
    assert all(w > 8 for w in widths)
    screenshot(phone, "phone-home")


def test_an_applicant_signs_up_with_a_phone_code(site, phone):
    site.sign_in_by_phone(phone, "13800138123")
    assert phone.url.endswith("/me/")
    assert phone.locator("h1").inner_text() == "我的办件"


def test_a_wrong_code_is_refused_next_to_the_field(site, phone):
    phone.goto(site.url("/accounts/login/phone/"))
    phone.locator("#phone").fill("13800138124")
    phone.locator("form button[type=submit]").click()
    phone.locator("#code").fill("000000")
    phone.locator("form button[type=submit]").click()
    assert phone.locator("#code").get_attribute("aria-invalid") == "true"
    assert "验证码错误" in phone.locator("#code-error").inner_text()


def test_the_language_switch_changes_the_page(site, desktop):
    desktop.goto(site.url("/"))
    with desktop.expect_navigation():
        desktop.locator("#language").select_option("en")
    assert desktop.locator("h1").inner_text() == "Start a company in one chain"
    with desktop.expect_navigation():
        desktop.locator("#language").select_option("zh-hant")
    assert desktop.locator("h1").inner_text() == "企業開辦，一鏈辦理"
    assert desktop.locator("html").get_attribute("lang") == "zh-hant"


def test_staff_land_on_their_own_page_and_no_one_else(site, new_desktop):
    for username, path, heading in [("demo-clerk", "/workbench/", "窗口工作台"),
                                    ("demo-officer-tax", "/workbench/departments/", "部门工作台"),
                                    ("demo-admin", "/dashboard/", "双创统计")]:
        page = new_desktop()
        site.sign_in(page, username)
        assert page.url.endswith(path), (username, page.url)
        assert re.search(heading, page.locator("h1").first.inner_text())
    applicant = new_desktop()
    site.sign_in(applicant, "demo-applicant")
    response = applicant.goto(site.url("/dashboard/"))
    assert response.status == 403


def _tab_to(page, element_id: str, limit: int = 20) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_signing_in_by_phone_needs_only_the_keyboard(site, phone):
    phone.goto(site.url("/accounts/login/phone/"))
    # The skip link comes first, and takes the reader to the page's content.
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.className") == "skip"
    _tab_to(phone, "phone")
    phone.keyboard.type("13800138125")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    # The code field takes the focus by itself once the code is sent.
    assert phone.evaluate("document.activeElement.id") == "code"
    code = site.latest_code(phone.context.new_page(), "13800138125")
    phone.keyboard.type(code)
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.url.endswith("/me/")


def test_every_field_on_the_sign_in_pages_has_a_label(site, desktop):
    for path in ("/accounts/login/", "/accounts/login/phone/"):
        desktop.goto(site.url(path))
        unlabelled = desktop.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]), select, textarea')].filter(
            e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
            .map(e => e.id || e.name)""")
        assert unlabelled == [], (path, unlabelled)
