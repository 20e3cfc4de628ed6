"""Confirming an application (实名确认): invitations and the three ways to confirm.

- :func:`invite` — the applicant (or a clerk for them) sends a party a one-time code
  and the link to their confirmation page, after the identity service (身份核验) said
  the party's name, ID number and phone belong together. The text carries Yilian's own
  words only — the party's roles and a link with a secret token — never anything the
  applicant typed (no company name, no inviter), so the service cannot be made to send
  arbitrary text to arbitrary numbers. The code counts against the number's
  *confirmation* allowance (separate from its sign-in allowance, so invitations cannot
  lock a person out of signing in), the inviting account's and the client address's.
- :func:`confirm_with_code` — on the link (or through the API) with that code;
- :func:`confirm_signed_in` — signed in as themselves (an account whose phone is theirs);
  the applicant confirms their own party this way;
- :func:`confirm_in_person` — at the counter, the clerk saw their ID card (现场核验身份证).

Every action writes the application's audit stream. Rules of who is a party and when a
confirmation holds are in :mod:`yilian.forms.parties`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yilian.accounts import services as accounts
from yilian.audit.models import Entry
from yilian.audit.services import record, stream_for_application
from yilian.forms.models import Party
from yilian.forms.parties import PartyError, check_identity, form_digest, path_of, role_labels
from yilian.notices import notify

IN_PERSON = "in_person"
# Failed identity checks an account may have in a day before it is refused more (each
# failure tells whether someone's particulars belong together: a guessing oracle).
IDENTITY_FAILURES_PER_DAY = 10


def purpose(party: Party) -> str:
    """The one-time code's purpose: one per party (``PhoneCode.purpose`` ≤ 16)."""
    return f"party:{party.pk}"


def confirm_path(party: Party) -> str:
    return reverse("portal:party-public", kwargs={"token": party.token})


def confirm_url(party: Party) -> str:
    """The link sent by SMS; the same public base URL as the license QR code."""
    return f"{settings.PUBLIC_URL.rstrip('/')}{confirm_path(party)}"


def invitation_text(party: Party) -> str:
    """What follows the code in the text: fixed words, the roles (our vocabulary) and
    the link. Nothing here comes from what an applicant typed."""
    roles = role_labels(party.roles, party.application.org_form)
    return (f"您被列为一项企业设立登记申请的{roles}，"
            f"请核对申请内容后确认：{confirm_url(party)}")


def _check_editable(party: Party, actor) -> None:
    from yilian.forms.services import check_can_edit  # services imports the parties

    check_can_edit(party.application, actor)


def _verify(party: Party) -> None:
    if not party.phone:
        path, fields = path_of(party)
        raise PartyError("parties.phone_missing", f"请先填写{party.name}本人的手机号码",
                         f"give {party.name}'s own mobile number first",
                         f"{path}.{fields[2]}")
    check_identity(party, *path_of(party))


def invite(party: Party, actor, client: str = "") -> Party:
    """邀请确认 — check the party's identity, then send them a code and the link (again,
    for a resend: the outbox's resend interval applies). Raises :class:`PartyError`,
    ``accounts.CodeError`` (a limit), ``NotEditable`` or ``PermissionDenied``."""
    _check_editable(party, actor)
    _verify_counted(party, actor)
    with transaction.atomic():
        message = accounts.send_code(party.phone, purpose=purpose(party), client=client,
                                     account=actor, quota=accounts.CONFIRM,
                                     text=invitation_text(party))
        party.invited_by, party.invited_at = actor, timezone.now()
        party.save(update_fields=["invited_by", "invited_at"])
        record(stream_for_application(party.application_id), "party.invited", actor=actor,
               data={"party": party.pk, "outbox": message.pk, "client": client})
    return party


def _verify_counted(party: Party, actor) -> None:
    """The identity check, as an account may ask it: each answer says whether a name, an
    ID number and a phone belong together, so an account that keeps getting "no" is
    guessing at other people's particulars. Its failures are recorded (committed on
    their own, so the refusal raised after them cannot roll them back) and, past
    :data:`IDENTITY_FAILURES_PER_DAY` in a day, it may not ask again until tomorrow."""
    if actor is None or not actor.is_authenticated:
        _verify(party)
        return
    stream = f"account:{actor.pk}"
    since = timezone.now() - dt.timedelta(days=1)
    if Entry.objects.filter(stream=stream, action="identity.failed",
                            at__gte=since).count() >= IDENTITY_FAILURES_PER_DAY:
        raise PartyError("identity.too_many", "身份核验未通过次数过多，请明天再试",
                         "too many failed identity checks from this account; try again "
                         "tomorrow")
    try:
        _verify(party)
    except PartyError as exc:
        if exc.code.startswith("identity.") and exc.code != "identity.unavailable":
            record(stream, "identity.failed", actor=actor,
                   data={"application": str(party.application_id), "party": party.pk,
                         "reason": exc.code})
        raise


@transaction.atomic
def resend_by_party(party: Party, client: str = "") -> None:
    """The party asks for a new code on their own page (the link proves nothing by
    itself, so the code still goes only to the party's number, within its limits)."""
    if not party.application.editable:
        raise _closed()
    message = accounts.send_code(party.phone, purpose=purpose(party), client=client,
                                 quota=accounts.CONFIRM, text=invitation_text(party))
    record(stream_for_application(party.application_id), "party.code_resent",
           actor_label=f"party:{party.pk}", data={"party": party.pk, "outbox": message.pk,
                                                  "client": client})


def confirm_with_code(party: Party, code: str, user=None) -> Party:
    """确认 with the code sent to the party's phone. Raises ``accounts.CodeError`` for a
    wrong or expired code."""
    if not party.application.editable:
        raise _closed()
    accounts.check_code(party.phone, code, purpose=purpose(party))
    return _confirm(party, user, "code")


def confirm_signed_in(party: Party, user) -> Party:
    """确认 signed in as themselves: the account's phone (its username) is the party's."""
    if user is None or not user.is_authenticated or not party.phone \
            or user.get_username() != party.phone:
        raise PartyError("parties.not_you", "请使用本人手机号登录后确认",
                         "sign in with your own mobile number to confirm")
    if not party.application.editable:
        raise _closed()
    _verify_counted(party, user)
    return _confirm(party, user, "account")


def confirm_in_person(party: Party, clerk) -> Party:
    """现场核验身份证 — the clerk saw the party's ID card at the counter (the caller checks
    the clerk's role and writes the counter's own entry)."""
    if not party.application.editable:
        raise _closed()
    _verify(party)
    return _confirm(party, clerk, IN_PERSON)


@transaction.atomic
def _confirm(party: Party, user, via: str) -> Party:
    party = Party.objects.select_for_update().select_related("application").get(pk=party.pk)
    party.confirmed_at = timezone.now()
    party.confirmed_by = user if user is not None and user.is_authenticated else None
    party.confirmed_via = via
    party.form_digest = form_digest(party.application)
    party.save(update_fields=["confirmed_at", "confirmed_by", "confirmed_via", "form_digest"])
    record(stream_for_application(party.application_id), "party.confirmed",
           actor=party.confirmed_by,
           actor_label="" if party.confirmed_by else f"party:{party.pk}",
           data={"party": party.pk, "via": via, "roles": party.roles,
                 "form_digest": party.form_digest})
    notify.party_confirmed(party)
    return party


def _closed() -> PartyError:
    return PartyError("parties.closed", "该申请已提交或已结束，无需再确认",
                      "the application is no longer open for confirmation")
