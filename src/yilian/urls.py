"""Top-level URLs: the API under /api/v1/, the public license check, the admin."""

from django.contrib import admin
from django.urls import include, path

from yilian import views

urlpatterns = [
    path("", views.home, name="home"),
    path("api/v1/", include("yilian.api.urls")),
    path("verify/", include("yilian.licenses.urls")),
    path("admin/", admin.site.urls),
]
