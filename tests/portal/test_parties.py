"""The parties page (当事人确认) and each party's own page: send codes, confirm with the
code, signed in as themselves, and no submission — portal or API service — while anyone
named has not confirmed."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.conftest import latest_code, make_applicant
from yilian.accounts.models import OutboxMessage
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_application, verify
from yilian.forms import consent, parties, services
from yilian.forms.models import Party, Status

# The review page's submit button, the pledge (承诺书) ticked.
SUBMIT = {"go": "submit", "declaration": "yes"}

pytestmark = pytest.mark.django_db

LINA = "13506310003"


def _step(application, slug: str) -> str:
    return reverse("portal:step", kwargs={"pk": application.pk, "step": slug})


def _public(party) -> str:
    return reverse("portal:party-public", kwargs={"token": party.token})


def _party(draft, name: str = "李娜") -> Party:
    return Party.objects.get(application=draft, name=name)


def _invite(client, draft, name: str = "李娜"):
    return client.post(_step(draft, "parties"), {"action": f"invite:{_party(draft, name).pk}"})


def test_the_page_lists_every_person_once_with_their_roles(signed_in, draft):
    page = signed_in.get(_step(draft, "parties")).content.decode()
    for name in ("张伟", "李娜", "王强", "刘洋", "陈静"):
        assert page.count(f'class="party-name">{name}<') == 1
    assert "股东、法定代表人、董事/执行董事" in page and "办税人、联络员" in page
    assert page.count("待确认") >= 5


def test_an_invitation_sends_a_code_and_the_link_through_the_outbox(signed_in, draft):
    answer = _invite(signed_in, draft)
    assert answer.status_code == 302
    body = OutboxMessage.objects.get(to=LINA).body
    assert re.search(r"\d{6}", body).group(0) == latest_code(LINA)  # the code comes first
    assert _public(_party(draft)) in body and draft.name not in body
    page = signed_in.get(_step(draft, "parties")).content.decode()
    assert "重发验证码" in page and _public(_party(draft)) in page


def test_submission_waits_for_every_party_then_the_code_confirms(signed_in, draft):
    refused = signed_in.post(_step(draft, "review"), SUBMIT)
    assert refused.status_code == 400 and "李娜尚未确认" in refused.content.decode()
    with pytest.raises(services.InvalidApplication) as error:  # the API's path too
        services.submit_application(draft, draft.owner)
    assert {e["code"] for e in error.value.errors} == {"parties.unconfirmed"}

    _invite(signed_in, draft)
    party = _party(draft)
    client = Client()  # the party's own phone, not signed in
    public = client.get(_public(party))
    assert public.status_code == 200 and draft.name in public.content.decode()
    wrong = "000000" if latest_code(LINA) != "000000" else "111111"
    assert client.post(_public(party), {"code": wrong}).status_code == 400
    assert client.post(_public(party), {"code": latest_code(LINA)}).status_code == 302
    assert "已确认" in client.get(_public(party)).content.decode()
    party.refresh_from_db()
    assert party.confirmed_via == "code" and party.confirmed_at

    for other in Party.objects.filter(application=draft).exclude(pk=party.pk):
        consent._confirm(other, None, "code")
    done = signed_in.post(_step(draft, "review"), SUBMIT)
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.ACCEPTED
    stream = stream_for_application(draft.pk)
    actions = list(Entry.objects.filter(stream=stream).values_list("action", flat=True))
    assert {"party.added", "party.invited", "party.confirmed"} <= set(actions)
    assert verify(stream)


def test_an_edit_after_confirming_asks_for_a_new_confirmation(signed_in, draft):
    party = _party(draft)
    _invite(signed_in, draft)
    consent.confirm_with_code(party, latest_code(LINA))
    signed_in.post(_step(draft, "enterprise"), {
        "name": draft.name, "org_form": "llc_multi", "registered_capital": "100",  # 万元
        "division-province": "370000", "division-city": "371000",
        "division-county": "371071", "domicile": "另一条路2号", "go": "save"})
    draft.refresh_from_db()
    assert parties.state(_party(draft)) == "stale"
    assert "需重新确认" in signed_in.get(_step(draft, "parties")).content.decode()


def test_the_party_confirms_signed_in_with_their_own_phone(signed_in, draft):
    party = _party(draft)
    client = Client()
    client.force_login(make_applicant("13700000000"))
    assert "以当前登录" not in client.get(_public(party)).content.decode()
    assert client.post(_public(party), {"action": "account"}).status_code == 400
    herself = make_applicant(LINA)
    client.force_login(herself)
    index = client.get(reverse("portal:index")).content.decode()
    assert "待我确认" in index and _public(party) in index
    assert client.post(_public(party), {"action": "account"}).status_code == 302
    party.refresh_from_db()
    assert party.confirmed_via == "account" and party.confirmed_by == herself


def test_the_applicant_confirms_their_own_party_on_the_page(client, draft):
    zhang = _party(draft, "张伟")
    himself = make_applicant(zhang.phone)
    draft.owner = himself
    draft.save()
    client.force_login(himself)
    page = client.get(_step(draft, "parties")).content.decode()
    assert page.count("本人确认</button>") == 1  # only on his own row
    client.post(_step(draft, "parties"), {"action": f"confirm:{zhang.pk}"})
    assert parties.state(_party(draft, "张伟")) == "confirmed"
    refused = client.post(_step(draft, "parties"),
                          {"action": f"confirm:{_party(draft).pk}"})
    assert refused.status_code == 400 and parties.state(_party(draft)) == "pending"


def test_resends_wait_their_interval(signed_in, draft):
    _invite(signed_in, draft)
    too_soon = _invite(signed_in, draft)
    assert too_soon.status_code == 400 and "秒后再试" in too_soon.content.decode()
    public = Client().post(_public(_party(draft)), {"action": "resend"})
    assert public.status_code == 400 and "秒后再试" in public.content.decode()


def test_nobody_else_touches_my_parties(draft, other, signed_in):
    client = Client()
    client.force_login(other)
    answer = client.post(_step(draft, "parties"), {"action": f"invite:{_party(draft).pk}"})
    assert answer.status_code == 404 and not OutboxMessage.objects.exists()
    assert client.get(reverse("portal:party-public", kwargs={"token": "nope"})).status_code \
        == 404
