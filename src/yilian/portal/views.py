"""掌上办 — the applicant's own pages: their applications and enterprises, one
application's progress on the chain (一链办理进度), and its license.

The form's steps are in :mod:`yilian.portal.wizard`, live checks in
:mod:`yilian.portal.live`, parties' confirmations in :mod:`yilian.portal.consent`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yilian.accounts import roles
from yilian.accounts.permissions import role_required
from yilian.forms import lifecycle, parties, services
from yilian.licenses import qr
from yilian.licenses.models import License
from yilian.licenses.services import license_links
from yilian.portal import corrections, presenters
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
        "enterprises": [(e, license_links(e.application)) for e in enterprises],
        "invitations": parties.invitations_for(request.user),
    })


@require_GET
@role_required(roles.APPLICANT)
def detail(request: HttpRequest, pk) -> HttpResponse:
    """One application: status, the examiner's comment, the chain's timeline."""
    application = own_application(request, pk)
    return render(request, "portal/detail.html", _progress(request, application))


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
