"""License endpoints: verify a signed license (anyone), download one (its owner and the
roles that handle it: :func:`yilian.forms.access.can_read_license`).

``POST /api/v1/licenses/verify/`` answers 200 with the verdict for any JSON object, so a
client tells "verified, and it is forged" from "could not ask"; only a body that is not a
JSON object is a 400. The body is checked as the bytes sent, not as DRF parsed them: the
license format allows exactly one spelling (RFC 8785), and a parser that quietly keeps the
last of two duplicate keys would verify something other than what was sent. The verdict
carries the content it verified (``content``), so a client relies on that, not on the
copy it sent. Downloads answer 404 rather than 403 to anyone else, so the API does not
reveal which codes have licenses here.
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from yilian.api.errors import FieldErrors, field_error
from yilian.codes.errors import fold_width
from yilian.licenses import pdf, signing, standing
from yilian.licenses.models import License
from yilian.licenses.services import can_download

Verdict = inline_serializer("LicenseVerdict", {
    "valid": serializers.BooleanField(),
    "code": serializers.CharField(help_text="machine-readable outcome: "
                                  + ", ".join(sorted(signing.REASONS))),
    "reason": serializers.CharField(help_text="中文原因 reason in Chinese"),
    "reason_en": serializers.CharField(help_text="reason in English"),
    "key_id": serializers.CharField(help_text="the signing key's id, as the document names it"),
    "status": serializers.ChoiceField(
        choices=standing.STATUSES, allow_null=True,
        help_text="执照状态 the license's standing in the register, beside a valid "
        "signature: current, superseded (a change reissued it) or revoked (the enterprise "
        "closed); null when the signature fails or this register issued no such license"),
    "content": serializers.DictField(
        allow_null=True, help_text="执照内容 the license content that was verified "
        "(docs/license-format.md); null unless valid"),
})


class RawJSONParser(BaseParser):
    """Hands the view the body's bytes: verification parses them itself, strictly."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return stream.read() if stream is not None else b""


class VerifyLicense(APIView):
    """核验电子营业执照 — check a signed license JSON against our trusted keys."""

    permission_classes = [AllowAny]
    authentication_classes: list = []  # public; also spares callers the CSRF dance
    parser_classes = [RawJSONParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: Verdict})
    def post(self, request):
        body = request.data if isinstance(request.data, bytes) else b""
        result = signing.check(body)
        if result.code == "not_json":
            raise ParseError()
        if result.code == "not_object":
            raise FieldErrors([field_error("", "not_object", "请求内容应为已签名的执照 JSON 对象",
                                           "the body must be a signed license JSON object")])
        return Response({"valid": result.valid, "code": result.code,
                         "reason": result.reason_zh, "reason_en": result.reason_en,
                         "key_id": result.key_id, "content": result.license,
                         "status": standing.standing(result.license) if result.valid else None})


class _AnyAccept(BaseContentNegotiation):
    """Downloads are files whatever the Accept header says; errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _Download(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _AnyAccept

    def license(self, request, uscc: str, version: int | None = None) -> License:
        """The latest license of ``uscc`` (in force, or the last before it closed), or
        the given ``version`` of it (``…/v{n}/``)."""
        found = License.objects.select_related("application").filter(
            uscc=fold_width(uscc).strip().upper())
        if version is not None:
            found = found.filter(version=version)
        lic = found.order_by("-version").first()
        if lic is None or not can_download(lic, request.user):
            raise NotFound
        return lic


class LicensePdf(_Download):
    """营业执照 PDF — rendered on first request, then served from the cache."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, uscc: str, version: int | None = None):
        lic = self.license(request, uscc, version)
        return FileResponse(pdf.cached_pdf(lic), content_type="application/pdf",
                            filename=f"{lic.uscc}{_suffix(lic)}.pdf")


class LicenseJson(_Download):
    """The signed license, byte for byte as signed (canonical JSON), for offline checks
    with ``yilian verify-license``."""

    @extend_schema(responses={(200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT)})
    def get(self, request, uscc: str, version: int | None = None):
        lic = self.license(request, uscc, version)
        response = HttpResponse(signing.canonical(lic.signed),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{lic.uscc}{_suffix(lic)}.license.json"')
        return response


def _suffix(lic: License) -> str:
    # Version 1 keeps the file name it always had; a reissue says which it is.
    return f".v{lic.version}" if lic.version > 1 else ""


# Spread into yilian.api.urls (``*licenses.urlpatterns``).
urlpatterns = [
    path("licenses/<str:uscc>/pdf/", LicensePdf.as_view(), name="license-pdf"),
    path("licenses/<str:uscc>/json/", LicenseJson.as_view(), name="license-json"),
    path("licenses/<str:uscc>/v<int:version>/pdf/", LicensePdf.as_view(),
         name="license-version-pdf"),
    path("licenses/<str:uscc>/v<int:version>/json/", LicenseJson.as_view(),
         name="license-version-json"),
]
