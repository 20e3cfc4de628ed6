"""Signing in with a phone number (手机号登录/注册): a one-time code through the outbox.

``send_code`` checks the number and the resend interval, stores the code's hash and
writes the message in one transaction; ``sign_in_with_code`` spends the code and returns
the user, creating an applicant account the first time a number signs in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from yilian.accounts import roles
from yilian.accounts.models import OutboxMessage, PhoneCode
from yilian.audit.services import record
from yilian.codes.errors import fold_width
from yilian.notices import outbox

CODE_TTL = dt.timedelta(minutes=10)
RESEND_INTERVAL = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 5
# Against SMS bombing (短信轰炸): a number gets at most so many codes a day, and one client
# address may ask for at most so many in a window (settings.CODES_PER_CLIENT), whatever
# numbers it names.
DAILY_CODES_PER_PHONE = 10
CLIENT_WINDOW = dt.timedelta(minutes=10)
# Mainland mobile numbers: 11 digits starting 13–19 (YD/T 2740 numbering plan).
MOBILE = re.compile(r"1[3-9][0-9]{9}")


class CodeError(Exception):
    """A bilingual reason the code could not be sent or used."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.message_zh, self.message_en = code, zh, en


def normalize_phone(phone: str) -> str:
    # Full-width digits folded (one number, one spelling); anything else non-ASCII fails.
    digits = re.sub(r"[\s-]", "", fold_width(phone or "")).removeprefix("+86")
    if not MOBILE.fullmatch(digits):
        raise CodeError("phone.invalid", "请输入11位中国大陆手机号码",
                        "enter an 11-digit mainland China mobile number")
    return digits


def _hash(phone: str, code: str, key: str | None = None) -> str:
    return hmac.new((key or settings.SECRET_KEY).encode(), f"{phone}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def _matches(code_hash: str, phone: str, code: str) -> bool:
    """Whether ``code`` is the one hashed: with the secret key, or with a retired one still
    listed in ``SECRET_KEY_FALLBACKS`` (a code texted just before a key rotation works)."""
    return any(hmac.compare_digest(code_hash, _hash(phone, code, key))
               for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


SIGN_IN = "sign_in"
CONFIRM = "confirm"


@transaction.atomic
def send_code(phone: str, purpose: str = "sign_in", client: str = "", *, account=None,
              quota: str = SIGN_IN, text: str = "") -> OutboxMessage:
    """Make a code for ``phone`` and put its message in the outbox.

    Every code counts against the same limits, whoever asks: the number's daily
    allowance (sign-in and confirmation codes each have their own, ``quota``), the
    requesting client address (``client``, ``settings.CODES_PER_CLIENT`` in ten minutes)
    and the signed-in account that asked (``account``, ``settings.CODES_PER_ACCOUNT`` a
    day). ``text`` follows the code in the message: Yilian's own words only, never
    anything an applicant typed."""
    phone = normalize_phone(phone)
    now = timezone.now()
    _check_limits(phone, purpose, client, now, account=account, quota=quota)
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.create(phone=phone, purpose=purpose, code_hash=_hash(phone, code),
                             expires_at=now + CODE_TTL, client=client[:64], quota=quota,
                             account=account if account is not None and account.pk else None)
    minutes = int(CODE_TTL.total_seconds() // 60)
    # The code comes first: people (and the demo outbox's readers) look for six digits.
    body = f"【一链】您的验证码是{code}，{minutes}分钟内有效。请勿告诉他人。{text}"
    return outbox.put(phone, body, code=code if settings.DEMO_MODE else "", kind="code")


def _check_limits(phone: str, purpose: str, client: str, now, *, account=None,
                  quota: str = SIGN_IN) -> None:
    last = PhoneCode.objects.filter(phone=phone, purpose=purpose).first()
    # The interval guards a code still waiting to be typed; once it was used, the next
    # one (a party confirming an edited form) is due at once — the daily caps still hold.
    if last and last.used_at is None and now - last.created_at < RESEND_INTERVAL:
        wait = int((RESEND_INTERVAL - (now - last.created_at)).total_seconds()) + 1
        raise CodeError("phone.too_soon", f"验证码已发送，请{wait}秒后再试",
                        f"a code was just sent; try again in {wait} s")
    day = now - dt.timedelta(days=1)
    today = PhoneCode.objects.filter(phone=phone, quota=quota, created_at__gte=day)
    if today.count() >= DAILY_CODES_PER_PHONE:
        raise CodeError("phone.daily_limit", "该号码今日获取验证码次数已达上限，请明天再试",
                        "this number has had all its codes for today; try again tomorrow")
    recent = PhoneCode.objects.filter(client=client[:64], created_at__gte=now - CLIENT_WINDOW)
    if client and recent.count() >= settings.CODES_PER_CLIENT:
        raise CodeError("client.too_many", "请求过于频繁，请稍后再试",
                        "too many codes asked for from this address; try again later")
    if account is not None and account.pk and PhoneCode.objects.filter(
            account=account, created_at__gte=day).count() >= settings.CODES_PER_ACCOUNT:
        raise CodeError("account.too_many", "本账号今日发送验证码次数已达上限，请明天再试",
                        "this account has sent all its codes for today; try again tomorrow")


def check_code(phone: str, code: str, purpose: str = "sign_in") -> str:
    """Spend a code; return the normalized phone number, or raise :class:`CodeError`.

    A wrong guess is counted in its own committed transaction, so that the error raised
    afterwards cannot roll the count back."""
    phone = normalize_phone(phone)
    wrong = CodeError("code.invalid", "验证码错误或已过期", "the code is wrong or has expired")
    with transaction.atomic():
        now = timezone.now()
        pending = (PhoneCode.objects.select_for_update()
                   .filter(phone=phone, purpose=purpose, used_at__isnull=True,
                           expires_at__gt=now).first())
        if pending is None or pending.attempts >= MAX_ATTEMPTS:
            raise wrong
        right = _matches(pending.code_hash, phone, (code or "").strip())
        if right:
            pending.used_at = now
            pending.save(update_fields=["used_at"])
        else:
            pending.attempts += 1
            pending.save(update_fields=["attempts"])
    if not right:
        raise wrong
    return phone


def sign_in_with_code(phone: str, code: str):
    """The account for this phone (created on first use, as an applicant)."""
    phone = check_code(phone, code)
    return _account_for(phone)


@transaction.atomic
def _account_for(phone: str):
    user, created = applicant_account(phone)
    record(f"account:{user.pk}", "account.signed_in_with_code", actor=user,
           data={"created": created})
    return user


def check_not_staff(user) -> None:
    """A code to a phone is a weaker proof than a password and a second factor: a staff
    account is never opened with one, nor served as an applicant at the counter."""
    if user is not None and roles.is_staff_member(user):
        raise CodeError("account.staff", "该号码属于工作人员账号，请使用工作人员账号密码登录",
                        "this number belongs to a staff account: use the staff sign-in "
                        "(username and password)")


@transaction.atomic
def applicant_account(phone: str):
    """``(user, created)``: the applicant account of a normalized mobile number, made
    the first time the number signs in or comes to the counter — with no password, as
    they sign in by code. Raises :class:`CodeError` for a staff account's number."""
    user, created = get_user_model().objects.get_or_create(username=phone)
    if not created:
        check_not_staff(user)
    if created:
        user.set_unusable_password()
        user.save()
        roles.grant(user, roles.APPLICANT)
    return user, created
