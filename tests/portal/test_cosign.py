"""Co-signing (共同签署): invite by phone, confirm with the code or signed in; no
submission — through the portal or the API's service — while anyone has not confirmed."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.conftest import latest_code, make_applicant
from yilian.accounts import services as accounts
from yilian.accounts.models import OutboxMessage
from yilian.audit.models import Entry
from yilian.audit.services import stream_for_application, verify
from yilian.forms import cosign, services
from yilian.forms.models import CoSigner, Status

pytestmark = pytest.mark.django_db

PHONE = "13906310003"


def _step(application, slug: str) -> str:
    return reverse("portal:step", kwargs={"pk": application.pk, "step": slug})


def _invite(client, application, name: str = "李娜", phone: str = PHONE):
    return client.post(_step(application, "cosigners"),
                       {"action": "invite", "cosigner-name": name, "cosigner-phone": phone})


def _public(cosigner) -> str:
    return reverse("portal:cosign-public", kwargs={"token": cosigner.token})


def test_an_invitation_sends_a_code_and_the_link_through_the_outbox(signed_in, draft):
    answer = _invite(signed_in, draft)
    assert answer.status_code == 302
    cosigner = CoSigner.objects.get(application=draft)
    body = OutboxMessage.objects.get(to=PHONE).body
    assert re.search(r"\d{6}", body).group(0) == latest_code(PHONE)  # the code comes first
    assert _public(cosigner) in body and draft.name in body
    page = signed_in.get(_step(draft, "cosigners")).content.decode()
    assert "李娜" in page and "待确认" in page and _public(cosigner) in page


def test_invitations_are_checked_field_by_field(signed_in, draft, applicant):
    bad = _invite(signed_in, draft, phone="12345")
    assert bad.status_code == 400
    page = bad.content.decode()
    field = re.search(r'<input[^>]*id="cosigner-phone"[^>]*>', page, re.S).group(0)
    assert 'aria-invalid="true"' in field and "手机号码" in page
    assert _invite(signed_in, draft, name="").status_code == 400
    _invite(signed_in, draft)
    assert _invite(signed_in, draft).status_code == 400  # the same phone twice
    assert _invite(signed_in, draft, phone=applicant.username).status_code == 400
    assert CoSigner.objects.count() == 1


def test_submission_waits_for_every_cosigner_then_the_code_confirms(signed_in, draft):
    _invite(signed_in, draft)
    refused = signed_in.post(_step(draft, "review"), {"go": "submit"})
    assert refused.status_code == 400 and "李娜尚未确认" in refused.content.decode()
    with pytest.raises(services.InvalidApplication) as error:  # the API's path too
        services.submit_application(draft, draft.owner)
    assert [e["field"] for e in error.value.errors] == ["cosigners"]

    cosigner = CoSigner.objects.get()
    client = Client()  # the co-signer's own phone, not signed in
    public = client.get(_public(cosigner))
    assert public.status_code == 200 and draft.name in public.content.decode()
    wrong = "000000" if latest_code(PHONE) != "000000" else "111111"
    assert client.post(_public(cosigner), {"code": wrong}).status_code == 400
    assert client.post(_public(cosigner), {"code": latest_code(PHONE)}).status_code == 302
    assert "已确认" in client.get(_public(cosigner)).content.decode()
    cosigner.refresh_from_db()
    assert cosigner.confirmed_via == "code" and cosigner.confirmed_at

    done = signed_in.post(_step(draft, "review"), {"go": "submit"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.ACCEPTED
    stream = stream_for_application(draft.pk)
    actions = list(Entry.objects.filter(stream=stream).values_list("action", flat=True))
    assert {"cosign.invited", "cosign.code_sent", "cosign.confirmed"} <= set(actions)
    assert verify(stream)


def test_an_edit_after_confirming_asks_for_a_new_confirmation(signed_in, draft):
    _invite(signed_in, draft)
    cosigner = CoSigner.objects.get()
    cosign.confirm_with_code(cosigner, latest_code(PHONE))
    assert cosign.pending_errors(draft) == []
    signed_in.post(_step(draft, "enterprise"), {
        "name": draft.name, "org_form": "llc_multi", "registered_capital": "1000000",
        "domicile": "威海市另一条路2号", "division_code": "371071", "industry_code": "6513",
        "go": "save"})
    draft.refresh_from_db()
    assert [e["code"] for e in cosign.pending_errors(draft)] == ["cosigners.stale"]
    assert "需重新确认" in signed_in.get(_step(draft, "cosigners")).content.decode()


def test_the_cosigner_confirms_signed_in_with_their_own_phone(signed_in, draft):
    _invite(signed_in, draft)
    client = Client()
    cosigner = CoSigner.objects.get()
    stranger = make_applicant("13700000000")
    client.force_login(stranger)
    assert "以当前登录" not in client.get(_public(cosigner)).content.decode()
    assert client.post(_public(cosigner), {"action": "account"}).status_code == 400
    invitee = make_applicant(PHONE)
    client.force_login(invitee)
    index = client.get(reverse("portal:index")).content.decode()
    assert "待我签署" in index and _public(cosigner) in index
    assert client.post(_public(cosigner), {"action": "account"}).status_code == 302
    cosigner.refresh_from_db()
    assert cosigner.confirmed_via == "account" and cosigner.confirmed_by == invitee


def test_resend_and_withdraw(signed_in, draft):
    _invite(signed_in, draft)
    cosigner = CoSigner.objects.get()
    too_soon = signed_in.post(_step(draft, "cosigners"), {"action": f"resend:{cosigner.pk}"})
    assert too_soon.status_code == 400 and "秒后再试" in too_soon.content.decode()
    with pytest.raises(accounts.CodeError):  # the co-signer's own resend: same interval
        cosign.resend(cosigner)
    signed_in.post(_step(draft, "cosigners"), {"action": f"remove:{cosigner.pk}"})
    assert not CoSigner.objects.exists()
    assert cosign.pending_errors(draft) == []


def test_nobody_else_touches_my_invitations(draft, other, signed_in):
    _invite(signed_in, draft)
    client = Client()
    cosigner = CoSigner.objects.get()
    client.force_login(other)
    answer = client.post(_step(draft, "cosigners"), {"action": f"remove:{cosigner.pk}"})
    assert answer.status_code == 404 and CoSigner.objects.exists()
    assert client.get(reverse("portal:cosign-public", kwargs={"token": "nope"})).status_code \
        == 404
