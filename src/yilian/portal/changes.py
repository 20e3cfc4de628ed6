"""变更登记 on the phone pages: open a change of an enterprise, and show what it changes.

``POST /me/enterprises/<uscc>/change/`` (``portal:change-start``) opens a change of the
enterprise for its owner — or, for window staff, at the counter for that owner — and goes
to the form's first step, pre-filled with what is registered. The step pages are the
establishment's, in change mode: a banner names the enterprise, and the check step shows
each particular that changes, before and after (:func:`rows`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yilian import labels
from yilian.accounts import roles
from yilian.accounts.permissions import has_role, role_required
from yilian.codes.errors import fold_width
from yilian.forms import afterwards, counter
from yilian.forms.access import WINDOW_ROLES
from yilian.forms.amounts import in_wan
from yilian.forms.models import Application, Purpose, Role, Seal
from yilian.registry.models import Enterprise

#: The particulars' names on the check step (the scalar fields; tables and roles below).
LABELS = {
    "name": gettext_lazy("企业名称"), "org_form": gettext_lazy("组织形式"),
    "registered_capital": gettext_lazy("注册资本"), "domicile": gettext_lazy("住所"),
    "division_code": gettext_lazy("登记机关区划"),
    "industry_code": gettext_lazy("行业代码（GB/T 4754 小类）"),
    "business_scope": gettext_lazy("经营范围"),
    "operating_term_years": gettext_lazy("经营期限（年）"),
    "composition": gettext_lazy("组成形式"), "parent_uscc": gettext_lazy("隶属企业"),
    "audit_committee": gettext_lazy("审计委员会"), "seals": gettext_lazy("印章"),
    "invoices": pgettext_lazy("particular", "发票"),
    "bank_appointment": gettext_lazy("银行开户预约"),
    "permits": gettext_lazy("许可证件"), "pledges": gettext_lazy("告知承诺"),
    "investors": gettext_lazy("出资人"), "employees": gettext_lazy("参保职工"),
}


@require_POST
@login_required
def start(request: HttpRequest, uscc: str) -> HttpResponse:
    """办理变更 — open the change and go to its first step; why not, when it cannot."""
    return _open(request, uscc)


def _open(request: HttpRequest, uscc: str) -> HttpResponse:
    enterprise = Enterprise.objects.select_related("application").filter(
        uscc=fold_width(uscc).strip().upper()).first()
    owner = enterprise.application.owner_id if enterprise and enterprise.application else None
    staff = has_role(request.user, *WINDOW_ROLES)
    if enterprise is None or not (owner == request.user.pk or staff):
        raise Http404
    try:
        if owner == request.user.pk:
            application = afterwards.open_change(enterprise, request.user)
        else:
            application = counter.open_change(request.user, enterprise)
    except afterwards.CannotOpen as exc:
        english = (get_language() or "").startswith("en")
        messages.error(request, exc.message_en if english else exc.message_zh)
        return redirect("portal:index" if owner == request.user.pk else "workbench:counter")
    name = "portal:step" if owner == request.user.pk else "workbench:counter-step"
    return redirect(reverse(name, kwargs={"pk": application.pk, "step": "enterprise"}))


@require_POST
@role_required(roles.CLERK, roles.EXAMINER)
def at_counter(request: HttpRequest) -> HttpResponse:
    """窗口办理变更 — the clerk types the enterprise's USCC (统一社会信用代码) at the
    counter; the change opens for its owner, as from the enterprise's page."""
    typed = fold_width(request.POST.get("uscc", "")).strip().upper()
    if not Enterprise.objects.filter(uscc=typed).exists():
        english = (get_language() or "").startswith("en")
        messages.error(request, "no enterprise in the register has that unified social "
                       "credit code" if english else "登记簿中没有该统一社会信用代码的市场主体")
        return redirect("workbench:counter")
    return _open(request, typed)


def context(application: Application) -> dict:
    """What a change's step pages add: the enterprise, and on the check step the rows."""
    if application.purpose != Purpose.CHANGE:
        return {}
    changed = afterwards.changes(application)
    return {"change": {"uscc": application.uscc,
                       "registered_name": (application.registered or {}).get("name", ""),
                       "rows": rows(changed),
                       "filing_only": bool(changed) and afterwards.is_filing_only(changed)}}


def rows(changed: dict[str, list]) -> list[tuple[str, str, str]]:
    """(particular, before, after) for each particular that changes, as people read them."""
    return [(_label(key), _shown(key, before), _shown(key, after))
            for key, (before, after) in changed.items()]


def _label(key: str) -> str:
    if key.startswith("people."):
        return labels.choice(Role, key.split(".", 1)[1])
    return str(LABELS.get(key, key))


def _shown(key: str, value) -> str:
    if value in (None, "", [], {}):
        return "—"
    if key == "registered_capital":
        return _("%(amount)s 万元") % {"amount": in_wan(value)}
    if key == "seals":
        return "、".join(labels.choice(Seal, v) for v in value)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "、".join(_row(key, row) for row in value)
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items() if v not in (None, "", []))
    return str(value)


def _row(key: str, row: dict) -> str:
    """A person by name; an investor with what they subscribe."""
    if key == "investors" and row.get("amount"):
        return _("%(name)s（%(amount)s 万元）") % {"name": row.get("name", ""),
                                                  "amount": in_wan(row["amount"])}
    return str(row.get("name") or "—")
