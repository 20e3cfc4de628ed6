"""变更登记 on the phone pages (issue 13, part 1): the owner opens a change from the
enterprise, the step pages say so and are pre-filled, the check step shows each change
before and after, only those whose consent the law asks for are asked, and a clerk opens
one at the counter for the owner."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.factories import confirm_parties
from yilian.accounts import roles
from yilian.chain import engine
from yilian.chain.services import start_chain
from yilian.forms.models import Application, Purpose, Status
from yilian.registry.models import Enterprise

pytestmark = pytest.mark.django_db
NEW_HOME = "山东省威海市火炬高技术产业开发区文化西路180号创业大厦B座1203室"


@pytest.fixture
def enterprise(draft) -> Enterprise:
    confirm_parties(draft)
    Application.objects.filter(pk=draft.pk).update(status=Status.ACCEPTED)
    with override_settings(SIMULATOR={"latency_ms": "0", "failure_rate": 0.0,
                                      "outages": "", "seed": "7"}):
        start_chain(Application.objects.get(pk=draft.pk))
        engine.drain()
    return Enterprise.objects.get(application=draft)


def _start(client, enterprise):
    return client.post(f"/me/enterprises/{enterprise.uscc}/change/")


def test_the_owner_opens_a_change_and_sees_it_before_and_after(signed_in, enterprise):
    answer = _start(signed_in, enterprise)
    assert answer.status_code == 302
    change = Application.objects.get(purpose=Purpose.CHANGE, subject=enterprise)
    assert answer["Location"] == f"/me/applications/{change.pk}/enterprise/"
    page = signed_in.get(answer["Location"]).content.decode()
    assert 'id="change-banner"' in page and enterprise.uscc in page
    assert enterprise.application.domicile in page  # pre-filled from the register
    review = signed_in.get(f"/me/applications/{change.pk}/review/").content.decode()
    assert "与登记事项相比尚无变更" in review

    change.domicile = NEW_HOME
    change.save()
    review = signed_in.get(f"/me/applications/{change.pk}/review/").content.decode()
    table = review[review.index('id="what-changes"'):review.index('class="card summary"')]
    assert "住所" in table and NEW_HOME in table and enterprise.application.domicile in table
    assert "换发新版营业执照" in table
    # A new address needs nobody's consent: every party is shown as not asked.
    parties = signed_in.get(f"/me/applications/{change.pk}/parties/").content.decode()
    assert parties.count("无需确认") == change.parties.count()
    assert "发送确认验证码" not in parties


def test_a_second_change_is_refused_with_the_reason(signed_in, enterprise):
    _start(signed_in, enterprise)
    answer = _start(signed_in, enterprise)
    assert answer.status_code == 302 and answer["Location"] == "/me/"
    assert "已有办理中的变更或注销申请" in signed_in.get("/me/").content.decode()
    assert Application.objects.filter(purpose=Purpose.CHANGE).count() == 1


def test_others_get_404_and_get_is_not_allowed(client, signed_in, other, enterprise):
    assert signed_in.get(f"/me/enterprises/{enterprise.uscc}/change/").status_code == 405
    client.force_login(other)
    assert _start(client, enterprise).status_code == 404
    assert not Application.objects.filter(purpose=Purpose.CHANGE).exists()


def test_a_clerk_opens_it_at_the_counter_for_the_owner(client, enterprise, applicant):
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.create_user("clerk-1", password="unused-pw-1")
    roles.grant(clerk, roles.CLERK)
    client.force_login(clerk)
    answer = _start(client, enterprise)
    change = Application.objects.get(purpose=Purpose.CHANGE, subject=enterprise)
    assert change.owner == applicant
    assert answer["Location"] == f"/workbench/counter/{change.pk}/enterprise/"
    page = client.get(answer["Location"]).content.decode()
    assert 'id="change-banner"' in page and 'id="counter-banner"' in page


def test_the_counter_finds_the_enterprise_by_its_code(client, enterprise, applicant):
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.create_user("clerk-2", password="unused-pw-1")
    roles.grant(clerk, roles.EXAMINER)
    client.force_login(clerk)
    assert 'id="counter-change"' in client.get("/workbench/counter/").content.decode()
    missing = client.post("/workbench/counter/change/", {"uscc": "91371071MA00000000"})
    assert missing["Location"] == "/workbench/counter/"
    assert "登记簿中没有" in client.get("/workbench/counter/").content.decode()
    typed = client.post("/workbench/counter/change/", {"uscc": enterprise.uscc.lower()})
    change = Application.objects.get(purpose=Purpose.CHANGE, subject=enterprise)
    assert typed["Location"] == f"/workbench/counter/{change.pk}/enterprise/"
    assert change.owner == applicant
    client.force_login(applicant)
    assert client.post("/workbench/counter/change/",
                       {"uscc": enterprise.uscc}).status_code == 403
