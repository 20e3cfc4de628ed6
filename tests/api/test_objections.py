"""公示 and 异议 (issue 13, part 3): a simplified closing's notice is on the public page
(searchable, by zone, paginated); anyone objects with a reason (field errors otherwise),
which stops the closing; an examiner upholds it (the closing refused, the enterprise
active again) or dismisses it (the closing goes on)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import make_user
from tests.api.test_closures import _closed_by_the_chain, _open, _submit, registered  # noqa: F401
from yilian.accounts import roles
from yilian.chain import engine
from yilian.chain.models import Step
from yilian.closing import services as closing
from yilian.closing.models import Closure, Notice, Objection, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def noticed(api_client, registered, settings):  # noqa: F811
    """The example enterprise's simplified closing, accepted, in its 20-day notice."""
    settings.CLOSING_NOTICE_DAYS = 20
    body = _open(api_client, registered["uscc"], route="simplified", debts="none").json()
    assert _submit(api_client, body["id"]).status_code == 202
    return Notice.objects.get(uscc=registered["uscc"], kind="simplified")


@pytest.fixture
def examiner():
    user = make_user("examiner")
    roles.grant(user, roles.EXAMINER)
    client = Client()
    client.force_login(user)
    return client


REASON = {"objector": "威海某供应商有限公司", "contact": "0631-5200000",
          "reason": "该企业尚欠我公司货款12万元未清偿，不符合简易注销条件。"}


def _past_the_notice():
    return timezone.now() + dt.timedelta(days=21)


def test_the_gazette_lists_searches_and_filters_by_zone(noticed):
    page = Client().get("/gazette/", {"q": noticed.name[2:6]})
    assert page.status_code == 200
    assert noticed.uscc in page.content.decode()
    assert noticed.uscc in Client().get("/gazette/", {"zone": "3710"}).content.decode()
    assert noticed.uscc not in Client().get("/gazette/", {"zone": "11"}).content.decode()
    assert noticed.uscc not in Client().get("/gazette/", {"q": "不存在的名称"}).content.decode()
    api = Client().get("/api/v1/gazette/", {"zone": noticed.division_code}).json()
    assert api["count"] == 1 and api["results"][0]["open"] is True


def test_the_gazette_is_paginated(noticed):
    now = timezone.now()
    Notice.objects.bulk_create([
        Notice(closure=noticed.closure, kind="creditors" if i == 0 else "simplified",
               uscc=f"X{i:017d}", name=f"分页测试{i}有限公司", division_code="371071",
               starts_at=now - dt.timedelta(days=i + 1), ends_at=now)
        for i in range(1)])  # a second notice of the same closure (the other kind)
    assert Client().get("/api/v1/gazette/").json()["count"] == 2
    from yilian.closing import gazette

    assert gazette.search(page=1).paginator.per_page == gazette.PER_PAGE
    assert gazette.search(page="99").number == 1  # past the end: the last page


def test_an_objection_without_a_reason_is_a_field_error_and_nothing_is_stored(noticed):
    answer = Client().post(f"/gazette/{noticed.pk}/", {**REASON, "reason": "  "})
    assert answer.status_code == 400
    assert 'id="reason-error"' in answer.content.decode()
    api = Client().post(f"/api/v1/gazette/{noticed.pk}/objections/",
                        {**REASON, "reason": ""}, content_type="application/json")
    assert api.status_code == 400
    assert api.json()["errors"][0]["field"] == "reason"
    assert not Objection.objects.exists()
    assert Closure.objects.get(pk=noticed.closure_id).stage == Stage.NOTICE


def test_an_objection_too_long_for_the_register_is_refused_not_cut_and_not_a_500(noticed):
    """The page reads up to 2000 characters of each field; the register keeps a name of
    100 and a contact of 40 (PostgreSQL refuses longer): a field error, nothing stored."""
    answer = Client().post(f"/gazette/{noticed.pk}/", {**REASON, "objector": "王" * 101,
                                                      "contact": "1" * 41})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'id="objector-error"' in page and 'id="contact-error"' in page
    assert not Objection.objects.exists()
    assert Closure.objects.get(pk=noticed.closure_id).stage == Stage.NOTICE


def test_an_objection_stops_the_closing_and_upholding_it_refuses_it(noticed, api_client,
                                                                    examiner):
    filed = Client().post(f"/gazette/{noticed.pk}/", REASON)
    assert filed.status_code == 302
    objection = Objection.objects.get()
    assert Closure.objects.get(pk=noticed.closure_id).stage == Stage.OBJECTED
    # The notice ends: the chain does not start while the objection stands.
    assert closing.start_due(_past_the_notice()) == 0
    assert not Step.objects.filter(chain__application_id=noticed.closure_id).exists()
    desk = examiner.get("/workbench/objections/")
    assert desk.status_code == 200 and REASON["reason"] in desk.content.decode()
    decided = examiner.post(f"/workbench/objections/{objection.pk}/decide/",
                            {"verdict": "upheld", "comment": "欠款属实"})
    assert decided.status_code == 302
    app = api_client.get(f"/api/v1/applications/{noticed.closure_id}/").json()
    assert app["status"] == "rejected" and "欠款属实" in app["review_comment"]
    enterprise = api_client.get(f"/api/v1/enterprises/{noticed.uscc}/").json()
    assert enterprise["status"] == "active"
    assert enterprise["licenses"][0]["status"] == "current"
    assert closing.start_due(_past_the_notice()) == 0
    # The enterprise may apply again.
    again = _open(api_client, noticed.uscc, route="simplified", debts="settled")
    assert again.status_code == 201, again.content


def test_a_dismissed_objection_lets_the_closing_go_on(noticed, api_client, examiner):
    assert Client().post(f"/api/v1/gazette/{noticed.pk}/objections/", REASON,
                         content_type="application/json").status_code == 201
    objection = Objection.objects.get()
    examiner.post(f"/workbench/objections/{objection.pk}/decide/",
                  {"verdict": "dismissed", "comment": "已提供清偿凭证"})
    assert Closure.objects.get(pk=noticed.closure_id).stage == Stage.NOTICE
    assert closing.start_due() == 0  # the notice still runs
    assert closing.start_due(_past_the_notice()) == 1
    _closed_by_the_chain(api_client, str(noticed.closure_id), noticed.uscc)


def test_only_an_examiner_decides_and_no_objection_after_the_notice(noticed):
    objection = closing.object_to(noticed, **REASON)
    clerk = make_user("clerk")
    roles.grant(clerk, roles.CLERK)
    client = Client()
    client.force_login(clerk)
    assert client.get("/workbench/objections/").status_code == 200
    assert client.post(f"/workbench/objections/{objection.pk}/decide/",
                       {"verdict": "upheld"}).status_code == 403
    applicant = Client()
    applicant.force_login(make_user("someone"))
    assert applicant.get("/workbench/objections/").status_code == 403
    Notice.objects.filter(pk=noticed.pk).update(ends_at=timezone.now())
    late = Client().post(f"/gazette/{noticed.pk}/", REASON)
    assert late.status_code == 400 and "objection-form" not in late.content.decode()
    assert Objection.objects.count() == 1
    refused = Client().post(f"/api/v1/gazette/{noticed.pk}/objections/", REASON,
                            content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "objection.closed"
    engine.drain()


def test_one_address_files_only_so_many_objections_an_hour(noticed, settings):
    """Anyone may object, so one address may not flood the examiners and the register:
    past the limit, 429 with a bilingual message and Retry-After, nothing stored; other
    addresses still object; an hour on, the address may again."""
    settings.OBJECTIONS_PER_CLIENT = 2
    api = f"/api/v1/gazette/{noticed.pk}/objections/"
    for _ in range(2):
        assert Client(REMOTE_ADDR="203.0.113.7").post(
            api, REASON, content_type="application/json").status_code == 201
    refused = Client(REMOTE_ADDR="203.0.113.7").post(api, REASON,
                                                    content_type="application/json")
    assert refused.status_code == 429
    error = refused.json()["errors"][0]
    assert error["code"] == "objection.too_many" and error["field"] == "client"
    assert "分钟后再试" in error["message_zh"] and "try again in" in error["message_en"]
    assert 3500 <= int(refused["Retry-After"]) <= 3601
    page = Client(REMOTE_ADDR="203.0.113.7").post(f"/gazette/{noticed.pk}/", REASON)
    assert page.status_code == 429 and 'id="client-error"' in page.content.decode()
    assert REASON["reason"] in page.content.decode()  # what was typed is kept
    assert int(page["Retry-After"]) > 0
    assert Objection.objects.count() == 2
    assert set(Objection.objects.values_list("client", flat=True)) == {"203.0.113.7"}
    # Another address is not held back by this one.
    assert Client(REMOTE_ADDR="198.51.100.9").post(
        api, REASON, content_type="application/json").status_code == 201
    # An hour on, the first address's objections have left the window.
    Objection.objects.filter(client="203.0.113.7").update(
        filed_at=timezone.now() - closing.OBJECTION_WINDOW - dt.timedelta(seconds=1))
    assert Client(REMOTE_ADDR="203.0.113.7").post(
        api, REASON, content_type="application/json").status_code == 201


def test_the_wait_is_until_enough_objections_have_left_the_window(noticed, settings):
    settings.OBJECTIONS_PER_CLIENT = 2
    now = timezone.now()
    for minutes in (50, 20):  # filed 50 and 20 minutes ago
        objection = closing.object_to(noticed, **REASON, client="203.0.113.8")
        Objection.objects.filter(pk=objection.pk).update(
            filed_at=now - dt.timedelta(minutes=minutes))
    with pytest.raises(closing.ObjectionRefused) as refused:
        closing.object_to(noticed, **REASON, client="203.0.113.8", now=now)
    # The one filed 50 minutes ago leaves the window in 10 minutes.
    assert 599 <= refused.value.retry_after <= 601
    assert "10分钟" in refused.value.errors[0]["message_zh"]
