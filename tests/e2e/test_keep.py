"""Never lose what was typed, on a 375 px phone: the step pages save as the applicant
types, a reload puts back what the server did not have yet, a dropped connection keeps
the input and saves it when the connection returns, and leaving with unsaved input asks
first. (autosave.js against the real demo server.)"""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

AUTOSAVE = re.compile(r".*/autosave/$")


def _new_draft(site, page) -> str:
    """A fresh draft of demo-applicant's, on its first step; returns its step URL."""
    site.sign_in(page, "demo-applicant")
    page.goto(site.url("/me/"))
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("开办新企业")).click()
    assert page.url.endswith("/enterprise/")
    return page.url


def _status(page):
    return page.locator("#autosave-status")


def _stored(page) -> str | None:
    return page.evaluate(
        "() => localStorage.getItem(document.getElementById('step-form').dataset.draftKey)")


def test_typed_text_is_saved_and_a_reload_restores_what_was_not(site, phone):
    url = _new_draft(site, phone)
    phone.locator("#domicile").click()
    phone.locator("#domicile").press_sequentially("威海市火炬路1号", delay=10)
    _status(phone).filter(has_text="已自动保存").wait_for()
    assert _stored(phone) is None  # the server has it all: nothing kept in the browser
    phone.goto(url)
    assert phone.locator("#domicile").input_value() == "威海市火炬路1号"

    # The server cannot be reached: the page as typed stays in this browser…
    phone.route(AUTOSAVE, lambda route: route.abort())
    phone.locator("#domicile").click()
    phone.locator("#domicile").press_sequentially("A座", delay=10)
    _status(phone).filter(has_text="未能保存").wait_for()
    assert "A座" in _stored(phone)
    phone.unroute(AUTOSAVE)
    phone.on("dialog", lambda dialog: dialog.accept())  # leave despite the warning
    phone.goto(url)
    # …and comes back on reload, with a note, then reaches the server.
    assert phone.locator("#domicile").input_value() == "威海市火炬路1号A座"
    phone.locator("#restore-note").wait_for()
    _status(phone).filter(has_text="已自动保存").wait_for()
    assert _stored(phone) is None
    phone.goto(url)
    assert phone.locator("#domicile").input_value() == "威海市火炬路1号A座"
    assert phone.locator("#restore-note").count() == 0


def test_offline_the_input_is_kept_and_saved_when_back_online(site, phone):
    url = _new_draft(site, phone)
    phone.locator("#domicile").click()
    phone.context.set_offline(True)
    phone.locator("#domicile").press_sequentially("威海市文化路5号", delay=10)
    _status(phone).filter(has_text="网络已断开").wait_for()
    assert phone.locator("#domicile").input_value() == "威海市文化路5号"
    # The live name check cannot run either, and says so.
    phone.locator("#name").press_sequentially("威海离线科技有限公司", delay=10)
    phone.locator("#name-check .check-failed", has_text="未能检查").wait_for()
    assert "威海市文化路5号" in _stored(phone)

    phone.context.set_offline(False)
    _status(phone).filter(has_text="已自动保存").wait_for(timeout=30_000)
    assert _stored(phone) is None
    phone.goto(url)
    assert phone.locator("#domicile").input_value() == "威海市文化路5号"
    assert phone.locator("#name").input_value() == "威海离线科技有限公司"


def test_leaving_with_unsaved_input_asks_first(site, phone):
    url = _new_draft(site, phone)
    phone.route(AUTOSAVE, lambda route: route.abort())  # the autosave cannot catch up
    phone.locator("#domicile").click()
    phone.locator("#domicile").press_sequentially("威海市海滨路9号", delay=10)
    _status(phone).filter(has_text="未能保存").wait_for()
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    phone.on("dialog", stay)
    phone.locator(".stepper a").nth(1).click()  # to the next step, by its link
    phone.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert phone.url == url and phone.locator("#domicile").input_value() == "威海市海滨路9号"
    # Once the server has everything, leaving asks nothing.
    phone.unroute(AUTOSAVE)
    phone.locator("#domicile").press_sequentially("号", delay=10)
    _status(phone).filter(has_text="已自动保存").wait_for()
    with phone.expect_navigation():
        phone.locator(".stepper a").nth(1).click()
    assert dialogs == ["beforeunload"] and phone.url.endswith("/scope/")


def test_back_and_forward_lose_nothing(site, phone):
    """History back to a step and forward again: what was typed on either step is there,
    even what the server never got (typed while it could not be reached, then left)."""
    url = _new_draft(site, phone)
    phone.locator("#domicile").click()
    phone.locator("#domicile").press_sequentially("威海市新威路7号", delay=10)
    _status(phone).filter(has_text="已自动保存").wait_for()
    with phone.expect_navigation():  # on to the next step by its link (the step is unfinished)
        phone.locator(".stepper a").nth(1).click()
    assert phone.url.endswith("/scope/")
    scope_url = phone.url

    phone.go_back()
    assert phone.url == url
    assert phone.locator("#domicile").input_value() == "威海市新威路7号"
    # Typed while the server cannot be reached, then left by its link and come back to.
    phone.route(AUTOSAVE, lambda route: route.abort())
    phone.locator("#domicile").click()
    phone.locator("#domicile").press_sequentially("B座", delay=10)
    _status(phone).filter(has_text="未能保存").wait_for()
    phone.on("dialog", lambda dialog: dialog.accept())  # leave despite the warning
    phone.go_forward()
    assert phone.url == scope_url
    phone.unroute(AUTOSAVE)
    phone.go_back()
    assert phone.url == url
    assert phone.locator("#domicile").input_value() == "威海市新威路7号B座"
    _status(phone).filter(has_text="已自动保存").wait_for()
    phone.go_forward()
    assert phone.url == scope_url
    phone.go_back()
    assert phone.locator("#domicile").input_value() == "威海市新威路7号B座"


def test_a_row_added_through_htmx_does_not_stop_the_autosave(site, phone):
    """The row button saves the form and swaps in only the rows: the autosave that
    follows builds on the version that save made, not on the page's first one (it used to
    answer "表单已在别处修改" and stop)."""
    url = _new_draft(site, phone)
    phone.goto(url.replace("/enterprise/", "/investors/"))
    first = phone.evaluate("() => document.getElementById('step-form').dataset.version")
    phone.locator("#investors-0-name").fill("王一")
    phone.locator("#rows-end button[value=investors]").click()
    phone.locator("#investors-1-name").wait_for()
    assert phone.evaluate(
        "() => document.getElementById('step-form').dataset.version") != first
    phone.locator("#investors-1-name").click()
    phone.locator("#investors-1-name").press_sequentially("李二", delay=10)
    # Saved: nothing left to keep in the browser, and the status says so.
    phone.wait_for_function(
        "() => localStorage.getItem(document.getElementById('step-form').dataset.draftKey)"
        " === null && document.getElementById('autosave-status').textContent"
        ".includes('已自动保存')")
    assert "别处" not in _status(phone).inner_text()
    phone.goto(url.replace("/enterprise/", "/investors/"))
    assert phone.locator("#investors-1-name").input_value() == "李二"
