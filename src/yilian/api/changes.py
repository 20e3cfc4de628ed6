"""``POST /api/v1/enterprises/{uscc}/changes/`` — open a change of registration (变更登记,
or a filing 备案) of an enterprise in the register → 201, an application pre-filled with
what is registered; then the same PATCH / parties / submit flow as any application
(docs/API.md, docs/changes-and-closing.md).

Who: the enterprise's owner (the applicant who registered it), or window staff at the
counter, who open it for that owner (:func:`yilian.forms.counter.open_change`). Whoever
may not read the enterprise gets 404, as for one that does not exist; one who may read it
but not change it (a registration officer) 403. An enterprise that is not active, or
already has a change or closing under way, answers 409 naming why.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from yilian.accounts.permissions import has_role
from yilian.api.applications import ApplicationSerializer, Conflict, ErrorsSerializer
from yilian.api.enterprises import find_readable
from yilian.api.errors import field_error
from yilian.forms import afterwards, counter
from yilian.forms.access import WINDOW_ROLES
from yilian.forms.services import visible_to


class EnterpriseChanges(APIView):
    """变更登记 — open a change of this enterprise."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: ApplicationSerializer, 403: ErrorsSerializer,
                                            404: None, 409: ErrorsSerializer})
    def post(self, request, uscc: str):
        enterprise = find_readable(request.user, uscc)
        owner = enterprise.application.owner_id if enterprise.application else None
        try:
            if owner == request.user.pk:
                application = afterwards.open_change(enterprise, request.user)
            elif has_role(request.user, *WINDOW_ROLES):
                application = counter.open_change(request.user, enterprise)
            else:
                raise exceptions.PermissionDenied(
                    "only the enterprise's owner or window staff may open a change")
        except afterwards.CannotOpen as exc:
            raise Conflict([field_error("uscc", exc.code, exc.message_zh,
                                        exc.message_en)]) from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        fresh = visible_to(application.owner).get(pk=application.pk)
        body = ApplicationSerializer(fresh, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


# Spread into yilian.api.urls before the enterprise's own route.
urlpatterns = [
    path("enterprises/<str:uscc>/changes/", EnterpriseChanges.as_view(),
         name="enterprise-changes"),
]
