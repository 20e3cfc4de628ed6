from django.urls import path

from yilian.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
]
