"""Told at every milestone, on a 375 px phone: an applicant who signed up by phone has
their application confirmed by every party, submitted and completed; the result page
lists the license (QR, PDF, the national app), seals, invoices, the bank appointment and
every department's reference under one banner that agrees with the status; and the demo
outbox holds one text for every milestone, each linking to that page."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from tests.e2e.browser import fresh_people, screenshot
from tests.e2e.processes import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.browser]

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "application.json"
RARE = "璟珩瑄琬瑷琰璠玥珂琛翊骁缙铧澍霁曦婕岚溧"


def test_every_milestone_is_texted_and_the_result_page_says_what_comes_next(site, phone):
    number = "139" + "".join(random.choices("0123456789", k=8))
    site.sign_in_by_phone(phone, number)
    phone.goto(site.url("/me/"))
    assert phone.locator("#prepare").is_visible()  # what to have at hand, before starting
    token = phone.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")

    def api(method, path, body=None):
        answer = phone.request.fetch(site.url(path), method=method, data=(
            json.dumps(body) if body is not None else None),
            headers={"X-CSRFToken": token, "Content-Type": "application/json",
                     "Referer": site.url("/me/")})
        return answer.status, (answer.json() if answer.body() else None)

    data = fresh_people(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    data["name"] = f"威海{''.join(random.sample(RARE, 4))}科技有限公司"
    status, created = api("POST", "/api/v1/applications/", data)
    assert status == 201, created
    app_id = created["id"]
    base = f"/api/v1/applications/{app_id}/parties/"
    status, parties = api("GET", base)
    assert status == 200, parties
    for party in parties:
        status, invited = api("POST", f"{base}{party['id']}/invite/")
        assert status == 200, invited
        status, done = api("POST", f"{base}{party['id']}/confirm/",
                           {"code": site.api.demo_code(invited["phone"])})
        assert status == 200, done
    status, submitted = api("POST", f"/api/v1/applications/{app_id}/submit/")
    assert status == 202, submitted

    phone.goto(site.url(f"/me/applications/{app_id}/"))
    wait_for(lambda: api("GET", f"/api/v1/applications/{app_id}/")[1]["status"]
             == "completed", 30, interval=0.2, what="the chain to complete")
    phone.reload()
    # One banner, one status: they agree.
    assert phone.locator("#app-status").inner_text() == "已办结"
    assert "已全部办结" in phone.locator("#banner").inner_text()
    result = phone.locator("#result")
    assert phone.locator("#license img.qr").is_visible()
    assert phone.locator("#license-pdf").is_visible()
    assert "电子营业执照”小程序" in phone.locator("#result-license").inner_text()
    seals = phone.locator("#result-seals").inner_text()
    assert "刻章单位" in seals and "领取方式" in seals and "备案号" in seals
    assert "已开通" in phone.locator("#result-invoices").inner_text()
    bank = phone.locator("#result-bank").inner_text()
    assert "中国工商银行" in bank and re.search(r"\d{2}:\d{2}", bank)
    references = phone.locator("#result-references").inner_text()
    assert len(re.findall(r"\n", references)) >= 6
    assert result.evaluate("e => e.scrollWidth <= document.documentElement.clientWidth")
    screenshot(phone, "phone-result")

    # Every milestone's text, once, to the applicant's number, linking to this page.
    reference = phone.locator("#app-reference").inner_text()
    phone.goto(site.url("/accounts/outbox/"))
    rows = phone.locator("#outbox tbody tr", has=phone.locator("td.to", has_text=number))
    texts = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        body = row.locator("td.body").inner_text()
        if reference in body:
            texts.setdefault(row.get_attribute("data-kind"), []).append(body)
    assert sorted(texts) == ["accepted", "bank", "completed", "license", "party_confirmed",
                             "seals"]
    assert len(texts["party_confirmed"]) == len(parties)
    assert all(len(v) == 1 for k, v in texts.items() if k != "party_confirmed")
    for bodies in texts.values():
        # The demo's public URL is the demo itself, on its own port.
        assert all(site.url(f"/me/applications/{app_id}/") in body for body in bodies)
