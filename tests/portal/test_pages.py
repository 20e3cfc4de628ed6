"""The applicant's pages: lists, the form in steps (save and come back), who may see
what, field errors instead of 500s, submission and the chain's timeline."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests import factories
from tests.portal.conftest import make_applicant
from yilian.accounts import roles
from yilian.forms import services
from yilian.forms.models import Application, Status

# The review page's submit button, the pledge (承诺书) ticked.
SUBMIT = {"go": "submit", "declaration": "yes"}

pytestmark = pytest.mark.django_db


def _step(application, slug: str) -> str:
    return reverse("portal:step", kwargs={"pk": application.pk, "step": slug})


def _page(response) -> str:
    return response.content.decode()


def test_index_lists_only_my_applications_with_their_status(signed_in, draft, other):
    theirs = Application.objects.create(owner=other, name="威海别人科技有限公司")
    page = _page(signed_in.get(reverse("portal:index")))
    assert draft.name in page and theirs.name not in page
    assert 'class="badge draft"' in page and "草稿" in page


def test_pages_need_an_applicant(client, django_user_model, draft):
    anonymous = client.get(reverse("portal:index"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    clerk = django_user_model.objects.create_user("clerk", password="pw-clerk-1")
    roles.grant(clerk, roles.CLERK)
    client.force_login(clerk)
    assert client.get(reverse("portal:index")).status_code == 403
    assert client.get(_step(draft, "enterprise")).status_code == 403


def test_another_applicant_can_neither_see_nor_edit_my_application(client, draft, other):
    client.force_login(other)
    for slug in ("enterprise", "investors", "review", "parties"):
        assert client.get(_step(draft, slug)).status_code == 404, slug
    answer = client.post(_step(draft, "enterprise"), {"name": "威海改名科技有限公司"})
    assert answer.status_code == 404
    assert client.post(_step(draft, "review"), SUBMIT).status_code == 404
    for name in ("portal:detail", "portal:timeline", "portal:qr"):
        assert client.get(reverse(name, kwargs={"pk": draft.pk})).status_code == 404, name
    draft.refresh_from_db()
    assert draft.name == "威海一链科技有限公司" and draft.status == Status.DRAFT


def test_a_new_application_starts_at_the_first_step(signed_in, applicant):
    answer = signed_in.post(reverse("portal:new"))
    application = Application.objects.get(owner=applicant)
    assert answer["Location"] == _step(application, "enterprise")
    assert application.status == Status.DRAFT and application.division_code == "371071"


def test_a_step_saves_the_draft_and_shows_it_when_coming_back(signed_in, applicant):
    signed_in.post(reverse("portal:new"))
    application = Application.objects.get(owner=applicant)
    answer = signed_in.post(_step(application, "enterprise"), {
        "name": "威海测链科技有限公司", "org_form": "llc_multi",
        "registered_capital": "50", "division-province": "370000",
        "division-city": "371000", "division-county": "371071",
        "division-street": "371071004", "domicile": "火炬路1号", "operating_term_years": "",
        "go": "next"})
    assert answer.status_code == 302 and answer["Location"] == _step(application, "scope")
    application.refresh_from_db()
    assert application.name == "威海测链科技有限公司"
    assert str(application.registered_capital) == "500000.00"  # typed in 万元
    assert application.division_code == "371071"
    assert application.domicile == "山东省威海市威海火炬高技术产业开发区怡园街道火炬路1号"
    assert application.operating_term_years is None
    page = _page(signed_in.get(_step(application, "enterprise")))
    assert 'value="威海测链科技有限公司"' in page and 'value="50"' in page
    assert 'value="火炬路1号"' in page and '<option value="371071004" selected>' in page
    assert re.search(r'<input type="radio" name="org_form" value="llc_multi"[^>]* checked', page)


def test_bad_input_is_a_field_error_beside_its_input_not_a_500(signed_in, draft):
    answer = signed_in.post(_step(draft, "enterprise"), {
        "name": "威海一链科技有限公司", "registered_capital": "一百万", "go": "next"})
    assert answer.status_code == 400
    page = _page(answer)
    field = re.search(r'<input[^>]*id="registered_capital"[^>]*>', page, re.S).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="registered_capital-error registered_capital-hint"' in field
    assert '<label for="registered_capital">' in page
    error = re.search(r'id="registered_capital-error"[^>]*>([^<]+)<', page).group(1)
    assert error.strip() and 'value="一百万"' in page  # what was typed stays
    assert "100万" in error  # and the error says how to write it
    draft.refresh_from_db()
    assert str(draft.registered_capital) == "1000000.00"


def test_errors_are_in_the_page_language(signed_in, draft):
    signed_in.cookies["yilian_language"] = "en"
    bad = {f"investors-0-{k}": v for k, v in {
        "kind": "natural", "name": "张伟", "id_number": "371002198603120111",
        "amount": "100", "contribution_date": "2030-12-31",
        "contribution_method": "货币"}.items()}
    answer = signed_in.post(_step(draft, "investors"), {**bad, "go": "next"}, follow=True)
    page = _page(answer)
    assert answer.status_code == 200 and "check=1" in answer.redirect_chain[-1][0]
    error = re.search(r'id="investors-0-id_number-error"[^>]*>([^<]+)<', page).group(1)
    assert re.search(r"[a-z]", error) and not re.search(r"[\u4e00-\u9fff]", error)
    signed_in.cookies["yilian_language"] = "zh-hans"
    page = _page(signed_in.get(_step(draft, "investors") + "?check=1"))
    error = re.search(r'id="investors-0-id_number-error"[^>]*>([^<]+)<', page).group(1)
    assert re.search(r"[\u4e00-\u9fff]", error)


def test_rows_are_added_and_removed_with_plain_posts(signed_in, draft):
    rows = {"investors-0-kind": "natural", "investors-0-name": "张伟",
            "investors-0-id_number": "371002198603120110", "investors-0-amount": "60",
            "investors-0-contribution_date": "2030-12-31",
            "investors-0-contribution_method": "货币",
            "investors-1-kind": "natural", "investors-1-name": "李娜",
            "investors-1-id_number": "371082199007230221", "investors-1-amount": "40",
            "investors-1-contribution_date": "2030-12-31",
            "investors-1-contribution_method": "货币",
            # A blank row left by "add": not saved.
            "investors-2-kind": "natural", "investors-2-contribution_method": "货币"}
    added = signed_in.post(_step(draft, "investors"), {**rows, "add": "investors"})
    assert "add=investors" in added["Location"]
    page = _page(signed_in.get(added["Location"]))
    assert 'id="investors-2-name"' in page and 'id="investors-3-name"' not in page
    assert draft.investors.count() == 2
    signed_in.post(_step(draft, "investors"), {**rows, "remove": "investors-0"})
    assert list(draft.investors.values_list("name", flat=True)) == ["李娜"]


def test_people_and_choices_round_trip(signed_in, draft):
    signed_in.post(_step(draft, "choices"), {
        "seals": ["official", "financial"], "invoices-types": ["数电发票（普通发票）"],
        "invoices-monthly_quantity": "20", "go": "next"})
    draft.refresh_from_db()
    assert draft.seals == ["official", "financial"] and draft.bank_appointment is None
    assert draft.invoices == {"types": ["数电发票（普通发票）"], "monthly_quantity": 20}
    page = _page(signed_in.get(_step(draft, "people")))
    # Each office a question, each person of the form offered once, 张伟 chosen.
    for role in ("legal_representative", "director", "supervisor", "manager",
                 "financial_officer", "tax_handler", "contact"):
        assert f'id="people-{role}"' in page, role
    assert page.count('name="pick-legal_representative"') == 5 + 1  # 5 people + someone else
    assert re.search(r'name="pick-legal_representative" value="371002198603120110"'
                     r' id="people-0-id_number" checked', page)
    assert 'value="王强"' in page


def test_a_step_with_problems_stays_and_links_each_problem_to_its_field(signed_in, draft):
    answer = signed_in.post(_step(draft, "enterprise"), {
        "name": "威海一链科技有限公司", "org_form": "llc_multi", "registered_capital": "0",
        "domicile": "", "division-province": "370000", "division-city": "371000",
        "go": "next"}, follow=True)
    page = _page(answer)
    assert "check=1" in answer.redirect_chain[-1][0]
    assert 'href="#registered_capital"' in page and 'href="#domicile"' in page
    assert 'href="#division_code"' in page  # a city with districts is not a place yet
    field = re.search(r'<input[^>]*id="domicile"[^>]*>', page, re.S).group(0)
    assert 'aria-invalid="true"' in field


def test_submit_then_watch_the_timeline_until_the_license(signed_in, draft):
    from yilian.chain import engine

    factories.confirm_parties(draft)
    answer = signed_in.post(_step(draft, "review"), SUBMIT)
    assert answer["Location"] == reverse("portal:detail", kwargs={"pk": draft.pk})
    page = _page(signed_in.get(answer["Location"]))
    assert 'hx-trigger="every 2s"' in page and "设立登记" in page and "印章刻制" in page
    engine.drain()
    fragment = _page(signed_in.get(reverse("portal:timeline", kwargs={"pk": draft.pk})))
    assert "every 2s" not in fragment  # completed: the polling stops
    assert fragment.count('class="badge done"') >= 6 and "已办结" in fragment
    for name in ("涉税事项", "社保登记", "医保登记", "公积金登记", "银行开户预约"):
        assert name in fragment
    assert 'id="license-pdf"' in fragment and "/pdf/" in fragment
    qr = signed_in.get(reverse("portal:qr", kwargs={"pk": draft.pk}))
    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")
    index = _page(signed_in.get(reverse("portal:index")))
    assert "我的企业" in index and "下载营业执照" in index
    # Submitted: the steps no longer edit, they send to the progress page.
    assert signed_in.get(_step(draft, "enterprise"))["Location"].endswith(f"{draft.pk}/")


def test_incomplete_application_is_refused_with_every_problem_listed(signed_in, applicant):
    signed_in.post(reverse("portal:new"))
    application = Application.objects.get(owner=applicant)
    answer = signed_in.post(_step(application, "review"), SUBMIT)
    assert answer.status_code == 400
    page = _page(answer)
    assert "请填写企业名称" in page and f"{_step(application, 'enterprise')}?check=1#name" in page
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_returned_application_shows_the_comment_and_can_be_resubmitted(signed_in, draft):
    Application.objects.filter(pk=draft.pk).update(
        status=Status.RETURNED, review_comment="R-PRE-PERMIT 「食品销售」 需补充许可证")
    detail = _page(signed_in.get(reverse("portal:detail", kwargs={"pk": draft.pk})))
    assert "退回补正" in detail and "需补充许可证" in detail and "修改并重新提交" in detail
    step = _page(signed_in.get(_step(draft, "scope")))
    assert "需补充许可证" in step
    factories.confirm_parties(draft)
    signed_in.post(_step(draft, "review"), SUBMIT)
    draft.refresh_from_db()
    assert draft.status == Status.ACCEPTED and draft.review_comment == ""


def test_another_applicants_new_draft_is_theirs(client):
    owner = make_applicant("13900000009")
    client.force_login(owner)
    client.post(reverse("portal:new"))
    assert Application.objects.get().owner == owner


def test_an_applicant_withdraws_from_the_page_and_the_name_is_released(signed_in, draft,
                                                                        other, client):
    from yilian.names.models import NameReservation

    draft.business_scope = [*draft.business_scope, "宇宙飞船维修"]  # to an examiner
    draft.save()
    factories.confirm_parties(draft)
    app = services.submit_application(draft, draft.owner)
    assert app.status == Status.IN_REVIEW and NameReservation.objects.active().count() == 1
    page = signed_in.get(f"/me/applications/{app.pk}/").content.decode()
    assert 'id="withdraw"' in page
    client.force_login(other)  # someone else's: not found, nothing changes
    assert client.post(f"/me/applications/{app.pk}/withdraw/").status_code == 404
    client.force_login(draft.owner)
    answer = client.post(f"/me/applications/{app.pk}/withdraw/", follow=True)
    assert "申请已撤回" in answer.content.decode()
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN and NameReservation.objects.active().count() == 0
    assert 'id="withdraw"' not in client.get(f"/me/applications/{app.pk}/").content.decode()
