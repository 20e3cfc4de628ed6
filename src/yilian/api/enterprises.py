"""Enterprises after registration (企业登记信息): ``GET /api/v1/enterprises/{uscc}/`` —
status, kind, every registration event and the licenses issued (docs/API.md).

Who reads it: as for the license (:func:`yilian.forms.access.can_read_license`) — the
owner of the application that registered it, window staff and registration officers;
an imported enterprise, which no applicant of Yilian's owns, window staff only. Anyone
else gets 404, as for an enterprise that does not exist: the public checks a license
through ``/verify/``."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from yilian.accounts.permissions import has_role
from yilian.codes.errors import fold_width
from yilian.forms.access import WINDOW_ROLES, can_read_license
from yilian.licenses.services import version_links
from yilian.refdata import kinds
from yilian.registry import history
from yilian.registry.models import Enterprise, EnterpriseStatus, EventKind


class EventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    kind_label = serializers.CharField()
    at = serializers.CharField(allow_null=True, help_text="ISO 8601 time (a date for an "
                               "imported enterprise's establishment)")
    application = serializers.UUIDField(allow_null=True)
    changes = serializers.DictField(child=serializers.ListField(),
                                    help_text="field → [before, after]")
    source = serializers.CharField(help_text="yilian, or import: what the source register said")


class EnterpriseLicenseSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["current", "superseded", "revoked"])
    issued_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True,
                                         help_text="when it was superseded or revoked")
    pdf_url = serializers.URLField()
    json_url = serializers.URLField()


class EnterpriseSerializer(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=EnterpriseStatus.choices)
    kind = serializers.CharField(help_text="the kind of market entity (org_form)")
    kind_name = serializers.DictField(child=serializers.CharField(), allow_null=True)
    established = serializers.DateField(allow_null=True)
    division_code = serializers.CharField()
    history = EventSerializer(many=True)
    licenses = EnterpriseLicenseSerializer(many=True)


class EnterpriseDetail(APIView):
    """One enterprise in the register, with its history and licenses."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: EnterpriseSerializer, 404: None})
    def get(self, request, uscc: str):
        enterprise = (Enterprise.objects.select_related("application")
                      .prefetch_related("events")
                      .filter(uscc=fold_width(uscc).strip().upper()).first())
        if enterprise is None or not _may_read(request.user, enterprise):
            raise NotFound
        return Response(_summary(enterprise, request))


def _summary(enterprise: Enterprise, request) -> dict:
    kind = kinds.all_kinds().get(enterprise.org_form)
    return {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "status": enterprise.status,
        "kind": enterprise.org_form,
        "kind_name": {"zh": kind.zh, "en": kind.en} if kind else None,
        "established": enterprise.established.isoformat() if enterprise.established else None,
        "division_code": enterprise.division_code,
        "history": [entry.as_dict() for entry in history.timeline(enterprise)],
        "licenses": _licenses(enterprise, request),
    }


def _licenses(enterprise: Enterprise, request) -> list[dict]:
    """Each license issued here, newest first: the one in force (``current``), those a
    change replaced (``superseded``), the last one once the enterprise closed
    (``revoked``), each with its own files."""
    return [{"version": lic.version, "status": lic.status,
             "issued_at": lic.issued_at.isoformat(),
             "ended_at": lic.ended_at.isoformat() if lic.ended_at else None,
             **version_links(lic, request)}
            for lic in enterprise.licenses.order_by("-version")]


def _may_read(user, enterprise: Enterprise) -> bool:
    if enterprise.application is None:
        return has_role(user, *WINDOW_ROLES) or user.is_superuser
    return can_read_license(user, enterprise.application)


# Spread into yilian.api.urls (``*enterprises.urlpatterns``).
urlpatterns = [
    path("enterprises/<str:uscc>/", EnterpriseDetail.as_view(), name="enterprise-detail"),
]
