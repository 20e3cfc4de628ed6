"""公示 and 异议 pages: the public gazette (``/gazette/``: anyone reads the notices and
objects to a simplified closing during its notice) and the examiner's objection desk in
the workbench (``/workbench/objections/``). Thin: :mod:`yilian.closing.gazette` and
:mod:`yilian.closing.services` do the work."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yilian import labels
from yilian.accounts import roles
from yilian.accounts.permissions import role_required
from yilian.accounts.views import client_address
from yilian.closing import gazette
from yilian.closing import services as closing
from yilian.closing.models import Notice, Objection, Verdict
from yilian.refdata import divisions


def gazette_list(request: HttpRequest) -> HttpResponse:
    """公示 — every notice, newest first; search by name or code, by zone."""
    q, zone = request.GET.get("q", ""), request.GET.get("zone", "")
    page = gazette.search(q, zone, request.GET.get("page", 1))
    return render(request, "closing/gazette.html", {
        "page": page, "q": q, "zone": zone, "zones": _zones(),
        "rows": [(n, gazette.is_open(n)) for n in page]})


def _zones() -> list[tuple[str, str]]:
    """The zones notices were published in, for the filter."""
    codes = sorted(set(Notice.objects.values_list("division_code", flat=True)))
    return [(code, _division_name(code)) for code in codes]


def _division_name(code: str) -> str:
    try:
        return divisions.full_name(code)
    except Exception:  # an unknown code still filters; it shows as itself
        return code


@require_http_methods(["GET", "POST"])
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice; during a simplified closing's notice, the objection form."""
    notice = get_object_or_404(Notice, pk=pk)
    errors: dict[str, str] = {}
    retry_after: int | None = None
    values = {"objector": "", "contact": "", "reason": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "")[:2000] for k in values}
        try:
            closing.object_to(notice, **values, client=client_address(request))
        except closing.ObjectionRefused as refused:
            errors = {e["field"]: labels.bilingual(e["message_zh"], e["message_en"])
                      for e in refused.errors}
            retry_after = refused.retry_after
        else:
            messages.success(request, _("异议已提交，注销程序中止，等待登记机关审查。"))
            return redirect("gazette:notice", pk=notice.pk)
    page = render(request, "closing/notice.html", {
        "notice": notice, "open": gazette.is_open(notice), "errors": errors,
        "values": values, "zone": _division_name(notice.division_code),
        "objectable": notice.kind == "simplified" and gazette.is_open(notice)},
        status=429 if retry_after else 400 if errors else 200)
    if retry_after:
        page["Retry-After"] = str(retry_after)
    return page


window_staff = role_required(roles.CLERK, roles.EXAMINER)
examiner_only = role_required(roles.EXAMINER)


@window_staff
def objections(request: HttpRequest) -> HttpResponse:
    """异议审查 — objections waiting for an examiner first, then the decided ones."""
    rows = (Objection.objects.select_related("notice", "decided_by")
            .order_by("-verdict", "filed_at")[:200])
    pending = [o for o in rows if o.verdict == Verdict.PENDING]
    decided = [o for o in rows if o.verdict != Verdict.PENDING]
    return render(request, "closing/objections.html", {
        "pending": pending, "decided": decided, "tab": "objections",
        "can_decide": roles.EXAMINER in roles.roles_of(request.user)})


@require_POST
@examiner_only
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Uphold (the closing is refused) or dismiss (it goes on) an objection."""
    objection = get_object_or_404(Objection, pk=pk)
    upheld = request.POST.get("verdict") == Verdict.UPHELD
    try:
        closing.decide(objection, request.user, upheld, request.POST.get("comment", "")[:2000])
    except closing.ObjectionRefused as refused:
        messages.error(request, labels.bilingual(refused.errors[0]["message_zh"],
                                                refused.errors[0]["message_en"]))
    else:
        messages.success(request, _("异议成立，注销申请不予办理，企业恢复存续。") if upheld
                         else _("异议不成立，注销程序继续。"))
    return redirect("workbench:objections")
