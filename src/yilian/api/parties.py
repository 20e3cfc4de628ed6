"""Parties' consent (实名确认) over REST, and the demo's outbox.

- ``GET /applications/{id}/parties/`` — each natural person the application names, once
  (``id``, ``name``, ``roles``, ``confirmed_at`` — null until they confirm this version
  of the form — ``state``, the masked ``phone``, ``invited_at``, ``confirmed_via``).
- ``POST /applications/{id}/parties/{party_id}/invite/`` — check the party's identity
  and send them a code (also to re-send one) → 200 with the party; 400 with the field
  that failed the identity check, 429 past a text-message limit, 503 when the identity
  service cannot answer (try again).
- ``POST /applications/{id}/parties/{party_id}/confirm/`` with ``{"code": "…"}`` → 200;
  the applicant confirming their own party (their account's phone is the party's) may
  leave the code out.
- ``GET /demo/outbox/`` — demo mode only (404 otherwise): the texts sent, newest first,
  each with the ``code`` it carries, so trainers and checks can read codes.

The rules are in :mod:`yilian.forms.parties` and :mod:`yilian.forms.consent`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from yilian.accounts import services as accounts
from yilian.accounts.models import OutboxMessage
from yilian.accounts.views import client_address
from yilian.api.applications import Conflict, ErrorsSerializer
from yilian.api.errors import FieldErrors, Throttled, field_error
from yilian.forms import consent, parties, services
from yilian.forms.models import Application, Party

# Refusals that are about sending too much, not about the input: 429, so clients back off.
_LIMITS = {"phone.too_soon", "phone.daily_limit", "client.too_many", "account.too_many",
           "identity.too_many"}


class Unavailable(FieldErrors):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


class PartySerializer(serializers.ModelSerializer):
    """当事人 — a natural person named in the application, and whether they confirmed."""

    roles = serializers.ListField(child=serializers.CharField(), help_text=(
        "investor, corporate_signatory, legal_representative, director, supervisor, "
        "manager, financial_officer, tax_handler, contact"))
    confirmed_at = serializers.SerializerMethodField(
        help_text="When they confirmed this version of the form; null until then")
    state = serializers.SerializerMethodField(help_text="pending, confirmed or stale")
    phone = serializers.SerializerMethodField(help_text="Masked: 139****0001")

    class Meta:
        model = Party
        fields = ["id", "name", "roles", "confirmed_at", "state", "phone", "invited_at",
                  "confirmed_via"]

    def _state(self, party: Party) -> str:
        return parties.state(party, self.context.get("digest"))

    def get_state(self, party: Party) -> str:
        return self._state(party)

    def get_confirmed_at(self, party: Party) -> str | None:
        if self._state(party) != "confirmed":
            return None
        return serializers.DateTimeField().to_representation(party.confirmed_at)

    def get_phone(self, party: Party) -> str:
        return f"{party.phone[:3]}****{party.phone[-4:]}" if len(party.phone) >= 7 else ""


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except parties.PartyError as exc:
        kind = Unavailable if exc.code == "identity.unavailable" else (
            Throttled if exc.code in _LIMITS else FieldErrors)
        raise kind([exc.as_field_error()]) from exc
    except accounts.CodeError as exc:
        kind = Throttled if exc.code in _LIMITS else FieldErrors
        field = "code" if exc.code.startswith("code.") else "phone"
        raise kind([field_error(field, exc.code, exc.message_zh, exc.message_en)]) from exc
    except services.NotEditable as exc:
        raise Conflict([field_error("status", exc.code, exc.message_zh,
                                    exc.message_en)]) from exc
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc


def _application(request, pk) -> Application:
    return get_object_or_404(services.visible_to(request.user), pk=pk)


def _party(request, pk, party_id) -> Party:
    return get_object_or_404(Party.objects.select_related("application"),
                             application=_application(request, pk), pk=party_id)


def _answer(party: Party) -> Response:
    party = Party.objects.select_related("application").get(pk=party.pk)
    return Response(PartySerializer(party).data)


class PartyList(APIView):
    """当事人 — who must confirm the application, and who has."""

    @extend_schema(responses={200: PartySerializer(many=True), 404: ErrorsSerializer})
    def get(self, request, pk):
        application = _application(request, pk)
        digest = parties.form_digest(application)
        rows = Party.objects.filter(application=application).select_related("application")
        return Response(PartySerializer(rows, many=True, context={"digest": digest}).data)


class PartyInvite(APIView):
    """邀请确认 — send the party a code and their link (again, to re-send)."""

    @extend_schema(request=None, responses={
        200: PartySerializer, 400: ErrorsSerializer, 403: ErrorsSerializer,
        404: ErrorsSerializer, 409: ErrorsSerializer, 429: ErrorsSerializer,
        503: ErrorsSerializer})
    def post(self, request, pk, party_id):
        party = _party(request, pk, party_id)
        with _refusals():
            consent.invite(party, request.user, client_address(request))
        return _answer(party)


class ConfirmBody(serializers.Serializer):
    """确认 — the code sent to the party; left out when the caller is the party."""

    code = serializers.CharField(required=False, allow_blank=True, max_length=12)


class PartyConfirm(APIView):
    """确认 — the party confirms with the code sent to them (or, signed in as the party,
    without one)."""

    @extend_schema(request=ConfirmBody, responses={
        200: PartySerializer, 400: ErrorsSerializer, 403: ErrorsSerializer,
        404: ErrorsSerializer, 409: ErrorsSerializer, 503: ErrorsSerializer})
    def post(self, request, pk, party_id):
        party = _party(request, pk, party_id)
        body = ConfirmBody(data=request.data)
        body.is_valid(raise_exception=True)
        code = body.validated_data.get("code", "")
        with _refusals():
            services.check_can_edit(party.application, request.user)
            if code:
                consent.confirm_with_code(party, code, request.user)
            else:
                consent.confirm_signed_in(party, request.user)
        return _answer(party)


class OutboxSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="to")
    text = serializers.CharField(source="body")
    code = serializers.CharField(allow_null=True, help_text="The code the text carries")
    sent_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = OutboxMessage
        fields = ["phone", "text", "code", "sent_at"]

    def to_representation(self, message):
        data = super().to_representation(message)
        data["code"] = data["code"] or None
        return data


class DemoOutbox(APIView):
    """演示短信发件箱 — demo mode only: the texts 'sent', newest first (``?phone=`` to
    pick one number); 404 anywhere else."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("phone", str, required=False)],
                   responses={200: OutboxSerializer(many=True), 404: ErrorsSerializer})
    def get(self, request):
        if not settings.DEMO_MODE:
            raise Http404
        messages = OutboxMessage.objects.all()
        if request.query_params.get("phone"):
            messages = messages.filter(to=request.query_params["phone"])
        return Response(OutboxSerializer(messages[:200], many=True).data)
