"""Accounts' own data: one-time sign-in codes and the message outbox (消息发件箱).

Yilian never talks to an SMS gateway directly: a message is a row in the outbox, written
in the same transaction as the code it carries, and a gateway adapter (or, in the demo,
a person reading ``/outbox/``) delivers it. A message is therefore never lost and never
sent for a code that was rolled back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OutboxMessage(models.Model):
    """消息 — one text message waiting for (or past) delivery."""

    channel = models.CharField(max_length=8, default="sms")
    to = models.CharField(max_length=32, db_index=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The code the body carries, kept in demo mode only (settings.DEMO_MODE) so trainers
    # and checks can read it from /api/v1/demo/outbox/; empty in production.
    code = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.to}"


class PhoneCode(models.Model):
    """验证码 — a one-time code sent to a phone; only its hash is kept."""

    phone = models.CharField(max_length=32, db_index=True)
    purpose = models.CharField(max_length=16, default="sign_in")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    client = models.CharField(max_length=64, blank=True, db_index=True,
                              help_text="The address that asked for it (rate limits).")
    # Which daily allowance of the number it used: sign-in codes and confirmation codes
    # are counted apart, so invitations can never lock a person out of signing in.
    quota = models.CharField(max_length=8, default="sign_in", db_index=True)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+",
                                help_text="The signed-in account that asked (rate limits).")

    class Meta:
        ordering = ["-created_at", "-id"]


class SignInFailure(models.Model):
    """登录失败 — one failed password (or second-factor) sign-in, kept in the database so
    that every web process and worker counts the same failures (the default cache is
    per process). See :mod:`yilian.accounts.lockout`."""

    username = models.CharField(max_length=150, db_index=True)
    client = models.CharField(max_length=64, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]


class ApiToken(models.Model):
    """API 令牌 — a bearer token for ``/api/v1/``. Only the SHA-256 of the key is kept
    (the key is 256 random bits, so a fast hash is enough: there is nothing to guess).

    A token dies when it expires, when it is revoked, and when its user's password
    changes (``password_marker`` is the session auth hash at issue, as Django's own
    sessions do)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to "
                              "tell tokens apart in the admin without revealing them.")
    password_marker = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
