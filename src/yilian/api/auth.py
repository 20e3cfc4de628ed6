"""Token authentication with the ``Authorization: Bearer <token>`` header (DESIGN.md §5).

Tokens are :class:`yilian.accounts.models.ApiToken` rows, looked up by the key's hash
(:mod:`yilian.accounts.tokens`): an unknown, expired, revoked or password-stale token
answers 401 with ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from yilian.accounts import tokens

KEYWORD = "Bearer"


class BearerTokenAuthentication(BaseAuthentication):
    keyword = KEYWORD

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid Authorization header: expected 'Bearer <token>'.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        token = tokens.find(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class BearerScheme(OpenApiAuthenticationExtension):
    """How the schema documents the bearer token (an HTTP bearer scheme)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A token from POST /api/v1/auth/token/"}
