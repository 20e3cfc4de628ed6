"""退回补正 across desks, in a real browser: the examiner returns an application with a
comment, the applicant reads it on their phone, corrects the form — which voids the
parties' confirmations, so each confirms the corrected form on their own phone — and
resubmits, and the chain runs to completion."""

from __future__ import annotations

import pytest

from tests.e2e.browser import PHONE, confirm_on_their_phones, screenshot
from tests.e2e.test_workbench import UNLISTED, _in_review, _status

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_returned_corrected_resubmitted_completed(site, new_desktop, phone, browser):
    application = _in_review(site)
    comment = "经营范围“元宇宙沉浸式体验空间运营”不是规范表述，请删除后重新提交。"

    clerk = new_desktop()
    site.sign_in(clerk, "demo-examiner")
    clerk.goto(site.url(f"/workbench/applications/{application['id']}/"))
    clerk.locator("#return-comment").fill(comment)
    clerk.get_by_role("button", name="退回补正").click()
    clerk.locator("#application-status", has_text="退回补正").wait_for()

    # The applicant, on a phone, sees the examiner's words on the application's page.
    site.sign_in(phone, "demo-applicant")
    phone.goto(site.url(f"/me/applications/{application['id']}/"))
    assert comment in phone.locator(".returned-note").inner_text()
    screenshot(phone, "phone-returned")
    # …and was texted the start of them, with the link to that page (the demo outbox).
    phone.goto(site.url("/accounts/outbox/"))
    link = site.url(f"/me/applications/{application['id']}/")
    texts = [body for body in phone.locator(
        "#outbox tbody tr[data-kind=returned] td.body").all_inner_texts() if link in body]
    assert len(texts) == 1 and comment[:40] in texts[0], texts

    # Correct: take the unlisted wording out of the business scope, then resubmit.
    phone.goto(site.url(f"/me/applications/{application['id']}/scope/"))
    with phone.expect_navigation():
        phone.locator("#chosen > li", has_text=UNLISTED).get_by_role("button").click()
    assert UNLISTED not in phone.locator("#chosen").inner_text()
    phone.goto(site.url(f"/me/applications/{application['id']}/parties/"))
    assert phone.locator(".party .badge", has_text="需重新确认").count() == 5
    confirm_on_their_phones(site, phone, browser, PHONE)
    phone.goto(site.url(f"/me/applications/{application['id']}/review/"))
    assert phone.locator(".error-summary").count() == 0
    phone.locator("#declaration").check()  # 承诺书
    with phone.expect_navigation():
        phone.get_by_role("button", name="重新提交").click()
    phone.locator("#app-status", has_text="已办结").wait_for(timeout=60_000)

    body = _status(site, application["id"])
    assert body["status"] == "completed"
    assert {s["status"] for s in body["steps"]} == {"done"}
    assert UNLISTED not in body["business_scope"]
    # The examiner's desk no longer lists it.
    clerk.goto(site.url("/workbench/"))
    assert clerk.locator(f"#review-queue tr[data-id='{application['id']}']").count() == 0


def test_a_return_reason_opens_its_step_with_the_field_marked(site, new_desktop, phone):
    """The examiner picks reasons from the list; on a 375 px phone the applicant reads
    them, and "correct and resubmit" opens the step at fault with the field marked."""
    application = _in_review(site)
    examiner = new_desktop()
    site.sign_in(examiner, "demo-examiner")
    examiner.goto(site.url(f"/workbench/applications/{application['id']}/"))
    # The reason is shown with what the rule judged: the scope entry and its status.
    finding = examiner.locator(".wb-finding[data-rule='R-UNLISTED-SCOPE']")
    assert UNLISTED in finding.inner_text() and "目录外表述" in finding.inner_text()
    examiner.get_by_label("住所信息不完整").check()
    examiner.get_by_label("出资日期超过五年").check()
    examiner.get_by_role("button", name="退回补正").click()
    examiner.locator("#application-status", has_text="退回补正").wait_for()

    site.sign_in(phone, "demo-applicant")
    assert phone.viewport_size["width"] == 375
    phone.goto(site.url(f"/me/applications/{application['id']}/"))
    reasons = phone.locator("#corrections li")
    assert reasons.count() == 2
    assert "住所信息不完整" in reasons.nth(0).inner_text()
    assert "出资日期超过五年" in reasons.nth(1).inner_text()
    with phone.expect_navigation():
        phone.get_by_role("link", name="修改并重新提交").click()
    assert phone.url.endswith("/enterprise/#domicile")
    domicile = phone.locator("#domicile")
    assert domicile.get_attribute("aria-invalid") == "true"
    assert "住所信息不完整" in phone.locator("#domicile-error").inner_text()
    outline = domicile.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"  # the :target highlight
    screenshot(phone, "phone-returned-field")

    with phone.expect_navigation():
        phone.locator("#corrections a", has_text="出资日期超过五年").click()
    assert phone.url.endswith("/investors/#investors-0-contribution_date")
    for index in (0, 1):
        field = phone.locator(f"#investors-{index}-contribution_date")
        assert field.get_attribute("aria-invalid") == "true"
