"""API v1 routes. Each bounded context contributes its views; this file only wires them."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from yilian.api import (
    applications,
    auth_views,
    changes,
    closures,
    department_console,
    departments,
    enterprises,
    licenses,
    parties,
    withdrawal,
)

router = SimpleRouter()
router.register("applications", applications.ApplicationViewSet, basename="application")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("auth/token/", auth_views.ObtainToken.as_view(), name="token"),
    path("licenses/verify/", licenses.VerifyLicense.as_view(), name="license-verify"),
    path("applications/<uuid:pk>/parties/", parties.PartyList.as_view(), name="parties"),
    path("applications/<uuid:pk>/parties/<int:party_id>/invite/",
         parties.PartyInvite.as_view(), name="party-invite"),
    path("applications/<uuid:pk>/parties/<int:party_id>/confirm/",
         parties.PartyConfirm.as_view(), name="party-confirm"),
    path("departments/<str:code>/callbacks/", departments.DepartmentCallback.as_view(),
         name="department-callback"),
    path("demo/outbox/", parties.DemoOutbox.as_view(), name="demo-outbox"),
    *enterprises.urlpatterns,  # enterprises/<uscc>/
    *changes.urlpatterns,  # enterprises/<uscc>/changes/
    *closures.urlpatterns,  # enterprises/<uscc>/closures/, gazette/ (注销, 公示)
    *licenses.urlpatterns,  # licenses/<uscc>/pdf/ and licenses/<uscc>/json/ downloads
    *withdrawal.urlpatterns,  # applications/<id>/withdraw/
    *department_console.urlpatterns,  # departments/, departments/<code>/retry-failed/
    *router.urls,
]
