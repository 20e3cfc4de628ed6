"""``POST /api/v1/departments/<code>/callbacks/`` — a department reports a late result
(部门回调, docs/department-protocol.md §4).

No user signs in here: the department's signature over the exact bytes is the
authentication (:mod:`yilian.departments.callbacks`), so the view takes the raw body,
never DRF's parsed copy, and has no session (and so no CSRF check).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from yilian.api.licenses import RawJSONParser
from yilian.departments.callbacks import CallbackRefused, receive

Recorded = inline_serializer("DepartmentCallbackRecorded", {
    "protocol": serializers.CharField(), "status": serializers.CharField(),
    "key": serializers.CharField(),
    "duplicate": serializers.BooleanField(help_text="the step already had this result"),
})
# The protocol's error answer, which is also the API's error shape (``errors``): a
# body the request guard refuses before this view is reached carries ``errors`` alone.
Refused = inline_serializer("DepartmentCallbackRefused", {
    "protocol": serializers.CharField(required=False),
    "status": serializers.CharField(required=False),
    "error": serializers.CharField(required=False, help_text="signature, timestamp, "
                                   "replayed, unknown_department, unknown_key, "
                                   "conflicting_result, malformed"),
    "message_zh": serializers.CharField(required=False),
    "message_en": serializers.CharField(required=False),
    "errors": serializers.ListField(child=inline_serializer("DepartmentCallbackError", {
        name: serializers.CharField() for name in ("field", "code", "message_zh",
                                                   "message_en")})),
})
_SIGNED = [OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
                            description=text)
           for name, text in (("X-Yilian-Timestamp", "Unix seconds, UTC"),
                              ("X-Yilian-Signature", "v1=<hex HMAC-SHA256>, see "
                               "docs/department-protocol.md §2"))]


class DepartmentCallback(APIView):
    """部门回调 — a signed late result (done or refused) for a step a department accepted."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [RawJSONParser]

    @extend_schema(
        operation_id="department_callback", tags=["departments"], parameters=_SIGNED,
        request=OpenApiTypes.OBJECT,
        responses={200: Recorded,
                   **{code: OpenApiResponse(Refused, description=text) for code, text in (
                       (400, "malformed body"),
                       (401, "forged, mis-signed or stale"),
                       (404, "unknown department or key"),
                       (409, "replayed, or a different result than the one recorded"))}})
    def post(self, request, code: str):
        body = request.data if isinstance(request.data, bytes) else b""
        try:
            answer = receive(code, request.headers, request.get_full_path(), body)
        except CallbackRefused as exc:
            return Response(exc.body(), status=exc.status)
        return Response(answer)
