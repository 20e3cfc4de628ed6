"""掌上办 — the applicant's pages (placeholder until the portal lands)."""

from django.shortcuts import render

from yilian.accounts import roles
from yilian.accounts.permissions import role_required


@role_required(roles.APPLICANT)
def index(request):
    return render(request, "portal/index.html")
