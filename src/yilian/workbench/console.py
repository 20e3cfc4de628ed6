"""部门工作台 — the department officer's console: a panel per department of theirs
(circuit, last error, steps waiting, last reconciliation) with one action (ask every
failed step again), their departments' steps, and two actions on a step (retry now;
complete by hand with a reference number) from :mod:`yilian.chain.manual`. With htmx a
step's action answers its row, swapped in place; without it, the page posts and comes
back to the list.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from yilian import labels
from yilian.accounts.permissions import officer_required
from yilian.chain import manual
from yilian.chain.models import Step
from yilian.departments import registry
from yilian.workbench import queries

STATUS_FILTERS = ("open", "failed", "retrying", "waiting", "pending")


def _row_context(step: Step, **extra) -> dict:
    return {"step": step, "by_hand": manual.can_complete_by_hand(step),
            "registration": step.code in manual.NOT_BY_HAND,
            "overdue": step.chain.is_overdue(), **extra}


@officer_required
def console(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    status = status if status in STATUS_FILTERS else "open"
    rows = [_row_context(s) for s in queries.console_steps(request.user, status)]
    panels = queries.department_panels(request.user)
    return render(request, "workbench/console.html",
                  {"rows": rows, "status": status, "filters": STATUS_FILTERS,
                   "panels": panels, "now": timezone.now()})


def _answer(request: HttpRequest, step: Step, *, error: str = "", done: str = ""):
    """The row (htmx) or the list again with a message (a plain form post)."""
    if request.htmx:
        step = Step.objects.select_related("chain__application").get(pk=step.pk)
        return render(request, "workbench/_step_row.html",
                      _row_context(step, error=error, done=done))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    status = request.POST.get("status", "open")
    status = status if status in STATUS_FILTERS else "open"
    return redirect(f"{reverse('workbench:console')}?status={status}")


def _step(pk: int) -> Step:
    return get_object_or_404(Step.objects.select_related("chain__application"), pk=pk)


@require_POST
@officer_required
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    step = _step(pk)
    try:
        manual.retry_step(step, request.user)
    except manual.StepActionRefused as refused:
        return _answer(request, step, error=labels.refusal(refused))
    return _answer(request, step, done=_("已重新提交，正在办理。"))


@require_POST
@officer_required
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    step = _step(pk)
    try:
        manual.complete_by_hand(step, request.user, request.POST.get("reference", ""))
    except manual.StepActionRefused as refused:
        return _answer(request, step, error=labels.refusal(refused))
    return _answer(request, step, done=_("已人工办结，后续事项已放行。"))


@require_POST
@officer_required
def retry_failed(request: HttpRequest, code: str) -> HttpResponse:
    """Every failed step of one department asked again (its officers only: 403 else)."""
    if code not in registry.departments():
        raise Http404
    count = manual.retry_failed(code, request.user)
    if count:
        messages.success(request, ngettext("已重新提交%(count)d个事项，正在办理。",
                                           "已重新提交%(count)d个事项，正在办理。",
                                           count) % {"count": count})
    else:
        messages.info(request, _("没有需人工处理的事项。"))
    return _back(request)
