"""一窗受理 — the window's pages: the counter, the manual-review queue, the SLA clocks and
the acceptance notice. Thin: parse, call :mod:`yilian.forms.counter`,
:mod:`yilian.forms.review` or :mod:`yilian.forms.notice`, render. At the counter the clerk
fills the applicant's form in the portal's own step pages (:mod:`yilian.portal.wizard`
with a :class:`~yilian.portal.editors.CounterEditor`). The department console is in
:mod:`yilian.workbench.console`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yilian import labels
from yilian.accounts import roles
from yilian.accounts.permissions import role_required
from yilian.accounts.services import CodeError
from yilian.forms import counter, notice, places, review
from yilian.forms.models import Application, Status
from yilian.forms.services import application_queryset
from yilian.portal import autosave, presenters, wizard
from yilian.portal.editors import CounterEditor
from yilian.rules import reading
from yilian.workbench import judged, queries

window_staff = role_required(roles.CLERK, roles.EXAMINER)
# Deciding (approve, return, refuse) is the examiner's alone: separation of duties.
examiner_only = role_required(roles.EXAMINER)


def _application(pk) -> Application:
    """A submitted application (never a draft: staff do not read drafts here; the
    counter opens the drafts of the applicant in front of the clerk)."""
    return get_object_or_404(application_queryset().select_related("owner")
                             .prefetch_related("decisions")
                             .exclude(status=Status.DRAFT), pk=pk)


def _decide(request: HttpRequest, pk, act, done: str, **more) -> HttpResponse:
    """Run one review action (a function of :mod:`yilian.forms.review`) and come back."""
    application = get_object_or_404(Application.objects.exclude(status=Status.DRAFT), pk=pk)
    try:
        act(application, request.user, request.POST.get("comment", ""), **more)
        messages.success(request, done)
    except review.ReviewRefused as error:
        messages.error(request, labels.refusal(error))
    return redirect("workbench:detail", pk=pk)


@window_staff
def index(request: HttpRequest) -> HttpResponse:
    """审查队列 — applications waiting for a person, overdue first, with the reasons."""
    now = timezone.now()
    rows = [{"application": a, "reasons": reading.findings_read(a),
             "due": review.review_due(a),
             "overdue": review.is_review_overdue(a, now)} for a in review.review_queue()]
    return render(request, "workbench/index.html", {"rows": rows, "tab": "queue"})


@window_staff
def detail(request: HttpRequest, pk) -> HttpResponse:
    """One application as the window sees it: reasons, decision, chain, actions."""
    application = _application(pk)
    chain = getattr(application, "chain", None)
    steps = list(chain.steps.all()) if chain else []
    decision = next(iter(application.decisions.all()), None)
    context = {
        "application": application,
        "findings": judged.judged(application, decision.findings) if decision else [],
        "outcome": judged.outcome_label(decision.outcome) if decision else "",
        "comment": reading.persons_comment(application),
        "return_reasons": judged.return_reason_choices(),
        "decision": decision,
        "in_review": application.status == Status.IN_REVIEW,
        "can_decide": _may_decide(request.user, application),
        "overdue": review.is_review_overdue(application),
        "accepted": application.status == Status.ACCEPTED,
        "chain": chain, "steps": steps,
        "notice_fields": notice.fields(application)
        if application.status == Status.ACCEPTED else [],
        "parties": presenters.party_rows(application, CounterEditor(request.user), request),
        "tab": "queue",
    }
    return render(request, "workbench/detail.html", context)


def _may_decide(user, application: Application) -> bool:
    try:
        review.check_can_review(user, application)
    except PermissionDenied:
        return False
    return True


@require_POST
@examiner_only
def approve(request: HttpRequest, pk) -> HttpResponse:
    return _decide(request, pk, review.approve, _("已核准受理，一链办理已启动。"))


@require_POST
@examiner_only
def return_for_correction(request: HttpRequest, pk) -> HttpResponse:
    return _decide(request, pk, review.return_for_correction,
                   _("已退回补正，申请人将看到审查意见。"),
                   reasons=request.POST.getlist("reasons"))


@require_POST
@examiner_only
def reject(request: HttpRequest, pk) -> HttpResponse:
    """不予受理 — refuse, with the reason the applicant reads."""
    return _decide(request, pk, review.reject, _("已决定不予受理，申请人将看到理由。"))


@window_staff
def notice_pdf(request: HttpRequest, pk) -> HttpResponse:
    """受理通知书 — the PDF, to print at the counter or hand over."""
    application = _application(pk)
    try:
        pdf = notice.render(application)
    except notice.NotAccepted:
        messages.error(request, _("申请尚未受理，不能打印受理通知书。"))
        return redirect("workbench:detail", pk=pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"acceptance-notice-{notice.notice_number(application)}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@window_staff
def sla(request: HttpRequest) -> HttpResponse:
    """时限监控 — every chain in progress against its one-hour promise."""
    return render(request, "workbench/sla.html",
                  {"clocks": queries.chains_in_progress(), "tab": "sla"})


@require_http_methods(["GET", "POST"])
@window_staff
def counter_start(request: HttpRequest) -> HttpResponse:
    """窗口受理 — find the applicant by phone and list what they have open. A pure
    lookup (GET or POST): an account is opened only by 新建申请 (:func:`counter_new`)."""
    phone = (request.POST.get("phone") or request.GET.get("phone") or "").strip()
    context = {"phone": phone, "tab": "counter", "applicant": None, "error": "",
               "searched": False}
    if phone:
        try:
            applicant = counter.find_applicant(phone, request.user)
        except CodeError as error:
            context["error"] = labels.refusal(error)
        else:
            context.update(searched=True, applicant=applicant,
                           phone=applicant.get_username() if applicant else phone,
                           open_applications=counter.open_applications(applicant)
                           if applicant else [])
    return render(request, "workbench/counter_start.html", context,
                  status=400 if context["error"] else 200)


@require_POST
@window_staff
def counter_new(request: HttpRequest) -> HttpResponse:
    """新建申请 — a new draft for the applicant (by phone), then the form's first step."""
    try:
        applicant = counter.applicant_for_phone(request.POST.get("phone", ""), request.user)
    except CodeError as error:
        messages.error(request, labels.refusal(error))
        return redirect("workbench:counter")
    application = counter.start(request.user, applicant,
                                {"division_code": places.zone()})
    return redirect(CounterEditor(request.user).step_url(application, "enterprise"))


@window_staff
def counter_edit(request: HttpRequest, pk) -> HttpResponse:
    """继续办理 — an open application's step pages (its review once it has a name)."""
    editor = CounterEditor(request.user)
    application = editor.get(pk)
    if not editor.can_open(application):
        return redirect("workbench:detail", pk=application.pk)
    return redirect(editor.step_url(application, "review" if application.name else "enterprise"))


@window_staff
def counter_step(request: HttpRequest, pk, step: str) -> HttpResponse:
    """The one form at the counter: the applicant's own step pages, filled by the clerk
    for them (:class:`~yilian.portal.editors.CounterEditor`)."""
    return wizard.edit(request, CounterEditor(request.user), pk, step)


@require_POST
@window_staff
def counter_autosave(request: HttpRequest, pk, step: str) -> HttpResponse:
    """The counter's step pages save as the clerk types (:mod:`yilian.portal.autosave`)."""
    return autosave.save(request, CounterEditor(request.user), pk, step)
