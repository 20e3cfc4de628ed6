"""Co-signing pages (共同签署): the applicant invites, the co-signer confirms.

The applicant's side (or the clerk's, for them at the counter) is a step of the form;
the co-signer's side is one public page per invitation (the link in their text message),
where they confirm with the one-time code, or with one button when signed in with the
invited phone. Rules live in :mod:`yilian.forms.cosign`.
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
from yilian.forms import cosign, services
from yilian.forms.models import Application, CoSigner, OrgForm
from yilian.portal import presenters
from yilian.portal.editors import Editor

_REFUSALS = (cosign.CoSignError, accounts.CodeError, services.NotEditable)


def cosigners_step(request: HttpRequest, editor: Editor,
                   application: Application) -> HttpResponse:
    """The form's list of co-signers: invite, send a new code, withdraw — by the
    applicant, or by a clerk for them (``editor``); the codes go to the co-signers."""
    from yilian.portal.wizard import render_step

    form = {"name": "", "phone": ""}
    errors: list[dict] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "invite":
                form = {k: request.POST.get(f"cosigner-{k}", "").strip() for k in form}
                editor.invite(application, form["name"], form["phone"])
                messages.success(request, _("已向 %(phone)s 发送签署邀请和验证码。")
                                 % {"phone": form["phone"]})
            elif action.startswith(("resend:", "remove:")):
                verb, _sep, pk = action.partition(":")
                cosigner = get_object_or_404(CoSigner, application=application, pk=pk)
                if verb == "resend":
                    editor.resend(cosigner)
                    messages.success(request, _("验证码已重新发送。"))
                else:
                    editor.remove(cosigner)
            if request.POST.get("go") == "next":
                return redirect(editor.step_url(application, "review"))
            return redirect(editor.step_url(application, "cosigners"))
        except _REFUSALS as exc:
            field = "cosigner-phone" if getattr(exc, "code", "").startswith(
                ("phone", "cosigner.duplicate", "cosigner.self")) else "cosigner-name"
            if action != "invite":
                field = "cosigners"
            errors = [{"field": field, "code": exc.code, "message_zh": exc.message_zh,
                       "message_en": exc.message_en}]
        except PermissionDenied:
            return redirect(editor.done_url(application))
    rows = [(c, state, presenters.COSIGN_STATE[state],
             request.build_absolute_uri(cosign.confirm_path(c)))
            for c, state in cosign.cosigners_of(application)]
    investors = [i.name for i in application.investors.all() if i.name]
    return render_step(request, editor, application, "cosigners", presenters.form_data(application),
                       errors, status=400 if errors else 200, cosigners=rows, form=form,
                       investor_names=investors)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """确认签署 — public: whoever holds the link and the code sent to the phone."""
    cosigner = get_object_or_404(CoSigner.objects.select_related("application",
                                                                 "invited_by"), token=token)
    application = cosigner.application
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "code")
        try:
            if action == "resend":
                cosign.resend(cosigner)
                messages.success(request, _("验证码已重新发送。"))
            elif action == "account":
                cosign.confirm_signed_in(cosigner, request.user)
            else:
                cosign.confirm_with_code(cosigner, request.POST.get("code", ""),
                                         request.user)
            return redirect("portal:cosign-public", token=token)
        except _REFUSALS as exc:
            error = labels.refusal(exc)
    state = cosign.state(cosigner)
    signed_in_as_invitee = (request.user.is_authenticated
                            and request.user.get_username() == cosigner.phone)
    return render(request, "portal/cosign_confirm.html", {
        "cosigner": cosigner, "application": application, "state": state,
        "state_label": presenters.COSIGN_STATE[state], "error": error,
        "open": application.editable, "signed_in_as_invitee": signed_in_as_invitee,
        "investors": application.investors.all(),
        "legal_rep": application.people.filter(role="legal_representative").first(),
        "org_form": labels.choice(OrgForm, application.org_form),
        "phone_hint": f"{cosigner.phone[:3]}****{cosigner.phone[-4:]}",
    }, status=400 if error else 200)
