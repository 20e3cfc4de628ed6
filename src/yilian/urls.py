"""Top-level URLs: the three UIs, sign-in, the API under /api/v1/, the public license
check, the admin."""

from django.contrib import admin
from django.urls import include, path

from yilian import views
from yilian.accounts.views import admin_login

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("yilian.accounts.urls")),
    path("me/", include("yilian.portal.urls")),
    path("workbench/", include("yilian.workbench.urls")),
    path("dashboard/", include("yilian.dashboard.urls")),
    path("api/v1/", include("yilian.api.urls")),
    path("verify/", include("yilian.licenses.urls")),
    path("gazette/", include("yilian.closing.urls")),  # 公示: notices of closings
    # The admin's own sign-in form would skip the lockout's message and the second factor.
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
]

handler404 = "yilian.views.not_found"
handler500 = "yilian.views.server_error"
