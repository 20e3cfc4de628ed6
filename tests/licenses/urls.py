"""The license routes exactly as the real URLconfs mount them, for use while the rest of
``yilian.api.urls`` (other apps' views) cannot be imported yet."""

from django.urls import include, path

from yilian.api import licenses

urlpatterns = [
    path("api/v1/", include([
        path("licenses/verify/", licenses.VerifyLicense.as_view(), name="license-verify"),
        *licenses.urlpatterns,
    ])),
    path("verify/", include("yilian.licenses.urls")),
]
