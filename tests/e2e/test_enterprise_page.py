"""The enterprise's page (企业档案) on a 375 px phone, against the demo: an enterprise the
demo applicant registered through the API, then changed (domicile and capital) by its own
chain — run by ``yilian manage shell`` on the demo's data, the way tests/afterwards opens
a change — reads as a timeline with what changed, both license versions, and each chain."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.e2e.browser import fresh_people, screenshot
from tests.e2e.processes import YILIAN, Client, wait_for
from tests.e2e.test_workbench import _example, submitted_with_a_free_name

pytestmark = [pytest.mark.slow, pytest.mark.browser]
NEW_DOMICILE = "威海市火炬高技术产业开发区新威路88号"


def _registered(site) -> dict:
    api = Client(site.base)
    api.login("demo-applicant")
    body = submitted_with_a_free_name(site, fresh_people(_example()), "网络科技有限公司")
    app_id = body["id"]

    def done():
        return api.call("GET", f"/api/v1/applications/{app_id}/")[1]["status"] == "completed"

    wait_for(done, 90, interval=0.5, what="the establishment's chain")
    return api.call("GET", f"/api/v1/applications/{app_id}/")[1]


def _changed(site, code: str) -> None:
    """Open a change of the enterprise, move it and raise its capital, run its chain."""
    script = (
        "from decimal import Decimal\n"
        "from yilian.chain import engine\n"
        "from yilian.chain.services import start_chain\n"
        "from yilian.forms import afterwards\n"
        "from yilian.registry.models import Enterprise\n"
        f"e = Enterprise.objects.get(uscc={code!r})\n"
        "a = afterwards.open_change(e, e.application.owner)\n"
        f"a.domicile = {NEW_DOMICILE!r}\n"
        "a.registered_capital = Decimal('2000000')\n"
        "a.status = 'accepted'\n"
        "a.save()\n"
        "start_chain(a)\n"
        "engine.drain()\n"
        "print('CHANGED', a.pk)\n")
    env = {"PATH": "/usr/bin:/bin", "YILIAN_DATA_DIR": str(site.data_dir),
           "HOME": str(site.data_dir), "YILIAN_DATABASE_URL": "", "YILIAN_BROKER_URL": "",
           "YILIAN_DEMO": "1", "LANG": os.environ.get("LANG", "C.UTF-8")}
    done = subprocess.run([YILIAN, "manage", "shell", "-c", script], env=env,
                          capture_output=True, text=True, timeout=180)
    assert re.search(r"^CHANGED \S+$", done.stdout, re.M), done.stdout + done.stderr


def test_the_enterprise_page_on_a_phone(site, phone):
    registered = _registered(site)
    code = registered["uscc"]
    _changed(site, code)

    site.sign_in(phone, "demo-applicant")
    phone.goto(site.url("/me/"))
    phone.locator(f"#enterprises li[data-uscc='{code}'] a", has_text="企业档案").click()
    phone.wait_for_url(f"**/me/enterprises/{code}/")
    phone.locator("#history .event.changed").first.wait_for(timeout=60_000)
    assert phone.locator("#enterprise-status").get_attribute("data-status") == "active"

    kinds = phone.locator("#history .event").evaluate_all(
        "events => events.map(e => e.dataset.kind)")
    assert kinds == ["changed", "established"]
    change = phone.locator("#history .event.changed")
    assert change.locator("tr[data-particular=domicile] td.after").inner_text() == NEW_DOMICILE
    assert "200万元" in change.locator(
        "tr[data-particular=registered_capital] td.after").inner_text()
    assert change.locator(".chain-steps li").count() >= 2
    versions = phone.locator("#licenses li").evaluate_all(
        "items => items.map(i => [i.dataset.version, i.dataset.status])")
    assert versions == [["2", "current"], ["1", "superseded"]]
    assert phone.locator("#start-change").is_visible()
    assert phone.locator("#start-closing").is_visible()

    # It fits the phone: nothing wider than the screen, the tables wrap.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    box = change.locator("table.changes").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    screenshot(phone, "phone-enterprise")

    # The older version's verify page says it was superseded and links the current one.
    phone.locator("#licenses li[data-version='1'] a", has_text="核验").click()
    assert phone.locator("#standing").get_attribute("data-status") == "superseded"
    phone.locator("#current-link").click()
    assert phone.locator("#standing").get_attribute("data-status") == "current"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
