"""``POST /api/v1/auth/token/`` — username and password in, a bearer token out."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from yilian.api.errors import FieldErrors, field_error


class Credentials(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)


class ObtainToken(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=Credentials,
                   responses=inline_serializer("Token", {"token": serializers.CharField()}))
    def post(self, request):
        credentials = Credentials(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request, **credentials.validated_data)
        if user is None:
            raise FieldErrors([field_error("password", "invalid_credentials",
                                           "用户名或密码错误",
                                           "wrong username or password")])
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
