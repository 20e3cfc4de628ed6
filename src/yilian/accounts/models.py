"""Accounts' own data: one-time sign-in codes and the message outbox (消息发件箱).

Yilian never talks to an SMS gateway directly: a message is a row in the outbox, written
in the same transaction as the code or the milestone it carries, and the delivery worker
hands it to the configured provider (:mod:`yilian.notices`) — or, in the demo and by
default, it stays here for a person to read at ``/outbox/``. A message is therefore never
lost and never sent for a change that was rolled back; the row records its delivery.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop


class Delivery(models.TextChoices):
    """Where a message stands with the SMS provider (短信通道)."""

    HELD = "held", gettext_noop("留在发件箱")  # no provider configured: the demo, default
    PENDING = "pending", gettext_noop("待发送")
    SENT = "sent", gettext_noop("已发送")
    FAILED = "failed", gettext_noop("发送失败")


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
    # A milestone's text (notices.notify) names its application (kept when a draft is
    # deleted: the row records what was sent) and an idempotency key
    # (application, milestone, n): a re-run of the transition cannot text twice.
    application = models.ForeignKey("forms.Application", on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="texts")
    kind = models.CharField(max_length=24, blank=True)
    key = models.CharField(max_length=160, blank=True)
    # Delivery, recorded on the row itself (the outbox row is the record).
    status = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.HELD)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_ref = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key"], condition=~Q(key=""),
                                               name="one_message_per_key")]
        indexes = [models.Index(fields=["status", "next_attempt_at"],
                                name="outbox_due")]

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
