"""Live checks (实时校验) for the form's pages, answered as small htmx fragments.

- the name, as it is typed: can it be used, and if not which existing enterprise (or
  reservation) it clashes with under which rule (:func:`yilian.names.services.check_name`);
- one field as the applicant leaves it: a resident ID (GB 11643), a USCC, an amount, a
  mobile number — each with the one-form's own rules (:mod:`yilian.forms.validation`);
- the business-scope catalogue search (经营范围规范表述).

Applicants use them online, and window staff at the counter while filling the form for
an applicant (the same step pages, :mod:`yilian.portal.editors`).

A fragment carries ``data-for`` (the input's id) and ``data-invalid`` so that
``portal.js`` can mirror the verdict on the input's ``aria-invalid``.
"""

from __future__ import annotations

import re
import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET
from rest_framework import serializers

from yilian.accounts import roles
from yilian.accounts import services as accounts
from yilian.accounts.permissions import has_role, role_required
from yilian.api.errors import flatten as flatten_errors
from yilian.api.fields import money
from yilian.codes import uscc
from yilian.codes.errors import InvalidCode
from yilian.forms import amounts, validation
from yilian.forms.models import Application
from yilian.forms.validation import kinds as kind_checks
from yilian.forms.validation._common import check_registered
from yilian.names import services as names
from yilian.portal import presenters, steps

_FIELD_ID = re.compile(r"^[a-z_]+(-\d+)?(-[a-z_]+)*$")
# The serializer field that types each kind of amount: one parser for API and portal.
_MONEY = money(16)(max_digits=16)
# Who may run the checks: whoever fills the form's step pages.
_FILLERS = (roles.APPLICANT, roles.CLERK, roles.EXAMINER)


@require_GET
@role_required(*_FILLERS)
def check_name(request: HttpRequest) -> HttpResponse:
    """名称自主申报 as it is typed."""
    name = request.GET.get("name", "").strip()
    verdict = None
    if name:
        verdict = names.check_name(name, request.GET.get("division_code", "").strip(),
                                   request.GET.get("org_form") or None,
                                   user=_applicant(request),
                                   industry_code=request.GET.get("industry_code", "").strip(),
                                   parent_uscc=request.GET.get("parent_uscc", "").strip())
    language = get_language()
    return render(request, "portal/_name_check.html", {
        "name": name, "verdict": verdict,
        "problems": [steps.message(p.as_error(), language) for p in verdict.problems]
        if verdict else [],
        "conflicts": [(c, presenters.NAME_RULES.get(c.rule, c.rule),
                       steps.message(c.as_error(), language)) for c in verdict.conflicts]
        if verdict else [],
    })


def _applicant(request: HttpRequest):
    """Whose name it would be: the signed-in applicant, or — for window staff filling the
    form at the counter (``?application=<id>``) — that application's applicant, so their
    own reservation is not reported as someone else's."""
    if has_role(request.user, roles.CLERK, roles.EXAMINER):
        try:
            pk = uuid.UUID(request.GET.get("application", ""))
        except ValueError:
            return request.user
        application = Application.objects.select_related("owner").filter(pk=pk).first()
        if application is not None:
            return application.owner
    return request.user


@require_GET
@role_required(*_FILLERS)
def check_parent(request: HttpRequest) -> HttpResponse:
    """分公司的隶属企业, looked up in the register as its credit code is left: the
    company's name when it is there, the reason when not."""
    code = request.GET.get("parent_uscc", "").strip()
    return render(request, "portal/_parent.html", parent_found(code, get_language()))


def parent_found(code: str, language: str) -> dict:
    """The parent company of credit code ``code`` as the page shows it (and the step page
    renders it the same way, without a script)."""
    errors = validation.Errors()
    parent = kind_checks.parent_company(errors, code) if code else None
    return {"parent": parent, "code": code,
            "message": steps.message(errors[0], language) if errors else ""}


@require_GET
@role_required(*_FILLERS)
def check_field(request: HttpRequest, kind: str) -> HttpResponse:
    """One field, as the applicant leaves it: ``?for=<input id>&<input id>=<value>``."""
    if kind not in _CHECKS:
        raise Http404
    field_id = request.GET.get("for", "")
    if not _FIELD_ID.match(field_id):
        raise Http404
    value = request.GET.get(field_id, "").strip()
    errors = _CHECKS[kind](value) if value else []
    language = get_language()
    return render(request, "portal/_check.html", {
        "for": field_id, "message": steps.message(errors[0], language) if errors else ""})


def _resident_id(value: str) -> list[dict]:
    errors = validation.Errors()
    validation.check_id(errors, "", value.upper(), timezone.localdate())
    return list(errors)


def _uscc(value: str) -> list[dict]:
    """A corporate investor's credit code: well formed, and in the register (issue 12), as
    submission will require."""
    errors = validation.Errors()
    try:
        code = uscc.validate(value.upper()).code
    except InvalidCode as exc:
        errors.invalid("", exc)
    else:
        check_registered(errors, "investors.uscc", code)
    return list(errors)


def _amount(value: str) -> list[dict]:
    try:
        amount = _MONEY.run_validation(value)
    except serializers.ValidationError as exc:
        return flatten_errors(exc.detail)
    errors = validation.Errors()
    validation.check_money(errors, "amount", amount, "金额", "amount")
    return list(errors)


def _wan(value: str) -> list[dict]:
    """An amount typed in 万元 as the step pages read it (:mod:`yilian.forms.amounts`)."""
    try:
        amount = amounts.parse_amount(value, "wan")
    except amounts.AmountError as exc:
        return [exc.as_error("")]
    errors = validation.Errors()
    validation.check_money(errors, "amount", amount, "金额", "amount")
    return list(errors)


def _phone(value: str) -> list[dict]:
    try:
        accounts.normalize_phone(value)
    except accounts.CodeError as exc:
        return [{"field": "", "code": exc.code, "message_zh": exc.message_zh,
                 "message_en": exc.message_en}]
    return []


_CHECKS = {"id": _resident_id, "uscc": _uscc, "amount": _amount, "wan": _wan,
           "phone": _phone}


@require_GET
@role_required(*_FILLERS)
def scope_search(request: HttpRequest) -> HttpResponse:
    """The scope picker's results for ``q``, each with its flags and an add button."""
    query = request.GET.get("q", "").strip()
    return render(request, "portal/_scope_results.html", {
        "q": query, "results": presenters.scope_results(query) if query else []})
