"""Read-only admin for the register of market entities (企业登记簿).

Entries come from registration (the chain's first step) or from ``yilian
import-registry``; editing one by hand would let the name index and the licenses
disagree with the register, so the admin only looks.
"""

from django.contrib import admin

from yilian.admin import ReadOnlyAdminMixin
from yilian.registry.models import Enterprise, RegistrationEvent


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "uscc", "org_form", "status", "division_code", "industry_code",
                    "established", "source")
    list_filter = ("status", "source", "division_code")
    search_fields = ("name", "uscc")
    date_hierarchy = "established"
    raw_id_fields = ("application",)


@admin.register(RegistrationEvent)
class RegistrationEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("enterprise", "kind", "at", "application")
    list_filter = ("kind",)
    search_fields = ("enterprise__name", "enterprise__uscc")
    raw_id_fields = ("enterprise", "application")
