"""Co-signing (共同签署): every investor the applicant invites confirms the form.

The applicant names a co-signer and their phone (:func:`invite`); a one-time code goes
to that phone through the outbox (:mod:`yilian.accounts.services`, purpose
``cosign:<id>`` so one phone invited to two applications holds two separate codes),
with the public confirmation link. The co-signer confirms either on that link with the
code (:func:`confirm_with_code`), or signed in with their own phone login
(:func:`confirm_signed_in`).

A confirmation binds the form as it stood (:func:`form_digest`): an edit afterwards makes
it stale and the co-signer confirms again. :func:`pending_errors` is the gate that
:func:`yilian.forms.services.submit_application` adds to the form's own checks, so the
portal and the API refuse a submission alike while anyone has not confirmed.

Every action writes the application's audit stream.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from yilian.accounts import services as accounts
from yilian.api.errors import field_error
from yilian.audit.services import record, stream_for_application
from yilian.forms.models import Application, CoSigner

# What a co-signer agrees to: every part of the form an applicant fills in.
_SIGNED_FIELDS = ("name", "org_form", "registered_capital", "domicile", "division_code",
                  "industry_code", "business_scope", "operating_term_years", "seals",
                  "invoices", "bank_appointment", "permits", "pledges")
_PARTY_FIELDS = {
    "investors": ("kind", "name", "id_number", "uscc", "amount", "contribution_date",
                  "contribution_method"),
    "people": ("role", "name", "id_number", "phone", "email"),
    "employees": ("name", "id_number", "monthly_wage", "start_date"),
}
NAME_LENGTH = 50


class CoSignError(Exception):
    """A bilingual reason an invitation or a confirmation was refused."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.message_zh, self.message_en = code, zh, en


def purpose(cosigner: CoSigner) -> str:
    """The one-time code's purpose: one per invitation (``PhoneCode.purpose`` ≤ 16)."""
    return f"cosign:{cosigner.pk}"


def confirm_path(cosigner: CoSigner) -> str:
    return reverse("portal:cosign-public", kwargs={"token": cosigner.token})


def confirm_url(cosigner: CoSigner) -> str:
    """The link sent by SMS; the same public base URL as the license QR code."""
    return f"{settings.PUBLIC_URL.rstrip('/')}{confirm_path(cosigner)}"


def form_digest(application: Application) -> str:
    """SHA-256 of the form's content (not its status or timestamps), parties in form
    order: what a co-signer's confirmation is bound to."""
    content = {field: getattr(application, field) for field in _SIGNED_FIELDS}
    for key, fields in _PARTY_FIELDS.items():
        rows = sorted(getattr(application, key).all(), key=lambda r: (r.position, r.pk))
        content[key] = [[getattr(row, f) for f in fields] for row in rows]
    body = json.dumps(content, ensure_ascii=False, sort_keys=True, default=_plain)
    return hashlib.sha256(body.encode()).hexdigest()


def _plain(value):
    # Decimal("1000000.00") and Decimal("1000000") are one amount; dates as ISO text.
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def state(cosigner: CoSigner, digest: str | None = None) -> str:
    """``pending`` (not yet), ``confirmed``, or ``stale`` (the form changed since)."""
    if cosigner.confirmed_at is None:
        return "pending"
    digest = digest or form_digest(cosigner.application)
    return "confirmed" if cosigner.form_digest == digest else "stale"


def cosigners_of(application: Application) -> list[tuple[CoSigner, str]]:
    """Each invitation with its :func:`state`, in the order they were made."""
    digest = form_digest(application)
    return [(c, state(c, digest)) for c in application.cosigners.all()]


def pending_errors(application: Application) -> list[dict]:
    """One field error (``cosigners``) per co-signer who has not confirmed this form."""
    errors = []
    for cosigner, now in cosigners_of(application):
        if now == "confirmed":
            continue
        stale_zh = "（确认后表单已修改）" if now == "stale" else ""
        stale_en = " (the form changed after they confirmed)" if now == "stale" else ""
        errors.append(field_error(
            "cosigners", f"cosigners.{now}",
            f"共同签署人{cosigner.name}尚未确认{stale_zh}，全部确认后才能提交",
            f"co-signer {cosigner.name} has not confirmed{stale_en}; everyone must "
            "confirm before submission"))
    return errors


def _check_editable(application: Application, actor) -> Application:
    from yilian.forms.services import check_can_edit  # services imports this module

    check_can_edit(application, actor)
    return application


@transaction.atomic
def invite(application: Application, actor, name: str, phone: str) -> CoSigner:
    """邀请签署 — add a co-signer and send them a code and the link. Raises
    :class:`CoSignError`, ``accounts.CodeError`` (bad phone), ``NotEditable`` or
    ``PermissionDenied``."""
    _check_editable(application, actor)
    name = (name or "").strip()
    if not name or len(name) > NAME_LENGTH:
        raise CoSignError("cosigner.name", f"请填写签署人姓名（不超过{NAME_LENGTH}个字）",
                          f"give the co-signer's name (at most {NAME_LENGTH} characters)")
    phone = accounts.normalize_phone(phone)
    if phone == actor.get_username():
        raise CoSignError("cosigner.self", "申请人本人无需邀请自己签署",
                          "the applicant need not invite themselves")
    try:
        with transaction.atomic():
            cosigner = CoSigner.objects.create(application=application, name=name,
                                               phone=phone, invited_by=actor,
                                               token=secrets.token_urlsafe(32))
    except IntegrityError:
        raise CoSignError("cosigner.duplicate", "该手机号已被邀请签署",
                          "this phone number is already invited") from None
    record(stream_for_application(application.pk), "cosign.invited", actor=actor,
           data={"cosigner": cosigner.pk, "name": name, "phone": phone})
    _send(cosigner, actor)
    return cosigner


@transaction.atomic
def resend(cosigner: CoSigner, actor=None) -> None:
    """A fresh code (the outbox's resend interval applies). ``actor`` is the applicant
    (checked) or None when the co-signer asks on the public page."""
    if actor is not None:
        _check_editable(cosigner.application, actor)
    elif not cosigner.application.editable:
        raise _closed()
    _send(cosigner, actor)


def _send(cosigner: CoSigner, actor) -> None:
    application = cosigner.application
    message = accounts.send_code(cosigner.phone, purpose=purpose(cosigner))
    # The code stays first in the text: people (and the demo's outbox readers) look for
    # the first six digits.
    company = application.name or "新设企业"
    message.body += (f"{cosigner.invited_by.get_username()}邀请您作为出资人签署“{company}”"
                     f"的设立登记申请，确认链接：{confirm_url(cosigner)}")
    message.save(update_fields=["body"])
    record(stream_for_application(application.pk), "cosign.code_sent", actor=actor,
           data={"cosigner": cosigner.pk, "outbox": message.pk})


@transaction.atomic
def remove(cosigner: CoSigner, actor) -> None:
    """撤回邀请 — the applicant withdraws an invitation (only while editable)."""
    application = _check_editable(cosigner.application, actor)
    record(stream_for_application(application.pk), "cosign.removed", actor=actor,
           data={"cosigner": cosigner.pk, "name": cosigner.name, "phone": cosigner.phone})
    cosigner.delete()


def confirm_with_code(cosigner: CoSigner, code: str, user=None) -> CoSigner:
    """确认签署 on the public link: the code sent to the co-signer's phone proves it is
    them. Raises ``accounts.CodeError`` for a wrong or expired code."""
    if not cosigner.application.editable:
        raise _closed()
    accounts.check_code(cosigner.phone, code, purpose=purpose(cosigner))
    return _confirm(cosigner, user, "code")


def confirm_signed_in(cosigner: CoSigner, user) -> CoSigner:
    """确认签署 signed in: the account's phone (its username) must be the invited one."""
    if user is None or not user.is_authenticated or user.get_username() != cosigner.phone:
        raise CoSignError("cosigner.not_you", "请使用被邀请的手机号登录后确认",
                          "sign in with the invited phone number to confirm")
    if not cosigner.application.editable:
        raise _closed()
    return _confirm(cosigner, user, "account")


@transaction.atomic
def _confirm(cosigner: CoSigner, user, via: str) -> CoSigner:
    cosigner = CoSigner.objects.select_for_update().select_related("application").get(
        pk=cosigner.pk)
    application = cosigner.application
    cosigner.confirmed_at = timezone.now()
    cosigner.confirmed_by = user if user is not None and user.is_authenticated else None
    cosigner.confirmed_via = via
    cosigner.form_digest = form_digest(application)
    cosigner.save(update_fields=["confirmed_at", "confirmed_by", "confirmed_via",
                                 "form_digest"])
    record(stream_for_application(application.pk), "cosign.confirmed",
           actor=cosigner.confirmed_by, actor_label="" if cosigner.confirmed_by else
           f"cosigner:{cosigner.phone}",
           data={"cosigner": cosigner.pk, "via": via, "form_digest": cosigner.form_digest})
    return cosigner


def invitations_for(user) -> QuerySet[CoSigner]:
    """Invitations to this account's phone (its username) on forms still open."""
    return (CoSigner.objects.filter(phone=user.get_username(),
                                    application__status__in=("draft", "returned"))
            .select_related("application", "invited_by"))


def _closed() -> CoSignError:
    return CoSignError("cosigner.closed", "该申请已提交或已结束，无需再签署",
                       "the application is no longer open for signing")
