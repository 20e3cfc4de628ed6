"""API tokens in the Django admin: listed (never their keys — only hashes are kept) and
revoked by an administrator with the ``accounts.change_apitoken`` permission."""

from __future__ import annotations

from django.contrib import admin

from yilian.accounts import tokens
from yilian.accounts.models import ApiToken, OutboxMessage


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "prefix")
    readonly_fields = ("user", "prefix", "key_hash", "password_marker", "created_at",
                       "expires_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are issued by signing in, to their user only

    @admin.action(description="撤销所选令牌 Revoke the selected tokens",
                  permissions=["change"])
    def revoke(self, request, queryset) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            tokens.revoke(token, request.user)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """短信发件箱 — every text and where it stands with the provider: a failed one is
    found here (filter by status), with the provider's answer."""

    list_display = ("created_at", "to", "kind", "status", "attempts", "delivered_at",
                    "last_error")
    list_filter = ("status", "kind")
    search_fields = ("to", "provider_ref")
    readonly_fields = ("channel", "to", "body", "code", "application", "kind", "key",
                       "created_at", "delivered_at", "status", "attempts",
                       "next_attempt_at", "provider_ref", "last_error")

    def has_add_permission(self, request) -> bool:
        return False  # texts are written by the services that make the milestones
