"""``POST /api/v1/applications/{id}/withdraw/`` — 撤回: the applicant takes back an
application not yet accepted (draft, submitted, in review or returned) → 200 with the
application (``status`` ``withdrawn``); the name it held is released. Someone else's
application answers 404 (staff: 403 — they return or reject instead), an accepted,
rejected, withdrawn or expired one 409."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from yilian.api.applications import ApplicationSerializer, ErrorsSerializer, service_errors
from yilian.forms import lifecycle, services


class WithdrawApplication(APIView):
    """撤回申请 — withdraw one of your applications before it is accepted."""

    @extend_schema(request=None, responses={200: ApplicationSerializer,
                                            403: ErrorsSerializer, 404: ErrorsSerializer,
                                            409: ErrorsSerializer})
    def post(self, request, pk):
        application = get_object_or_404(services.visible_to(request.user), pk=pk)
        with service_errors():
            lifecycle.withdraw_application(application, request.user)
        fresh = services.visible_to(request.user).get(pk=pk)
        return Response(ApplicationSerializer(fresh, context={"request": request}).data,
                        status=status.HTTP_200_OK)


urlpatterns = [
    path("applications/<uuid:pk>/withdraw/", WithdrawApplication.as_view(),
         name="application-withdraw"),
]
