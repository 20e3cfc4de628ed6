"""The department console over the API, for the same people as the page (部门工作台):
``GET /api/v1/departments/`` — per department of the caller's (an officer's; every
department for a superuser): circuit, last error, steps waiting, last reconciliation;
``POST /api/v1/departments/{code}/retry-failed/`` — ask every failed step of one
department again (its officers only: 403 for anyone else, 404 for no such department).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from yilian.accounts.permissions import is_officer
from yilian.chain import manual
from yilian.departments import registry
from yilian.workbench import queries

Circuit = inline_serializer("DepartmentCircuit", {
    "state": serializers.ChoiceField(choices=["closed", "open"]),
    "opened_at": serializers.DateTimeField(allow_null=True),
    "consecutive_failures": serializers.IntegerField(),
    "last_error": serializers.CharField(allow_blank=True),
    "last_error_at": serializers.DateTimeField(allow_null=True),
    "last_success_at": serializers.DateTimeField(allow_null=True),
})
LastReconciliation = inline_serializer("DepartmentReconciliation", {
    "ran_at": serializers.DateTimeField(),
    "reachable": serializers.BooleanField(),
    "agrees": serializers.BooleanField(),
    "missing": serializers.IntegerField(),
    "extra": serializers.IntegerField(),
    "mismatched": serializers.IntegerField(),
}, allow_null=True)
Panel = inline_serializer("DepartmentPanel", {
    "code": serializers.CharField(),
    "circuit": Circuit,
    "steps_waiting": serializers.DictField(child=serializers.IntegerField(),
                                           help_text="retrying, waiting, failed"),
    "reconciliation": LastReconciliation,
})
Retried = inline_serializer("DepartmentRetried", {"retried": serializers.IntegerField()})


def _panel(panel: queries.Panel) -> dict:
    health, run = panel.health, panel.reconciliation
    return {
        "code": panel.code,
        "circuit": {
            "state": health.state if health else "closed",
            "opened_at": health.opened_at if health else None,
            "consecutive_failures": health.consecutive_failures if health else 0,
            "last_error": health.last_error if health else "",
            "last_error_at": health.last_error_at if health else None,
            "last_success_at": health.last_success_at if health else None,
        },
        "steps_waiting": panel.counts,
        "reconciliation": None if run is None else {
            "ran_at": run.ran_at, "reachable": run.reachable, "agrees": run.agrees,
            "missing": run.missing, "extra": run.extra, "mismatched": run.mismatched},
    }


class DepartmentList(APIView):
    """部门状态 — the caller's departments, as the console shows them."""

    @extend_schema(responses={200: serializers.ListSerializer(child=Panel)})
    def get(self, request):
        if not is_officer(request.user):
            raise PermissionDenied("department officers only")
        panels = queries.department_panels(request.user)
        return Response([_panel(p) for p in panels])


class RetryFailed(APIView):
    """全部重新提交 — every failed step of one department, asked again now."""

    @extend_schema(request=None, responses={200: Retried})
    def post(self, request, code):
        if code not in registry.departments():
            raise NotFound("no such department")
        return Response({"retried": manual.retry_failed(code, request.user)})


urlpatterns = [
    path("departments/", DepartmentList.as_view(), name="departments"),
    path("departments/<slug:code>/retry-failed/", RetryFailed.as_view(),
         name="department-retry-failed"),
]
