from django.urls import path

from yilian.closing import pages as closing_pages
from yilian.closing import views as closing
from yilian.portal import changes
from yilian.workbench import console, enterprises, views

app_name = "workbench"
urlpatterns = [
    path("", views.index, name="index"),
    path("applications/<uuid:pk>/", views.detail, name="detail"),
    path("applications/<uuid:pk>/approve/", views.approve, name="approve"),
    path("applications/<uuid:pk>/return/", views.return_for_correction, name="return"),
    path("applications/<uuid:pk>/reject/", views.reject, name="reject"),
    path("applications/<uuid:pk>/notice.pdf", views.notice_pdf, name="notice"),
    path("sla/", views.sla, name="sla"),
    path("counter/", views.counter_start, name="counter"),
    path("counter/change/", changes.at_counter, name="counter-change"),  # 变更登记
    path("counter/close/<str:uscc>/", closing_pages.at_counter,
         name="counter-closing"),  # 注销登记
    path("counter/new/", views.counter_new, name="counter-new"),
    path("counter/<uuid:pk>/", views.counter_edit, name="counter-edit"),
    path("counter/<uuid:pk>/<slug:step>/", views.counter_step, name="counter-step"),
    path("counter/<uuid:pk>/<slug:step>/autosave/", views.counter_autosave,
         name="counter-autosave"),
    path("enterprises/", enterprises.lookup, name="enterprise-lookup"),
    path("objections/", closing.objections, name="objections"),
    path("objections/<int:pk>/decide/", closing.decide, name="objection-decide"),
    path("departments/", console.console, name="console"),
    path("departments/steps/<int:pk>/retry/", console.retry, name="retry"),
    path("departments/steps/<int:pk>/complete/", console.complete, name="complete"),
    path("departments/<slug:code>/retry-failed/", console.retry_failed, name="retry-failed"),
]
