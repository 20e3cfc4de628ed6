from django.urls import path

from yilian.closing import pages as closing
from yilian.portal import autosave, changes, consent, enterprise, live, pickers, views, wizard

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", wizard.new, name="new"),
    path("applications/<uuid:pk>/", views.detail, name="detail"),
    path("applications/<uuid:pk>/timeline/", views.timeline, name="timeline"),
    path("applications/<uuid:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<uuid:pk>/qr.png", views.license_qr, name="qr"),
    path("applications/<uuid:pk>/delete/", views.delete, name="delete"),
    path("applications/<uuid:pk>/<slug:step>/autosave/", autosave.autosave, name="autosave"),
    path("applications/<uuid:pk>/<slug:step>/", wizard.step, name="step"),
    path("check/name/", live.check_name, name="check-name"),
    path("check/parent/", live.check_parent, name="check-parent"),
    path("check/<slug:kind>/", live.check_field, name="check"),
    path("scope/", live.scope_search, name="scope-search"),
    path("divisions/", pickers.division_options, name="division-options"),
    path("industries/", pickers.industry_search, name="industry-search"),
    path("confirm/<str:token>/", consent.confirm, name="party-public"),
    path("enterprises/<str:uscc>/", enterprise.page, name="enterprise"),
    path("enterprises/<str:uscc>/change/", changes.start, name="change-start"),
    path("enterprises/<str:uscc>/close/", closing.start, name="closing-start"),  # 注销
]
