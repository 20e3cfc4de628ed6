"""API tokens (API 令牌): issued by ``POST /api/v1/auth/token/``, sent as
``Authorization: Bearer <token>``.

The key is shown once, to whoever signed in; the database keeps its SHA-256 only, so a
copy of the database (a backup, a leaked dump) holds no usable token. A token is good
until ``settings.API_TOKEN_HOURS`` after issue, until it is revoked (by its holder:
``DELETE /api/v1/auth/token/``; by an operator: ``yilian manage revoke_tokens USERNAME``
or the Django admin), and until its user's password changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone

from yilian.accounts.models import ApiToken
from yilian.audit.services import record


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def issue(user) -> tuple[str, ApiToken]:
    """A new token for ``user``: ``(key, row)``; the key exists nowhere else."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=_hash(key), prefix=key[:8],
        password_marker=user.get_session_auth_hash(),
        expires_at=timezone.now() + dt.timedelta(hours=settings.API_TOKEN_HOURS))
    record(f"account:{user.pk}", "account.token_issued", actor=user,
           data={"token": token.pk, "prefix": token.prefix})
    return key, token


def find(key: str) -> ApiToken | None:
    """The live token with this key, or ``None`` (unknown, expired, revoked, or its user's
    password changed since, or the user was deactivated)."""
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=_hash(key), revoked_at__isnull=True).first())
    if token is None or token.expires_at <= timezone.now() or not token.user.is_active:
        return None
    if not _password_unchanged(token):
        return None
    return token


def _password_unchanged(token: ApiToken) -> bool:
    """The marker is Django's session hash of the password, keyed by the secret key: after
    a rotation it was made with a key now in ``SECRET_KEY_FALLBACKS``, which Django's own
    session check accepts too (``get_user``), so a token is not lost to a rotation either."""
    user = token.user
    return any(secrets.compare_digest(token.password_marker,
                                      user._get_session_auth_hash(secret=key))
               for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


def revoke(token: ApiToken, actor) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    record(f"account:{token.user_id}", "account.token_revoked", actor=actor,
           data={"token": token.pk, "prefix": token.prefix})


def revoke_all(user, actor=None) -> int:
    """Revoke every live token of ``user``; the number revoked."""
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    record(f"account:{user.pk}", "account.tokens_revoked", actor=actor,
           actor_label="" if actor else "operator", data={"count": count})
    return count
