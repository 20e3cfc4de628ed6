"""The public notice page (公示), included at ``gazette/`` by the root URLconf."""

from django.urls import path

from yilian.closing import views

app_name = "gazette"

urlpatterns = [
    path("", views.gazette_list, name="list"),
    path("<int:pk>/", views.notice_detail, name="notice"),
]
