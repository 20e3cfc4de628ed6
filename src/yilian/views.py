"""The front page: what Yilian is, for visitors; signed-in users go to their own page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from yilian.accounts.permissions import landing_url_name


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(landing_url_name(request.user))
    return render(request, "yilian/home.html")
