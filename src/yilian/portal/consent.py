"""Parties' pages (实名确认): the form's list of parties, and each party's own page.

The applicant's side (or the clerk's, for them at the counter) is a step of the form:
every person the form names, their roles and state, with "send the code" / "send again"
— and a button for the applicant's own party (online) or for "ID card seen at the
counter" (现场核验身份证, at the counter). The party's side is one public page per
party (the link in their text message), where they confirm with the one-time code, or
with one button when signed in as themselves. Rules live in :mod:`yilian.forms.parties`
and :mod:`yilian.forms.consent`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yilian import labels
from yilian.accounts import services as accounts
from yilian.accounts.views import client_address
from yilian.forms import consent, parties, services
from yilian.forms.models import Application, OrgForm, Party
from yilian.portal import presenters
from yilian.portal.editors import Editor

_REFUSALS = (parties.PartyError, accounts.CodeError, services.NotEditable)


def parties_step(request: HttpRequest, editor: Editor, application: Application) -> HttpResponse:
    """当事人确认 — each party with their roles and state; send a code (again), or
    confirm here: the applicant's own party, or a person at the counter."""
    from yilian.portal.wizard import render_step

    errors: list[dict] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            verb, _sep, pk = action.partition(":")
            if verb in ("invite", "confirm"):
                act_on_party(request, editor, application, verb, pk)
            if request.POST.get("go") == "next":
                return redirect(editor.step_url(application, "review"))
            return redirect(editor.step_url(application, "parties"))
        except _REFUSALS as exc:
            errors = [{"field": "parties", "code": exc.code, "message_zh": exc.message_zh,
                       "message_en": exc.message_en}]
        except PermissionDenied:
            return redirect(editor.done_url(application))
    return render_step(request, editor, application, "parties",
                       presenters.form_data(application), errors,
                       status=400 if errors else 200,
                       parties=presenters.party_rows(application, editor, request))


def act_on_party(request: HttpRequest, editor: Editor, application: Application, verb: str,
                 pk: str) -> None:
    """``invite``: send the party their code (again); ``confirm``: confirm them here.
    A refusal raises (one of ``_REFUSALS``)."""
    party = get_object_or_404(Party, application=application, pk=pk)
    if verb == "invite":
        editor.invite(party, client_address(request))
        messages.success(request, _("已向%(name)s的手机发送确认验证码和链接。")
                         % {"name": party.name})
    else:
        editor.confirm(party)
        messages.success(request, _("%(name)s已确认。") % {"name": party.name})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """确认 — public: whoever holds the link and the code sent to the party's phone."""
    party = get_object_or_404(Party.objects.select_related("application"), token=token)
    application = party.application
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "code")
        try:
            if action == "resend":
                consent.resend_by_party(party, client_address(request))
                messages.success(request, _("验证码已重新发送。"))
            elif action == "account":
                consent.confirm_signed_in(party, request.user)
            else:
                consent.confirm_with_code(party, request.POST.get("code", ""), request.user)
            return redirect("portal:party-public", token=token)
        except _REFUSALS as exc:
            error = labels.refusal(exc)
    state = parties.state(party)
    signed_in_as_party = (request.user.is_authenticated and bool(party.phone)
                          and request.user.get_username() == party.phone)
    return render(request, "portal/party_confirm.html", {
        "party": party, "application": application, "state": state,
        "state_label": presenters.PARTY_STATE[state], "error": error,
        "roles": presenters.role_names(party.roles, application.org_form),
        "open": application.editable, "signed_in_as_party": signed_in_as_party,
        "investors": application.investors.all(),
        "legal_rep": application.people.filter(role="legal_representative").first(),
        "org_form": labels.choice(OrgForm, application.org_form),
        "phone_hint": f"{party.phone[:3]}****{party.phone[-4:]}",
    }, status=400 if error else 200)
