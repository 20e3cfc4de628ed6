"""Read-only admin for issued licenses: a license never changes after issue."""

from django.contrib import admin

from yilian.admin import ReadOnlyAdminMixin
from yilian.licenses.models import License


@admin.register(License)
class LicenseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("uscc", "__str__", "key_id", "issued_at")
    search_fields = ("uscc",)
    readonly_fields = ("application", "enterprise", "uscc", "fields", "signed", "key_id",
                       "issued_at")
