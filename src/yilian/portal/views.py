"""掌上办 — the applicant's own pages: their applications and enterprises, one
application's progress on the chain (一链办理进度), and its license.

The form's steps are in :mod:`yilian.portal.wizard`, live checks in
:mod:`yilian.portal.live`, parties' confirmations in :mod:`yilian.portal.consent`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yilian.accounts import roles
from yilian.accounts.permissions import role_required
from yilian.forms import lifecycle, parties, services
from yilian.licenses import qr
from yilian.licenses.models import License
from yilian.licenses.services import license_links
from yilian.notices import notify
from yilian.portal import corrections, enterprise, presenters, results
from yilian.portal.editors import Editor
from yilian.portal.wizard import own_application, step_url
from yilian.registry.models import Enterprise


@require_GET
@role_required(roles.APPLICANT)
def index(request: HttpRequest) -> HttpResponse:
    """我的办件 — applications (newest first), enterprises, applications naming me that
    wait for my confirmation."""
    applications = services.application_queryset().filter(owner=request.user)
    rows = []
    for application in applications:
        code, label = presenters.status_of(application)
        first_step = "review" if application.name else "enterprise"
        rows.append((application, code, label, step_url(application, first_step)))
    enterprises = (Enterprise.objects.filter(application__owner=request.user)
                   .select_related("application").order_by("-established", "-pk"))
    return render(request, "portal/index.html", {
        "rows": rows,
        "enterprises": [(e, license_links(e.application),
                         enterprise.STATUS_LABELS.get(e.status, e.status)) for e in enterprises],
        "invitations": parties.invitations_for(request.user),
        "promise_hours": max(1, round(settings.SLA_SECONDS / 3600)),
    })


@require_GET
@role_required(roles.APPLICANT)
def detail(request: HttpRequest, pk) -> HttpResponse:
    """One application: status, the examiner's comment, the chain's timeline."""
    application = own_application(request, pk)
    return render(request, "portal/detail.html", {**_progress(request, application),
                                                  **enterprise.purpose_of(application)})


@require_POST
@role_required(roles.APPLICANT)
def withdraw(request: HttpRequest, pk) -> HttpResponse:
    """撤回 — take back an application not yet accepted; its name is released."""
    application = own_application(request, pk)
    try:
        lifecycle.withdraw_application(application, request.user)
        messages.success(request, _("申请已撤回，所保留的企业名称已释放。"))
    except lifecycle.NotWithdrawable:
        messages.error(request, _("该申请已不能撤回。"))
    return redirect("portal:detail", pk=pk)


@require_http_methods(["GET", "POST"])
@role_required(roles.APPLICANT)
def delete(request: HttpRequest, pk) -> HttpResponse:
    """删除草稿 — asks first (GET), deletes on POST: a draft never submitted goes, with
    whatever it held (:func:`yilian.forms.lifecycle.delete_draft`)."""
    application = own_application(request, pk)
    if request.method == "POST":
        try:
            lifecycle.delete_draft(application, request.user)
        except lifecycle.NotDeletable:
            messages.error(request, _("只有从未提交的草稿可以删除；已提交的申请可以撤回。"))
            return redirect("portal:detail", pk=pk)
        messages.success(request, _("草稿已删除。"))
        return redirect("portal:index")
    return render(request, "portal/delete.html", {
        "application": application,
        "deletable": lifecycle.is_deletable(application),
        "back_url": request.GET.get("back") if _is_own_path(request.GET.get("back"))
        else reverse("portal:index"),
    })


def _is_own_path(url: str | None) -> bool:
    """A "back" link within the site only (never an open redirect)."""
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


@require_GET
@role_required(roles.APPLICANT)
def timeline(request: HttpRequest, pk) -> HttpResponse:
    """The timeline fragment the detail page polls every 2 s until the chain is done."""
    application = own_application(request, pk)
    return render(request, "portal/_timeline.html", _progress(request, application))


def _progress(request: HttpRequest, application) -> dict:
    code, label = presenters.status_of(application)
    chain = getattr(application, "chain", None)
    rows = presenters.timeline(application)
    return {
        "application": application, "status": code, "status_label": label,
        "banner": results.banner(code), "result": results.result(application),
        "reference": notify.reference(application),
        "texts": application.texts.order_by("-created_at", "-id")[:20],
        "chain": chain, "rows": rows, "chart": presenters.timeline_chart(application, rows),
        "polling": chain is not None and chain.finished_at is None,
        "license": license_links(application, request) if chain is not None else None,
        "edit_url": corrections.first_url(application, Editor(request.user),
                                          step_url(application, "enterprise")),
        **corrections.review_note(application, Editor(request.user)),
        "review_url": step_url(application, "review"),
        "withdrawable": application.status in lifecycle.WITHDRAWABLE,
    }


@require_GET
@role_required(roles.APPLICANT)
def license_qr(request: HttpRequest, pk) -> HttpResponse:
    """执照二维码 — a PNG (segno) of the public verification URL of the license."""
    application = own_application(request, pk)
    uscc = (License.objects.filter(application_id=application.pk)
            .values_list("uscc", flat=True).first())
    if uscc is None:
        raise Http404
    response = HttpResponse(qr.encode(qr.verify_url(uscc), scale=6), content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response
