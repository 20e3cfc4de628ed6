"""Public license pages, included at ``verify/`` by the root URLconf."""

from django.urls import path

from yilian.licenses import views

app_name = "licenses"

urlpatterns = [
    path("<str:uscc>/", views.verify_page, name="verify"),
    path("<str:uscc>/v<int:version>/", views.verify_version, name="verify-version"),
]
