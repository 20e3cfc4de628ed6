"""Staff second factor (动态口令, TOTP — RFC 6238) with django-otp.

With ``settings.STAFF_OTP`` on (the default outside demo mode), a staff member
(:func:`yilian.accounts.roles.is_staff_member`) who gave the right password is signed in
only after a six-digit code from their authenticator app: on the pages as a second step
(:mod:`yilian.accounts.views`), on the API as the token request's ``otp`` field. A staff
session that did not pass the step is refused by
:class:`yilian.accounts.middleware.StaffSessionMiddleware`.

Devices are enrolled by an operator: ``yilian manage enrol_totp USERNAME`` prints the
``otpauth://`` URI and its QR code. A wrong code counts as a failed sign-in
(:mod:`yilian.accounts.lockout`), so the code cannot be guessed either.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from yilian.accounts import roles


class SecondFactorError(Exception):
    """A bilingual reason the second factor was not accepted."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.message_zh, self.message_en = code, zh, en


def required(user) -> bool:
    return bool(settings.STAFF_OTP) and roles.is_staff_member(user)


def enrolled(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def verify(user, code: str):
    """The device that accepts ``code`` for ``user``; raises :class:`SecondFactorError`.
    A device accepts each code once (django-otp remembers the last time step)."""
    if not enrolled(user):
        raise SecondFactorError(
            "otp.not_enrolled", "该工作人员账号尚未登记动态口令设备，请联系系统管理员登记",
            "no authenticator is enrolled for this staff account; ask an operator to "
            "enrol one (yilian manage enrol_totp)")
    code = (code or "").strip().replace(" ", "")
    if not code:
        raise SecondFactorError("otp.required", "工作人员须输入动态口令（6位数字）",
                                "staff must give the 6-digit code from their authenticator")
    device = match_token(user, code) if code.isdigit() and len(code) <= 8 else None
    if device is None:
        raise SecondFactorError("otp.invalid", "动态口令错误或已使用",
                                "the authenticator code is wrong or was already used")
    return device


@transaction.atomic
def enrol(user, name: str = "authenticator") -> TOTPDevice:
    """A new confirmed TOTP device for ``user``, replacing any they had (a lost phone's
    device must stop working the moment a new one is enrolled)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)
