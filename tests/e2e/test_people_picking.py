"""The people step on a 375 px phone: a two-investor company's offices are filled by
picking the people already in the form, and the keystrokes are counted in the page
(every ``keydown`` the browser sees, across page loads): no investor's ID number is typed
again, the one new person is typed once, and the whole step takes less than half the
keystrokes the seven blank blocks took."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.e2e.browser import fresh_people, screenshot
from tests.e2e.processes import Client

pytestmark = [pytest.mark.slow, pytest.mark.browser]

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "application.json"
FRESH = "璟珩瑄琬瑷琰璠玥珂琛翊骁缙铧澍霁曦婕岚溧"
# Counted by the page itself, so nothing the test does bypasses it: every character
# that reaches an input (typed key by key, by an input method, pasted or filled), kept in
# sessionStorage so it survives the page loads of the step's saves.
COUNT_KEYS = """
document.addEventListener("input", function (event) {
  if (!event.inputType || event.inputType.indexOf("insert") !== 0 || !event.data) { return; }
  var log = JSON.parse(sessionStorage.getItem("typed") || "[]");
  log.push([event.target.id || "", event.data]);
  sessionStorage.setItem("typed", JSON.stringify(log));
}, true);
"""


def _draft_with_investors_only(site) -> tuple[str, dict]:
    """The demo applicant's new draft: the example's enterprise and its two investors
    (people of their own), nobody in office yet."""
    data = fresh_people(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    people = data.pop("people")
    data["name"] = f"威海{''.join(random.sample(FRESH, 3))}科技有限公司"
    api = Client(site.base)
    api.login("demo-applicant")
    status, body = api.call("POST", "/api/v1/applications/", data)
    assert status == 201, body
    return body["id"], {**data, "people": people}


def _type(page, selector: str, text: str) -> None:
    """Type as a person does: one key at a time."""
    page.locator(selector).press_sequentially(text, delay=5)


@pytest.mark.parametrize("live", [False, True], ids=["saved-first", "offered-at-once"])
def test_offices_are_filled_by_picking_people(site, phone, live):
    """Without a script's help the new person is saved, then picked; with people.js the
    person just typed is offered to the other questions at once."""
    app_id, data = _draft_with_investors_only(site)
    zhang, li = data["investors"]
    # The example's financial officer, the one person not yet in the form.
    officer = next(p for p in data["people"] if p["role"] == "financial_officer")
    phone.context.add_init_script(COUNT_KEYS)
    site.sign_in(phone, "demo-applicant")
    phone.goto(site.url(f"/me/applications/{app_id}/people/"))
    phone.evaluate("sessionStorage.removeItem('typed')")  # the sign-in's typing aside
    assert phone.locator("#people-legal_representative legend").inner_text().startswith(
        "谁担任法定代表人？")
    assert phone.locator("#people-legal_representative label",
                         has_text=f"{zhang['name']}（股东）").count() == 1
    # Before "someone else" is chosen its blank fields are not even shown.
    assert not phone.locator("#people-legal_representative .newcomers").is_visible()

    def pick(role: str, number: str) -> None:
        phone.locator(f"#people-{role} input[name='pick-{role}'][value='{number}']").check()

    pick("legal_representative", zhang["id_number"])
    pick("director", zhang["id_number"])
    pick("supervisor", li["id_number"])
    phone.locator("#people-financial_officer input.pick-new").check()
    row = phone.locator("#people-financial_officer .newcomers .person-row").first
    assert row.is_visible()
    index = row.get_attribute("id").split("-")[1]
    _type(phone, f"#people-{index}-name", officer["name"])
    _type(phone, f"#people-{index}-id_number", officer["id_number"])
    _type(phone, f"#people-{index}-phone", officer["phone"])
    if live:
        pick("tax_handler", "same:financial_officer")
        pick("contact", "same:financial_officer")
        assert phone.locator("#people-contact label", has_text=officer["name"]).count() == 1
    else:
        screenshot(phone, "phone-form-people")
        with phone.expect_navigation():  # saved where they were typed
            phone.locator("#people-financial_officer button[value=save]").click()
        # Saved, the new person is in the form: the tax handler and the contact are picked.
        pick("financial_officer", officer["id_number"])  # still chosen: idempotent
        pick("tax_handler", officer["id_number"])
        pick("contact", officer["id_number"])
    with phone.expect_navigation():
        phone.locator(".step-nav button[value=next]").click()
    assert "/employees/" in phone.url, phone.locator(".error-summary").all_inner_texts()

    typed = phone.evaluate("JSON.parse(sessionStorage.getItem('typed') || '[]')")
    text = "".join(key for _, key in typed)
    assert zhang["id_number"] not in text and li["id_number"] not in text
    assert text.count(officer["id_number"]) == 1  # the new person, once
    count = len(text)
    assert count == sum(len(officer[k]) for k in ("name", "id_number", "phone"))
    # The seven blank blocks: name, ID number and phone typed for each office.
    before = sum(len(p["name"]) + len(p["id_number"]) + len(p["phone"])
                 for p in data["people"])
    assert count * 2 < before, (count, before)

    api = Client(site.base)
    api.login("demo-applicant")
    status, body = api.call("GET", f"/api/v1/applications/{app_id}/")
    assert status == 200
    held = {(p["role"], p["id_number"], p["phone"]) for p in body["people"]}
    assert held == {("legal_representative", zhang["id_number"], zhang["phone"]),
                    ("director", zhang["id_number"], zhang["phone"]),
                    ("supervisor", li["id_number"], li["phone"]),
                    *((role, officer["id_number"], officer["phone"])
                      for role in ("financial_officer", "tax_handler", "contact"))}
