"""``/api/v1/auth/token/`` — ``POST`` username and password (and, for staff when the
second factor is on, ``otp``) in, a bearer token out; ``DELETE`` revokes the token the
request is made with.

Wrong credentials and a locked account answer the same 400 shape; a locked account says
so whatever the password was (:mod:`yilian.accounts.lockout`).
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from yilian.accounts import lockout, second_factor, tokens
from yilian.accounts.backends import client_of
from yilian.accounts.models import ApiToken
from yilian.api.applications import ErrorsSerializer
from yilian.api.auth import BearerTokenAuthentication
from yilian.api.errors import FieldErrors, field_error


class Credentials(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(trim_whitespace=False, max_length=4096)
    otp = serializers.CharField(required=False, allow_blank=True, max_length=16,
                                help_text="Staff, when the second factor is on: the "
                                          "6-digit code from their authenticator (TOTP)")


TokenAnswer = inline_serializer("Token", {
    "token": serializers.CharField(),
    "expires_at": serializers.DateTimeField(),
})


def _refused(error) -> FieldErrors:
    field = "otp" if isinstance(error, second_factor.SecondFactorError) else "password"
    return FieldErrors([field_error(field, error.code, error.message_zh, error.message_en)])


class ObtainToken(APIView):
    permission_classes = [AllowAny]
    authentication_classes = [BearerTokenAuthentication]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    def get_authenticators(self):
        # Signing in needs no credentials but the body's; only DELETE reads the header
        # (so a stale token in a client's header never blocks getting a new one).
        if getattr(self, "request", None) is not None and self.request.method != "DELETE":
            return []
        return super().get_authenticators()

    @extend_schema(request=Credentials, responses={200: TokenAnswer, 400: ErrorsSerializer})
    def post(self, request):
        credentials = Credentials(data=request.data)
        credentials.is_valid(raise_exception=True)
        username = credentials.validated_data["username"]
        try:
            user = authenticate(request, username=username,
                                password=credentials.validated_data["password"])
        except PermissionDenied:
            user = None
        refusal = getattr(request, "sign_in_refusal", None)
        if refusal is not None:
            raise _refused(refusal)
        if user is None:
            raise FieldErrors([field_error("password", "invalid_credentials",
                                           "用户名或密码错误", "wrong username or password")])
        if second_factor.required(user):
            try:
                second_factor.verify(user, credentials.validated_data.get("otp", ""))
            except second_factor.SecondFactorError as error:
                lockout.failed(username, client_of(request._request))
                raise _refused(error) from error
        lockout.succeeded(username)
        key, token = tokens.issue(user)
        return Response({"token": key, "expires_at": token.expires_at})

    @extend_schema(request=None, responses={204: None, 401: ErrorsSerializer})
    def delete(self, request):
        """Revoke the bearer token this request is made with (sign out of the API)."""
        if not isinstance(request.auth, ApiToken):
            raise FieldErrors([field_error("", "not_a_token", "请使用要撤销的令牌发出此请求",
                                           "send this request with the token to revoke")])
        tokens.revoke(request.auth, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
