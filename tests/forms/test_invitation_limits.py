"""Invitations cannot harass (§3): they count against the number's, the inviting
account's and the client address's limits; their text carries nothing an applicant
typed; and a number's confirmation codes never use up its sign-in codes."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests import factories
from yilian.accounts import services as accounts
from yilian.accounts.models import OutboxMessage, PhoneCode
from yilian.forms import consent, parties, services
from yilian.forms.models import Party

pytestmark = pytest.mark.django_db

LINA = "13506310003"


def _lina(draft) -> Party:
    return Party.objects.get(application=draft, name="李娜")


def _age_codes() -> None:
    """Past the resend interval, still within the day."""
    PhoneCode.objects.update(created_at=timezone.now() - accounts.RESEND_INTERVAL * 2)


def test_the_text_carries_no_applicant_text(draft, owner):
    hostile = "点击 http://evil.example/pay 领取补贴"
    services.update_draft(draft, owner, {"name": f"威海{hostile}有限公司"})
    owner.username = "请拨打4000000000"
    owner.save()
    consent.invite(_lina(draft), owner)
    body = OutboxMessage.objects.get(to=LINA).body
    assert "evil" not in body and hostile not in body and "4000000000" not in body
    assert "李娜" not in body  # not even the party's own name as typed
    assert re.search(r"\d{6}", body) and "股东、监事" in body
    assert consent.confirm_path(_lina(draft)) in body


def test_invitations_use_the_confirmation_quota_so_sign_in_still_works(draft, owner):
    """An attacker naming a victim's number in applications could once spend the
    number's daily codes on invitations and lock the victim out of signing in."""
    party = _lina(draft)
    for _ in range(accounts.DAILY_CODES_PER_PHONE):
        consent.invite(party, owner)
        _age_codes()
    with pytest.raises(accounts.CodeError) as refused:
        consent.invite(party, owner)
    assert refused.value.code == "phone.daily_limit"
    # The victim signs in as usual: sign-in codes have their own allowance.
    accounts.send_code(LINA, client="203.0.113.9")
    code = re.search(r"\d{6}", OutboxMessage.objects.filter(to=LINA).first().body).group(0)
    assert accounts.sign_in_with_code(LINA, code).username == LINA


def test_sign_in_codes_do_not_use_up_the_confirmation_quota(draft, owner):
    for _ in range(accounts.DAILY_CODES_PER_PHONE):
        accounts.send_code(LINA)
        _age_codes()
    with pytest.raises(accounts.CodeError):
        accounts.send_code(LINA)
    consent.invite(_lina(draft), owner)  # still reaches her


def test_an_account_sends_a_limited_number_of_invitations(settings, owner):
    """One account, many drafts naming many (real) people: the account runs dry."""
    settings.CODES_PER_ACCOUNT = 3
    sent = 0
    with pytest.raises(accounts.CodeError) as refused:
        for _ in range(5):
            app = factories.application(owner, accepted=False)
            for party in parties.sync(app):  # made through the ORM: derive them now
                consent.invite(party, owner)
                sent += 1
    assert refused.value.code == "account.too_many" and sent == 3
    assert PhoneCode.objects.filter(account=owner).count() == 3


def test_invitations_count_against_the_client_address_with_sign_in_codes(settings, draft,
                                                                          owner):
    settings.CODES_PER_CLIENT = 2
    accounts.send_code("13800138100", client="198.51.100.7")
    consent.invite(_lina(draft), owner, client="198.51.100.7")
    with pytest.raises(accounts.CodeError) as refused:
        consent.invite(Party.objects.get(application=draft, name="王强"), owner,
                       client="198.51.100.7")
    assert refused.value.code == "client.too_many"


def test_a_party_resending_from_their_page_is_limited_too(draft, owner):
    party = _lina(draft)
    consent.invite(party, owner)
    with pytest.raises(accounts.CodeError) as refused:
        consent.resend_by_party(party, client="192.0.2.1")
    assert refused.value.code == "phone.too_soon"


def test_a_party_confirming_an_edited_form_gets_a_new_code_at_once(draft, owner):
    party = _lina(draft)
    consent.invite(party, owner)
    code = re.search(r"\d{6}", OutboxMessage.objects.filter(to=LINA).first().body).group(0)
    consent.confirm_with_code(party, code)
    services.update_draft(draft, owner, {"domicile": "威海市另一条路2号"})
    consent.invite(_lina(draft), owner)  # the spent code does not hold the next one back
    assert OutboxMessage.objects.filter(to=LINA).count() == 2


def test_failed_identity_checks_cannot_be_used_to_guess_particulars(draft, owner):
    """Each "no" from the identity check tells whether a name, ID number and phone
    belong together: an account that keeps guessing is stopped, and its guesses are
    recorded even though each invitation was refused."""
    from yilian.audit.models import Entry
    from yilian.forms import parties as rules

    party = _lina(draft)
    for guess in range(consent.IDENTITY_FAILURES_PER_DAY):
        Party.objects.filter(pk=party.pk).update(phone=f"1390631{guess:04d}")
        with pytest.raises(rules.PartyError) as refused:
            consent.invite(Party.objects.get(pk=party.pk), owner)
        assert refused.value.code == "identity.phone_mismatch"
    assert Entry.objects.filter(stream=f"account:{owner.pk}",
                                action="identity.failed").count() == 10
    Party.objects.filter(pk=party.pk).update(phone=LINA)  # even the right one, now
    with pytest.raises(rules.PartyError) as refused:
        consent.invite(Party.objects.get(pk=party.pk), owner)
    assert refused.value.code == "identity.too_many"
    assert not OutboxMessage.objects.exists()
