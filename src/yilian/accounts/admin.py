"""API tokens in the Django admin: listed (never their keys — only hashes are kept) and
revoked by an administrator with the ``accounts.change_apitoken`` permission."""

from __future__ import annotations

from django.contrib import admin

from yilian.accounts import tokens
from yilian.accounts.models import ApiToken


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
