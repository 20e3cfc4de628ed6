"""Password sign-in lockout (登录失败锁定): against guessing passwords, per account and
per client address.

Every failed password sign-in — the sign-in page, the Django admin's, the API's token
endpoint, and a wrong second-factor code after a right password — is a row of
:class:`~yilian.accounts.models.SignInFailure`. An account with
``SIGNIN_MAX_FAILURES`` failures in the last ``SIGNIN_WINDOW_MINUTES``, or a client
address with ``SIGNIN_MAX_FAILURES_PER_CLIENT``, is refused before its password is even
checked — so a locked account answers the same whether or not the password was right,
and the answer tells a guesser nothing. The rows are in the database because sign-ins
arrive at several processes (gunicorn workers, hosts) and the default cache is each
process's own memory.

A successful sign-in clears its account's failures (a person who finally remembers
their password starts afresh), never the address's: one valid account of an attacker's
must not reset the count of their guesses at others.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from yilian.accounts.models import SignInFailure


class SignInLocked(Exception):
    """Too many failures: a bilingual refusal, the same whatever the password was."""

    code = "signin.locked"

    def __init__(self) -> None:
        minutes = settings.SIGNIN_WINDOW_MINUTES
        self.message_zh = f"登录失败次数过多，已暂时锁定，请{minutes}分钟后再试"
        self.message_en = (f"too many failed sign-ins: locked for now, "
                           f"try again in {minutes} minutes")
        super().__init__(self.message_en)


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _since() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.SIGNIN_WINDOW_MINUTES)


def is_locked(username: str, client: str) -> bool:
    recent = SignInFailure.objects.filter(at__gte=_since())
    if recent.filter(username=_key(username)).count() >= settings.SIGNIN_MAX_FAILURES:
        return True
    return bool(client) and (recent.filter(client=client[:64]).count()
                             >= settings.SIGNIN_MAX_FAILURES_PER_CLIENT)


def check(username: str, client: str) -> None:
    """Raise :class:`SignInLocked` when this account or this address is locked."""
    if is_locked(username, client):
        raise SignInLocked


def failed(username: str, client: str) -> None:
    """Count one failure (committed at once: the caller's error must not roll it back)."""
    SignInFailure.objects.create(username=_key(username), client=(client or "")[:64],
                                 at=timezone.now())


def succeeded(username: str) -> None:
    SignInFailure.objects.filter(username=_key(username)).delete()
