"""Departments in the admin: the simulators' settings are edited here while Yilian runs
(trainers, operators); the circuits and reconciliation runs are only looked at — they
change through the engine, the probe and ``yilian reconcile``."""

from django.contrib import admin

from yilian.admin import ReadOnlyAdminMixin
from yilian.departments.models import DepartmentHealth, Reconciliation, SimulatorSettings


@admin.register(SimulatorSettings)
class SimulatorSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "latency_ms", "failure_rate", "outages", "updated_at")
    fields = ("latency_ms", "failure_rate", "outages")

    def has_add_permission(self, request) -> bool:
        # One row: add it the first time, change it afterwards.
        return not SimulatorSettings.objects.exists() and super().has_add_permission(request)


@admin.register(DepartmentHealth)
class DepartmentHealthAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "state", "consecutive_failures", "opened_at", "last_error_at",
                    "last_success_at", "last_probe_at")


@admin.register(Reconciliation)
class ReconciliationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "ran_at", "reachable", "steps", "effects", "missing", "extra",
                    "mismatched")
    list_filter = ("code", "reachable")
