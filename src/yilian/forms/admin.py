"""Read-only admin for applications (设立登记申请).

Applications change only through :mod:`yilian.forms.services` and the workbench, which
check permissions and write the audit trail; the admin is for looking, not editing.
"""

from django.contrib import admin

from yilian.admin import ReadOnlyAdminMixin
from yilian.forms.models import Application, Employee, Investor, Person


class InvestorInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Investor
    fields = ("position", "kind", "name", "id_number", "uscc", "amount",
              "contribution_date", "contribution_method")


class PersonInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Person
    fields = ("position", "role", "name", "id_number", "phone", "email")


class EmployeeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Employee
    fields = ("position", "name", "id_number", "monthly_wage", "start_date")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "status", "org_form", "division_code", "owner", "uscc",
                    "created_at", "accepted_at")
    list_filter = ("status", "org_form", "division_code")
    search_fields = ("name", "uscc", "owner__username")
    date_hierarchy = "created_at"
    inlines = (InvestorInline, PersonInline, EmployeeInline)
