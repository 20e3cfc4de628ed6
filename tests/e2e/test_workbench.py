"""The window and the department desks in a real browser, against the shared demo.

Each test makes its own applications (through the API as the demo applicant, or — for a
step a department could not do — with ``yilian manage shell`` on the demo's data dir,
the way the demo seed makes them), so the tests depend on no order and on no demo row.
"""

from __future__ import annotations

import io
import os
import random
import re
import subprocess

import pytest
from pypdf import PdfReader

from tests.e2e.browser import fresh_people, screenshot
from tests.e2e.processes import YILIAN, Client, wait_for
from tests.e2e.test_portal_flow import (
    EXAMPLE,
    _add_row,
    _add_scope,
    _fill_enterprise,
    _fill_row,
    _next,
    _unique_phone,
    people_employees_invoices,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# Characters the demo's synthetic register never uses in a 字号, so names made of them
# are free; two of them make a trade name.
FRESH = "澜屿岚峤渟沅珩琛曦湛璟珏瑾澈祺翊"
UNLISTED = "元宇宙沉浸式体验空间运营"


def _example() -> dict:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "docs" / "examples" / "application.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _in_review(site) -> dict:
    """A new application from the demo applicant that the rules send to an examiner."""
    body = submitted(site, UNLISTED)
    assert body["status"] == "in_review", body
    return body


def submitted(site, *extra_scope: str) -> dict:
    """A new application of the demo applicant's (the example, with fresh people, a free
    name and ``extra_scope``), its parties confirmed, submitted: the 202's body."""
    data = fresh_people(_example())
    data["business_scope"] = [*data["business_scope"], *extra_scope]
    return submitted_with_a_free_name(site, data, "信息技术有限公司")


def submitted_with_a_free_name(site, data: dict, suffix: str) -> dict:
    """``data`` submitted by the demo applicant under a name nobody holds (a 字号 of
    :data:`FRESH` characters before ``suffix``), its parties confirmed."""
    api = Client(site.base)
    api.login("demo-applicant")
    for _ in range(20):
        data["name"] = f"威海{''.join(random.sample(FRESH, 2))}{suffix}"
        status, body = api.call("POST", "/api/v1/applications/", data)
        assert status == 201, body
        api.confirm_parties(body["id"])
        status, body = api.call("POST", f"/api/v1/applications/{body['id']}/submit/")
        if status == 202:
            return body
        assert {e["field"] for e in body["errors"]} == {"name"}, body
    raise AssertionError("no free name")


def _failing_chain(site, department: str, phone: str) -> tuple[str, str]:
    """(id, name) of an accepted application whose ``department`` step failed."""
    code = ("from yilian.workbench.demo import failing_chain; "
            f"a = failing_chain({department!r}, {phone!r}); print('MADE', a.pk, a.name)")
    env = {"PATH": "/usr/bin:/bin", "YILIAN_DATA_DIR": str(site.data_dir),
           "HOME": str(site.data_dir), "YILIAN_DATABASE_URL": "", "YILIAN_BROKER_URL": "",
           "YILIAN_DEMO": "1", "LANG": os.environ.get("LANG", "C.UTF-8")}
    done = subprocess.run([YILIAN, "manage", "shell", "-c", code], env=env,
                          capture_output=True, text=True, timeout=120)
    found = re.search(r"^MADE (\S+) (\S+)$", done.stdout, re.M)
    assert found, done.stdout + done.stderr
    return found.group(1), found.group(2)


def _status(site, pk: str) -> dict:
    staff = Client(site.base)
    staff.login("demo-clerk")
    status, body = staff.call("GET", f"/api/v1/applications/{pk}/")
    assert status == 200, body
    return body


def test_the_examiner_returns_one_approves_another_and_prints_the_notice(site, desktop):
    returned, approved = _in_review(site), _in_review(site)
    page = desktop
    site.sign_in(page, "demo-examiner")  # deciding is the examiner's (separation of duties)
    page.goto(site.url("/workbench/"))
    queue = page.locator("#review-queue")
    for application in (returned, approved):
        row = queue.locator(f"tr[data-id='{application['id']}']")
        assert "R-UNLISTED-SCOPE" in row.inner_text()
        assert UNLISTED in row.inner_text()
    screenshot(page, "desktop-workbench-queue")

    # 退回补正 with a comment the applicant will read.
    queue.locator(f"tr[data-id='{returned['id']}'] a.btn").click()
    page.wait_for_load_state()
    assert "R-UNLISTED-SCOPE" in page.locator("#reasons").inner_text()
    screenshot(page, "desktop-workbench-review")
    page.locator("#return-comment").fill("请将“元宇宙沉浸式体验空间运营”改为规范表述后重新提交。")
    page.get_by_role("button", name="退回补正").click()
    page.wait_for_load_state()
    assert page.locator("#application-status").inner_text() == "退回补正"
    body = _status(site, returned["id"])
    assert body["status"] == "returned" and "规范表述" in body["review_comment"]

    # 核准受理: the chain starts.
    page.goto(site.url(f"/workbench/applications/{approved['id']}/"))
    page.get_by_role("button", name="核准受理").click()
    page.wait_for_load_state()
    assert page.locator("#application-status").inner_text() == "已受理"
    assert page.locator("#chain").is_visible()
    wait_for(lambda: _status(site, approved["id"])["status"] == "completed", 60,
             interval=0.5, what="the approved application's chain to complete")

    # 受理通知书: a real PDF naming the enterprise.
    with page.expect_download() as download:
        page.locator("#print-notice").click()
    pdf = open(download.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace(" ", "")
    assert approved["name"] in text and "受理通知书" in text
    page.reload()
    page.locator("#notice").scroll_into_view_if_needed()
    screenshot(page, "desktop-acceptance-notice")


def test_the_clerk_fills_the_one_form_for_a_person_at_the_counter(site, new_desktop):
    """一窗受理: a person with no account comes to the counter; the clerk fills their one
    form in the applicant's own step pages (counter mode), a co-signer confirms with the
    code sent to their phone, the clerk submits, prints the acceptance notice, and the
    chain completes."""
    import json

    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    number = _unique_phone()
    page = new_desktop()
    site.sign_in(page, "demo-clerk")
    page.goto(site.url("/workbench/counter/"))
    page.locator("#phone").fill(number)
    with page.expect_navigation():
        page.get_by_role("button", name="查找").click()
    assert number in page.locator("#applicant").inner_text()
    with page.expect_navigation():
        page.locator("#new-application").click()
    assert re.search(r"/workbench/counter/[0-9a-f-]+/enterprise/$", page.url), page.url
    assert page.locator("#counter-banner").inner_text() == f"窗口代填：为 {number} 填报"
    name = _fill_enterprise(page, data)
    screenshot(page, "desktop-counter-form")
    _next(page)

    assert "/workbench/counter/" in page.url and "/scope/" in page.url
    for text in data["business_scope"]:
        _add_scope(page, text)
    _next(page)

    assert "/investors/" in page.url
    for i, investor in enumerate(data["investors"]):
        if i:
            _add_row(page, "investors", i)
        _fill_row(page, "investors", i, {k: v for k, v in investor.items() if k != "uscc"})
    _next(page)

    people_employees_invoices(page, data)
    _next(page)

    # Everyone named is at the counter: the clerk checks each ID card (现场核验身份证).
    assert "/workbench/counter/" in page.url and "/parties/" in page.url
    while page.locator(".party button[value^='confirm:']").count():
        with page.expect_navigation():
            page.locator(".party button[value^='confirm:']").first.click()
    assert page.locator(".party .badge", has_text="已确认").count() == 5
    assert page.locator(".party", has_text="现场核验身份证").count() == 5
    _next(page)

    assert "/review/" in page.url and page.locator(".error-summary").count() == 0
    page.locator("#declaration").check()  # 承诺书
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    found = re.search(r"/workbench/applications/([0-9a-f-]+)/$", page.url)
    assert found, page.url
    assert page.locator("#application-status").inner_text() == "已受理"
    with page.expect_download() as download:
        page.locator("#print-notice").click()
    pdf = open(download.value.path(), "rb").read()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace(" ", "")
    assert pdf.startswith(b"%PDF") and name in text and "受理通知书" in text
    body = _status(site, found.group(1))
    assert body["name"] == name
    wait_for(lambda: _status(site, found.group(1))["status"] == "completed", 90,
             interval=0.5, what="the counter application's chain to complete")


def test_the_sla_page_puts_overdue_chains_first(site, desktop):
    site.sign_in(desktop, "demo-clerk")
    desktop.goto(site.url("/workbench/sla/"))
    rows = desktop.locator("#sla-table tbody tr")
    assert rows.count() >= 1
    # The demo seeds a chain past its deadline; overdue rows lead the table.
    assert "wb-overdue" in (rows.first.get_attribute("class") or "")
    screenshot(desktop, "desktop-workbench-sla")


def test_officers_retry_a_failed_step_and_complete_one_by_hand(site, new_desktop):
    tax_id, tax_name = _failing_chain(site, "tax", "13906319071")
    fund_id, fund_name = _failing_chain(site, "housing_fund", "13906319072")

    tax = new_desktop()
    site.sign_in(tax, "demo-officer-tax")
    tax.goto(site.url("/workbench/departments/?status=failed"))
    row = tax.locator("#console tbody tr", has_text=tax_name)
    # The department's failure in words on a Chinese page; its raw text stays with the
    # row (and in the audit trail) for whoever must dig.
    assert "需人工处理" in row.inner_text() and "部门系统暂停服务" in row.inner_text()
    assert "outage" in row.locator(".wb-error-cell").get_attribute("data-error")
    screenshot(tax, "desktop-department-console")
    row.get_by_role("button", name="立即重试").click()
    # htmx swaps the row in place: same page, the row now says it was sent again.
    row = tax.locator("#console tbody tr", has_text=tax_name)
    row.get_by_text("已重新提交").wait_for()
    wait_for(lambda: {s["code"]: s["status"] for s in _status(site, tax_id)["steps"]}["tax"]
             == "done", 60, interval=0.5, what="the retried tax step to be done")

    fund = new_desktop()
    site.sign_in(fund, "demo-officer-housing_fund")
    fund.goto(site.url("/workbench/departments/?status=failed"))
    row = fund.locator("#console tbody tr", has_text=fund_name)
    row.get_by_placeholder("部门业务编号").fill("GJJ-WH-2026-000731")
    row.get_by_role("button", name="人工办结").click()
    row = fund.locator("#console tbody tr", has_text=fund_name)
    row.get_by_text("已人工办结").wait_for()
    assert "GJJ-WH-2026-000731" in row.inner_text()
    steps = {s["code"]: s for s in _status(site, fund_id)["steps"]}
    assert steps["housing_fund"]["status"] == "done"
    assert steps["housing_fund"]["reference"] == "GJJ-WH-2026-000731"
    # The rest of the chain goes on as after any success, and the chain completes.
    wait_for(lambda: _status(site, fund_id)["status"] == "completed", 90, interval=1,
             what="the chain with a step completed by hand to complete")

    # Another department's officer sees neither step among theirs.
    seals = new_desktop()
    site.sign_in(seals, "demo-officer-seals")
    seals.goto(site.url("/workbench/departments/?status=failed"))
    assert tax_name not in seals.content() and fund_name not in seals.content()


def test_the_department_panel_on_a_phone_re_asks_every_failed_step(site, phone):
    app_id, _name = _failing_chain(site, "medical_insurance", "13906319073")
    site.sign_in(phone, "demo-officer-medical_insurance")
    phone.goto(site.url("/workbench/departments/?status=failed"))
    panel = phone.locator("#department-medical_insurance")
    text = panel.inner_text()
    assert "连通正常" in text and "部门系统暂停服务" in text and "需人工处理 1" in text
    # One column: nothing but the step table's own scroll box is wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "phone-department-console")
    panel.get_by_role("button", name=re.compile("全部重新提交")).click()
    phone.get_by_text("已重新提交1个事项").wait_for()
    wait_for(lambda: {s["code"]: s["status"] for s in _status(site, app_id)["steps"]}
             ["medical_insurance"] == "done", 60, interval=0.5,
             what="the re-asked medical insurance step to be done")
