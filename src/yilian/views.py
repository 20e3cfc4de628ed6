"""The front page: what this server is and where to go (the full UIs come with the portal,
workbench and dashboard apps)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "yilian/home.html")
