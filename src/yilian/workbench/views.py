"""一窗受理 — the window clerk's and the department officer's pages (placeholders)."""

from django.shortcuts import render

from yilian.accounts import roles
from yilian.accounts.permissions import officer_required, role_required


@role_required(roles.CLERK, roles.EXAMINER)
def index(request):
    return render(request, "workbench/index.html")


@officer_required
def console(request):
    return render(request, "workbench/console.html")
