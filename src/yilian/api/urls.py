"""API v1 routes. Each bounded context contributes its views; this file only wires them."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from yilian.api import applications, auth_views, licenses, withdrawal

router = SimpleRouter()
router.register("applications", applications.ApplicationViewSet, basename="application")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("auth/token/", auth_views.ObtainToken.as_view(), name="token"),
    path("licenses/verify/", licenses.VerifyLicense.as_view(), name="license-verify"),
    *licenses.urlpatterns,  # licenses/<uscc>/pdf/ and licenses/<uscc>/json/ downloads
    *withdrawal.urlpatterns,  # applications/<id>/withdraw/
    *router.urls,
]
