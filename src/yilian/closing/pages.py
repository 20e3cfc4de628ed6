"""注销 on the phone: ``/me/enterprises/<uscc>/close/`` (``portal:closing-start``) — one
page for the enterprise's owner that opens the closing (the route, the declaration of
debts or the liquidation group), then gathers the investors' confirmations and the
pledge and submits it, then shows where it stands (the notice, objections, the chain).
Thin: :mod:`yilian.closing.services` does the work; the parties' own confirmation pages
are the portal's (:mod:`yilian.portal.consent`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yilian import labels
from yilian.accounts import roles
from yilian.accounts import services as accounts
from yilian.accounts.permissions import role_required
from yilian.closing import gazette
from yilian.closing import services as closing
from yilian.closing.models import Closure, Debts, Route
from yilian.codes.errors import fold_width
from yilian.forms import afterwards, declaration, parties, services
from yilian.forms.afterwards import CannotOpen
from yilian.forms.models import Application, Purpose
from yilian.portal import presenters
from yilian.portal.consent import act_on_party
from yilian.portal.editors import CounterEditor, Editor
from yilian.registry.models import Enterprise

MEMBERS = 3  # rows of the liquidation group on the page


@role_required(roles.APPLICANT)
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, uscc: str) -> HttpResponse:
    enterprise = _enterprise(uscc)
    if enterprise.application is None or enterprise.application.owner_id != request.user.pk:
        raise Http404
    return _page(request, enterprise, Place(Editor(request.user), "portal:closing-start",
                                            "portal:detail", "portal:index"))


@role_required(roles.CLERK, roles.EXAMINER)
@require_http_methods(["GET", "POST"])
def at_counter(request: HttpRequest, uscc: str) -> HttpResponse:
    """窗口办理注销 — the same page at the counter: the clerk opens the closing for the
    enterprise's owner, confirms the investors present in person (ID card seen) and
    submits with the paper pledge signed there."""
    enterprise = _enterprise(uscc)
    if enterprise.application is None:  # imported: not registered here
        raise Http404
    return _page(request, enterprise, Place(CounterEditor(request.user),
                                            "workbench:counter-closing", "workbench:detail",
                                            "workbench:counter"))


@dataclass(frozen=True)
class Place:
    """Where the closing page is worked: who edits (the owner, or a clerk for them),
    the page's own route, the application's page and where to go back to."""

    editor: Editor
    here: str
    detail: str
    home: str


def _enterprise(uscc: str) -> Enterprise:
    return get_object_or_404(Enterprise.objects.select_related("application"),
                             uscc=fold_width(uscc).strip().upper())


def _page(request: HttpRequest, enterprise: Enterprise, place: Place) -> HttpResponse:
    application = _latest_closing(enterprise)
    if application is None or application.status in ("rejected", "withdrawn", "expired"):
        if request.method == "POST" and request.POST.get("action") == "open":
            return _open(request, enterprise, place)
        return _route_page(request, enterprise, place, {}, {}, previous=application)
    if request.method == "POST":
        return _act(request, enterprise, application, place)
    return _closing_page(request, enterprise, application, [], place)


def _latest_closing(enterprise: Enterprise) -> Application | None:
    return (Application.objects.filter(subject=enterprise, purpose=Purpose.CLOSE)
            .order_by("-created_at").first())


def _open(request: HttpRequest, enterprise: Enterprise, place: Place) -> HttpResponse:
    post = request.POST
    values = {"route": post.get("route", ""), "debts": post.get("debts", ""),
              "members": [{"name": post.get(f"member-{i}-name", "").strip()[:50],
                           "id_number": post.get(f"member-{i}-id", "").strip().upper()[:18],
                           "leader": post.get("leader") == str(i)} for i in range(MEMBERS)]}
    group = [m for m in values["members"] if m["name"]]
    try:
        closing.open_closure(enterprise, request.user, values["route"], debts=values["debts"],
                             liquidation_group=group)
    except closing.ClosingError as exc:
        return _route_page(request, enterprise, place, values, _by_field(exc.errors),
                           status=400)
    except CannotOpen as exc:
        messages.error(request, labels.refusal(exc))
        return redirect(place.home)
    messages.success(request, _("注销申请已创建，请邀请全体投资人确认后提交。"))
    return redirect(place.here, uscc=enterprise.uscc)


def _by_field(errors: list[dict]) -> dict[str, str]:
    return {e["field"]: labels.bilingual(e["message_zh"], e["message_en"]) for e in errors}


def _route_page(request, enterprise, place: Place, values, errors, status=200,
                previous=None):
    if enterprise.status != "active":
        raise Http404
    members = values.get("members") or [{"name": "", "id_number": "", "leader": i == 0}
                                        for i in range(MEMBERS)]
    return render(request, "closing/start.html", {
        "enterprise": enterprise, "values": values, "errors": errors, "members": members,
        "routes": labels.choices(Route), "debts": labels.choices(Debts),
        "previous": previous, "counter": place.editor.counter,
        "home_url": reverse(place.home)}, status=status)


def _act(request: HttpRequest, enterprise: Enterprise, application: Application,
         place: Place):
    """Send a party the code, confirm one's own party (at the counter: anyone present),
    attach the report, or submit."""
    editor = place.editor
    action, _sep, pk = request.POST.get("action", "").partition(":")
    errors: list[dict] = []
    try:
        if action in ("invite", "confirm"):
            act_on_party(request, editor, application, action, pk)
        elif action == "report":
            closing.update_closure(application, request.user, {
                "liquidation_report": request.POST.get("liquidation_report", "")[:5000]})
            messages.success(request, _("清算报告已保存。"))
        elif action == "submit":
            editor.submit(application, pledged=request.POST.get("declaration") == "yes")
            messages.success(request, _("注销申请已受理。"))
    except declaration.PledgeRequired as exc:
        errors = [exc.as_error()]
    except services.InvalidApplication as exc:
        errors = exc.errors
    except (parties.PartyError, accounts.CodeError, services.NotEditable,
            closing.ClosingError) as exc:
        errors = getattr(exc, "errors", None) or [
            {"field": "parties", "code": exc.code, "message_zh": exc.message_zh,
             "message_en": exc.message_en}]
    if errors:
        return _closing_page(request, enterprise, application, errors, place, status=400)
    return redirect(place.here, uscc=enterprise.uscc)


def _closing_page(request, enterprise, application, errors, place: Place, status=200):
    application = services.application_queryset().get(pk=application.pk)
    closure = Closure.objects.get(application=application)
    notices = [(n, gazette.is_open(n), n.objections.count())
               for n in closure.notices.order_by("starts_at")]
    rows = [row for row in presenters.party_rows(application, place.editor, request)
            if afterwards.needs_consent(application, row.party)]
    return render(request, "closing/closing.html", {
        "enterprise": enterprise, "application": application, "closure": closure,
        "notices": notices, "parties": rows, "errors": _by_field(errors),
        "draft": application.editable, "declaration_text": declaration.TEXT,
        "detail_url": reverse(place.detail, kwargs={"pk": application.pk}),
        "counter": place.editor.counter, "home_url": reverse(place.home)},
        status=status)
