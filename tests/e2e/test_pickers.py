"""The pickers on a 375 px phone: the place picked (the cascade live, by htmx), the
division code shown, never typed; the industry in words from the main scope entry and
changed by a search in words."""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import pick_county, pick_street, screenshot
from tests.e2e.test_portal_flow import _add_scope, _unique_phone

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_the_place_and_the_industry_are_picked_in_words(site, phone):
    site.sign_in_by_phone(phone, _unique_phone())
    with phone.expect_navigation():
        phone.get_by_role("button", name=re.compile("开办新企业")).click()
    code = phone.locator("#division-code")
    assert code.inner_text() == "371071"  # preset to the zone

    # Another district: the street list follows it without a reload, and so does the code.
    url = phone.url
    pick_county(phone, "环翠区", "371002")
    assert phone.url == url
    assert "鲸园街道" in phone.locator("#division-street").inner_text()
    pick_county(phone, "威海火炬高技术产业开发区", "371071")
    pick_street(phone, "田和街道")
    phone.locator("#domicile").fill("田和路8号")
    phone.locator("#registered_capital").fill("100万")
    phone.locator("#name").fill("威海璟珩测试科技有限公司")
    screenshot(phone, "phone-division-picker")
    with phone.expect_navigation():
        phone.locator(".step-nav button[value=save]").click()
    assert phone.locator("#division-code").inner_text() == "371071"
    assert phone.locator("#registered_capital").input_value() == "100"
    assert phone.locator("#domicile").input_value() == "田和路8号"
    phone.goto(phone.url.split("?")[0].replace("/enterprise/", "/scope/"))
    _add_scope(phone, "软件开发")
    assert phone.locator("#industry-shown").inner_text() == "应用软件开发 6513"
    phone.locator("#industry-q").fill("信息技术咨询")
    pick = phone.locator("#industry-results button[value='6560']")
    pick.wait_for()
    with phone.expect_navigation():
        pick.click()
    assert phone.locator("#industry-shown").inner_text() == "信息技术咨询服务 6560"
    screenshot(phone, "phone-industry-picker")
