"""部门工作台 — the department officer's console: their departments' steps, and two
actions on a step (retry now; complete by hand with a reference number) from
:mod:`yilian.chain.manual`. With htmx an action answers the step's row, swapped in
place; without it, the page posts and comes back to the list.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
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
    departments = [registry.get(c) for c in queries.visible_departments(request.user)]
    return render(request, "workbench/console.html",
                  {"rows": rows, "status": status, "filters": STATUS_FILTERS,
                   "departments": departments, "now": timezone.now()})


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
