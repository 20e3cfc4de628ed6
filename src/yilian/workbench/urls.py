from django.urls import path

from yilian.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.index, name="index"),
    path("departments/", views.console, name="console"),
]
