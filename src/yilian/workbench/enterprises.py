"""企业档案查询 — at the counter, window staff open an enterprise's page (its history,
licenses and chains: :mod:`yilian.portal.enterprise`) by its unified social credit code,
as the applicant in front of them reads it out or shows it on the license."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yilian import labels
from yilian.accounts import roles
from yilian.accounts.permissions import role_required
from yilian.codes import uscc
from yilian.codes.errors import InvalidCode, fold_width
from yilian.registry.models import Enterprise


@require_GET
@role_required(roles.CLERK, roles.EXAMINER)
def lookup(request: HttpRequest) -> HttpResponse:
    """A code that is valid and in the register opens its page; a malformed code is a
    field error (400), a valid one the register does not hold says so (404)."""
    typed = fold_width(request.GET.get("uscc", "")).strip().upper()
    context = {"tab": "counter", "uscc": typed, "error": ""}
    status = 200
    if typed:
        try:
            code = uscc.validate(typed).code
        except InvalidCode as error:
            context["error"], status = labels.refusal(error), 400
        else:
            if Enterprise.objects.filter(uscc=code).exists():
                return redirect("portal:enterprise", uscc=code)
            context["error"] = _("登记簿中没有统一社会信用代码为 %(code)s 的市场主体。") % {
                "code": code}
            status = 404
    return render(request, "workbench/enterprise_lookup.html", context, status=status)
