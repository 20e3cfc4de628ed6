"""Token authentication with the ``Authorization: Bearer <token>`` header."""

from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    keyword = "Bearer"
