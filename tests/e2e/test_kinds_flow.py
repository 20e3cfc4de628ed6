"""Issue 12 on a 375 px phone: an individual business run by a family, and a general
partnership, each filled from the first question (the kind, in words) through
submission. The demo opens both kinds ahead of the catalogue (``YILIAN_KINDS_OPEN`` in
tests/e2e/browser.py); everything else is the pages as shipped."""

from __future__ import annotations

import random
import re

import pytest

from tests.e2e.browser import confirm_on_their_phones, pick_street, screenshot
from tests.e2e.test_portal_flow import (
    ADDRESS,
    RARE,
    _add_row,
    _add_scope,
    _fill_row,
    _next,
    _unique_phone,
    fill_invoices,
    fill_people,
    pick_kind,
)
from yilian.departments import identity

pytestmark = [pytest.mark.slow, pytest.mark.browser]
INVOICES = {"invoices": {"types": ["数电发票（普通发票）"], "monthly_quantity": 25}}


def _person() -> dict:
    """Someone of the identity simulator's population nobody else used this run."""
    who = identity.synthetic(random.randrange(3_000_000))
    return {"name": who.name, "id_number": who.id_number, "phone": who.phone}


def _start(site, phone, kind: str) -> None:
    site.sign_in_by_phone(phone, _unique_phone())
    with phone.expect_navigation():
        phone.get_by_role("button", name=re.compile("开办新企业")).click()
    assert "/enterprise/" in phone.url
    # The first question, in words, the most common choice first.
    first = phone.locator("#org_form input[type=radio]").first
    assert first.get_attribute("value") == "individual_business"
    pick_kind(phone, kind)


def _place_and_name(phone, pattern: str) -> str:
    pick_street(phone, "怡园街道")
    phone.locator("#domicile").fill(ADDRESS)
    for _ in range(8):  # a free name, checked live as it is typed
        name = pattern.format("".join(random.sample(RARE, 3)))
        phone.locator("#name").fill("")
        phone.locator("#name").press_sequentially(name, delay=10)
        phone.wait_for_function(
            "n => document.querySelector('#name-check').textContent.includes(n)", arg=name)
        if phone.locator("#name").get_attribute("aria-invalid") == "false":
            return name
    raise AssertionError("no free name found")


def _scope(phone) -> None:
    _next(phone)
    assert "/scope/" in phone.url
    _add_scope(phone, "软件开发")
    _next(phone)
    assert "/investors/" in phone.url


def _choices_parties_submit(site, phone, browser, parties: int, shot: str) -> None:
    _next(phone)
    assert "/employees/" in phone.url
    _next(phone)
    assert "/choices/" in phone.url
    fill_invoices(phone, INVOICES)
    _next(phone)
    assert "/parties/" in phone.url
    assert phone.locator(".party").count() == parties
    confirm_on_their_phones(site, phone, browser, {"viewport": {"width": 375, "height": 812},
                                                   "is_mobile": True, "has_touch": True})
    _next(phone)
    assert "/review/" in phone.url
    assert phone.locator(".error-summary").count() == 0, phone.locator("main").inner_text()
    phone.locator("#declaration").check()
    screenshot(phone, shot)
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交申请").click()
    assert re.search(r"/me/applications/[0-9a-f-]+/$", phone.url), phone.url
    assert phone.locator("#app-status").inner_text() not in ("草稿", "")


def test_a_family_runs_an_individual_business_applied_for_on_a_phone(site, phone, browser):
    _start(site, phone, "individual_business")
    # Its own fields: how it is run, its funds (not a registered capital), no term.
    assert phone.locator("#registered_capital").count() == 1
    assert "资金数额" in phone.locator("label[for=registered_capital]").inner_text()
    assert phone.locator("#operating_term_years").count() == 0
    phone.locator("#composition-family").check()
    phone.locator("#registered_capital").fill("5")
    _place_and_name(phone, "{}软件开发工作室")  # its county or no division (names/kinds.py)
    screenshot(phone, "phone-kind-individual")
    _scope(phone)

    operator, relative = _person(), _person()
    # One operator, no contribution columns, no second row to add.
    assert phone.locator("#investors-0-amount").count() == 0
    assert phone.locator("#rows-end button").count() == 0
    _fill_row(phone, "investors", 0, operator)
    _next(phone)
    assert "/people/" in phone.url
    assert phone.locator("#people-legal_representative").count() == 0
    fill_people(phone, {"people": [{"role": "family_member", **relative},
                                   {"role": "contact", **operator}]})
    _choices_parties_submit(site, phone, browser, parties=2, shot="phone-kind-individual-review")


def test_two_friends_start_a_general_partnership_on_a_phone(site, phone, browser):
    _start(site, phone, "partnership_general")
    assert "出资额" in phone.locator("label[for=registered_capital]").inner_text()
    phone.locator("#registered_capital").fill("20")
    _place_and_name(phone, "威海{}软件咨询中心（普通合伙）")
    _scope(phone)

    first, second = _person(), _person()
    term = {"contribution_date": "2030-12-31", "liability": "unlimited"}
    _fill_row(phone, "investors", 0, {**first, **term, "amount": "100000.00"})
    phone.locator("#investors-0-managing").check()  # 执行事务合伙人
    _add_row(phone, "investors", 1)
    # A general partner may contribute labour (合伙企业法第16条).
    _fill_row(phone, "investors", 1, {**second, **term, "amount": "100000.00",
                                      "contribution_method": "劳务"})
    screenshot(phone, "phone-kind-partnership-investors")
    _next(phone)
    assert "/people/" in phone.url, phone.locator(".error-summary").inner_text()
    # A partnership's offices: no legal representative, directors or supervisors.
    assert phone.locator("#people-director").count() == 0
    fill_people(phone, {"people": [{"role": "financial_officer", **first},
                                   {"role": "tax_handler", **first},
                                   {"role": "contact", **second}]})
    _choices_parties_submit(site, phone, browser, parties=2,
                            shot="phone-kind-partnership-review")
