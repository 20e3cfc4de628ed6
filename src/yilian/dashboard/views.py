"""双创统计 — the zone administrator's dashboard (placeholder)."""

from django.shortcuts import render

from yilian.accounts import roles
from yilian.accounts.permissions import role_required


@role_required(roles.ADMIN)
def index(request):
    return render(request, "dashboard/index.html")
