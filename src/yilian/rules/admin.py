"""Zone administrators amend the business-scope catalogue and the negative list here, with
an effective date; decisions already taken keep the editions they recorded."""

from django.contrib import admin

from yilian.admin import ReadOnlyAdminMixin
from yilian.rules.models import (
    AdmissionDecision,
    CatalogueAmendment,
    NegativeListAmendment,
    PermitCheck,
    PostVerification,
)


class AmendmentAdmin(admin.ModelAdmin):
    """Amendments are dated and signed: who made one is recorded on first save."""

    date_hierarchy = "effective_from"

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)


@admin.register(CatalogueAmendment)
class CatalogueAmendmentAdmin(AmendmentAdmin):
    list_display = ("entry_id", "text", "kind", "timing", "department", "commitment",
                    "effective_from", "created_by")
    list_filter = ("kind", "timing", "commitment")
    search_fields = ("entry_id", "text", "department")


@admin.register(NegativeListAmendment)
class NegativeListAmendmentAdmin(AmendmentAdmin):
    list_display = ("item_id", "text", "kind", "commitment", "withdrawn", "effective_from",
                    "created_by")
    list_filter = ("kind", "commitment", "withdrawn")
    search_fields = ("item_id", "text", "note")


@admin.register(AdmissionDecision)
class AdmissionDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("application", "outcome", "decided_at")
    list_filter = ("outcome",)


@admin.register(PostVerification)
class PostVerificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("application", "department", "subject", "due_on", "done_at")
    list_filter = ("department",)


@admin.register(PermitCheck)
class PermitCheckAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """许可核验: every permit given, the department's answer, and who relied on it."""

    list_display = ("number", "permit", "department", "answer", "checked_by", "examiner",
                    "asked_at")
    list_filter = ("answer", "checked_by", "department")
    search_fields = ("number",)
