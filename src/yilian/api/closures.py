"""注销 over REST (docs/API.md, DESIGN.md §5):

- ``POST /enterprises/{uscc}/closures/`` with ``{"route": "simplified", "debts":
  "none"|"settled"}`` or ``{"route": "general", "liquidation_group": [{"name",
  "id_number", "leader"}], "liquidation_report": "…"}`` → 201, the closing application
  (pre-filled with what is registered; then the same parties / submit flow), with its
  ``closure``. The enterprise's owner or a clerk at the counter; 404 to whoever may not
  read the enterprise, 403 to others who may, 409 when it cannot close now.
- ``GET|PATCH /applications/{id}/closure/`` — the closing's own particulars (``debts``,
  ``liquidation_report``) and where it stands, with its notices.
- ``GET /gazette/`` (public) — the notices (公示), newest first: ``?q=`` name or code,
  ``?zone=`` division code (or its prefix), ``?page=``; ``POST /gazette/{id}/objections/``
  (public) with ``objector``, ``contact``, ``reason`` → 201; the closing stops until an
  examiner decides. 429 (``objection.too_many``) past ``YILIAN_OBJECTIONS_PER_CLIENT``
  objections from one address in an hour.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from yilian.accounts import roles
from yilian.accounts.permissions import has_role
from yilian.accounts.views import client_address
from yilian.api.applications import (
    ApplicationSerializer,
    Conflict,
    ErrorsSerializer,
    service_errors,
)
from yilian.api.enterprises import _may_read
from yilian.api.errors import FieldErrors, Throttled, field_error
from yilian.api.fields import Code, Text
from yilian.closing import gazette
from yilian.closing import services as closing
from yilian.closing.models import Closure, Debts, Notice, Route
from yilian.codes.errors import fold_width
from yilian.forms import afterwards
from yilian.forms import services as forms
from yilian.registry.models import Enterprise


class MemberSerializer(serializers.Serializer):
    name = Text(max_length=50)
    id_number = Code(max_length=18, upper=True)
    leader = serializers.BooleanField(default=False)


class OpenClosureSerializer(serializers.Serializer):
    route = serializers.ChoiceField(choices=Route.choices)
    debts = serializers.ChoiceField(choices=Debts.choices, required=False)
    liquidation_group = MemberSerializer(many=True, required=False, max_length=50)
    liquidation_report = Text(max_length=5000, required=False, allow_blank=True)


class ClosureUpdateSerializer(serializers.Serializer):
    debts = serializers.ChoiceField(choices=Debts.choices, required=False)
    liquidation_report = Text(max_length=5000, required=False, allow_blank=True)


class ObjectionSerializer(serializers.Serializer):
    objector = Text(max_length=100)
    contact = Text(max_length=40)
    reason = Text(max_length=2000)


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["simplified", "creditors"])
    kind_label = serializers.CharField()
    uscc = serializers.CharField()
    name = serializers.CharField()
    division_code = serializers.CharField()
    text = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    open = serializers.BooleanField(help_text="the notice runs now")
    objections = serializers.IntegerField(help_text="objections filed and not dismissed")


class ClosureSerializer(serializers.Serializer):
    route = serializers.ChoiceField(choices=Route.choices)
    debts = serializers.CharField(help_text="none, settled, or empty (general route)")
    stage = serializers.ChoiceField(choices=["draft", "notice", "objected", "chain",
                                             "refused"])
    liquidation_group = MemberSerializer(many=True)
    group_filed_at = serializers.DateTimeField(allow_null=True)
    liquidation_report = serializers.CharField()
    notices = NoticeSerializer(many=True)


class GazettePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = NoticeSerializer(many=True)


class ObjectionAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    verdict = serializers.CharField(help_text="pending until an examiner decides")
    filed_at = serializers.DateTimeField()


def closure_summary(closure: Closure) -> dict:
    """What the API says of a closing beside its form."""
    return {"route": closure.route, "debts": closure.debts, "stage": closure.stage,
            "liquidation_group": closure.liquidation_group,
            "group_filed_at": closure.group_filed_at,
            "liquidation_report": closure.liquidation_report,
            "notices": [gazette.as_dict(n) for n in closure.notices.order_by("starts_at")]}


def _errors(exc) -> FieldErrors:
    return FieldErrors(exc.errors)


class EnterpriseClosures(APIView):
    """注销 — open a closing for an enterprise."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=OpenClosureSerializer, responses={201: ApplicationSerializer})
    def post(self, request, uscc: str):
        enterprise = Enterprise.objects.filter(uscc=fold_width(uscc).strip().upper()).first()
        if enterprise is None or not _may_read(request.user, enterprise):
            raise exceptions.NotFound
        owner = enterprise.application and enterprise.application.owner_id == request.user.pk
        if not (owner or has_role(request.user, roles.CLERK)):
            raise exceptions.PermissionDenied("the owner or a clerk at the counter")
        body = OpenClosureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            application = closing.open_closure(
                enterprise, request.user, data["route"], debts=data.get("debts", ""),
                debts_later=True,
                liquidation_group=data.get("liquidation_group"),
                liquidation_report=data.get("liquidation_report", ""))
        except afterwards.CannotOpen as exc:
            raise Conflict([field_error("uscc", exc.code, exc.message_zh,
                                        exc.message_en)]) from exc
        except closing.ClosingError as exc:
            raise _errors(exc) from exc
        return Response(_application(request, application), status=status.HTTP_201_CREATED)


def _application(request, application) -> dict:
    fresh = forms.application_queryset().get(pk=application.pk)
    body = dict(ApplicationSerializer(fresh, context={"request": request}).data)
    body["closure"] = closure_summary(fresh.closure)
    return body


class ApplicationClosure(APIView):
    """A closing application's own particulars."""

    permission_classes = [IsAuthenticated]

    def _closure(self, request, pk) -> Closure:
        application = get_object_or_404(forms.visible_to(request.user), pk=pk)
        closure = Closure.objects.filter(application=application).first()
        if closure is None:
            raise exceptions.NotFound
        return closure

    @extend_schema(responses={200: ClosureSerializer})
    def get(self, request, pk):
        return Response(closure_summary(self._closure(request, pk)))

    @extend_schema(request=ClosureUpdateSerializer, responses={200: ClosureSerializer})
    def patch(self, request, pk):
        closure = self._closure(request, pk)
        body = ClosureUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            try:
                closure = closing.update_closure(closure.application, request.user,
                                                 body.validated_data)
            except closing.ClosingError as exc:
                raise _errors(exc) from exc
        return Response(closure_summary(closure))


class GazetteList(APIView):
    """公示 — the public notices of closings."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: GazettePageSerializer})
    def get(self, request):
        page = gazette.search(request.GET.get("q", ""), request.GET.get("zone", ""),
                              request.GET.get("page", 1))
        return Response({"count": page.paginator.count, "page": page.number,
                         "pages": page.paginator.num_pages,
                         "results": [gazette.as_dict(n) for n in page]})


class GazetteObjections(APIView):
    """异议 — anyone objects to a simplified closing during its notice."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=ObjectionSerializer, responses={
        201: ObjectionAnswerSerializer, 400: ErrorsSerializer, 404: ErrorsSerializer,
        429: ErrorsSerializer})
    def post(self, request, pk: int):
        notice = get_object_or_404(Notice, pk=pk)
        body = ObjectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            objection = closing.object_to(notice, **body.validated_data,
                                          client=client_address(request))
        except closing.ObjectionRefused as exc:
            if exc.retry_after:
                raise Throttled(exc.errors, wait=exc.retry_after) from exc
            raise _errors(exc) from exc
        return Response({"id": objection.pk, "verdict": objection.verdict,
                         "filed_at": objection.filed_at}, status=status.HTTP_201_CREATED)


# Spread into yilian.api.urls (``*closures.urlpatterns``).
urlpatterns = [
    path("enterprises/<str:uscc>/closures/", EnterpriseClosures.as_view(),
         name="enterprise-closures"),
    path("applications/<uuid:pk>/closure/", ApplicationClosure.as_view(),
         name="application-closure"),
    path("gazette/", GazetteList.as_view(), name="gazette"),
    path("gazette/<int:pk>/objections/", GazetteObjections.as_view(),
         name="gazette-objections"),
]
