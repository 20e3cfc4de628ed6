"""企业档案 — one enterprise's page after registration: its standing in the register
(存续 / 注销中 / 注销), every registration event (设立、变更、备案、注销) with what changed,
each license version it was issued, and the chain each application ran.

The owner and window staff read it (at the counter a clerk opens it by the code); anyone
else gets 404, as for a code that is not in the register, so the page does not tell who
registered what. The buttons for a change (办理变更) and a closing (办理注销) are only
shown while the enterprise is active; their views belong to the change and closing parts,
so their paths are built here from the code alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from yilian import labels
from yilian.accounts.permissions import has_role
from yilian.chain.models import Chain, StepStatus
from yilian.codes.errors import fold_width
from yilian.forms.access import WINDOW_ROLES
from yilian.forms.models import Purpose, Role
from yilian.licenses.models import License, LicenseStatus
from yilian.licenses.services import version_links
from yilian.refdata import kinds
from yilian.registry import history
from yilian.registry.models import Enterprise, EnterpriseStatus, EventKind

#: The particulars a change may touch, in the reader's language (the keys of
#: :func:`yilian.forms.afterwards.changes`; ``people.<role>`` take the role's label).
PARTICULARS = {
    "name": _("企业名称"), "org_form": _("组织形式"), "registered_capital": _("注册资本"),
    "domicile": _("住所"), "division_code": _("行政区划"), "industry_code": _("行业"),
    "business_scope": _("经营范围"), "operating_term_years": _("营业期限（年）"),
    "composition": _("组成形式"), "parent_uscc": _("隶属企业"),
    "audit_committee": _("审计委员会"), "seals": _("印章"), "invoices": _("发票"),
    "bank_appointment": _("银行开户预约"), "permits": _("许可证件"), "pledges": _("告知承诺"),
    "investors": _("出资人"), "employees": _("参保职工"),
}
# The same words name other things in other catalogues (设立登记 is also the registration
# step; the dashboard counts 变更登记), and Django merges every app's catalogue: a context
# keeps each meaning its own translation.
EVENT_LABELS = {EventKind.ESTABLISHED: pgettext_lazy("registration event", "设立登记"),
                EventKind.CHANGED: pgettext_lazy("registration event", "变更登记"),
                EventKind.FILED: pgettext_lazy("registration event", "备案"),
                EventKind.CLOSED: pgettext_lazy("registration event", "注销登记")}
STATUS_LABELS = {EnterpriseStatus.ACTIVE: pgettext_lazy("enterprise standing", "存续"),
                 EnterpriseStatus.CLOSING: pgettext_lazy("enterprise standing", "注销中"),
                 EnterpriseStatus.CLOSED: pgettext_lazy("enterprise standing", "已注销")}
LICENSE_LABELS = {LicenseStatus.CURRENT: pgettext_lazy("license standing", "现行有效"),
                  LicenseStatus.SUPERSEDED: pgettext_lazy("license standing", "已换发"),
                  LicenseStatus.REVOKED: pgettext_lazy("license standing", "已注销作废")}
PURPOSE_FULL = {Purpose.ESTABLISH: pgettext_lazy("application purpose", "设立登记申请"),
                Purpose.CHANGE: pgettext_lazy("application purpose", "变更登记申请"),
                Purpose.CLOSE: pgettext_lazy("application purpose", "注销登记申请")}
PURPOSE_LABELS = {Purpose.ESTABLISH: pgettext_lazy("application purpose", "设立"),
                  Purpose.CHANGE: pgettext_lazy("application purpose", "变更"),
                  Purpose.CLOSE: pgettext_lazy("application purpose", "注销")}


@dataclass(frozen=True)
class Changed:
    """One particular that changed: its label, and the value before and after."""

    key: str
    label: str
    before: str
    after: str


@dataclass
class Event:
    """One registration event as the page shows it."""

    kind: str
    label: str
    at: Any
    source: str
    changes: list[Changed]
    application_url: str | None = None
    license: License | None = None
    chain: Chain | None = None
    steps: list[tuple[str, str, str]] = field(default_factory=list)


def find(uscc: str, user) -> Enterprise:
    """The enterprise of ``uscc`` if ``user`` may read its page, else 404."""
    enterprise = (Enterprise.objects.select_related("application")
                  .filter(uscc=fold_width(uscc).strip().upper()).first())
    if enterprise is None or not may_read(user, enterprise):
        raise Http404
    return enterprise


def may_read(user, enterprise: Enterprise) -> bool:
    """The owner of the application that registered it, or window staff (an imported
    enterprise has no owner here: window staff only). Narrower than the API's reader
    (:mod:`yilian.api.enterprises`, which registration officers also read): the page is
    the applicant's and the counter's, an officer works from the department console."""
    if has_role(user, *WINDOW_ROLES):
        return True
    return enterprise.application is not None and enterprise.application.owner_id == user.pk


@require_GET
def page(request: HttpRequest, uscc: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    enterprise = find(uscc, request.user)
    kind = kinds.all_kinds().get(enterprise.org_form)
    active = enterprise.status == EnterpriseStatus.ACTIVE
    licenses = list(enterprise.licenses.order_by("-version"))
    here = reverse("portal:enterprise", kwargs={"uscc": enterprise.uscc})
    return render(request, "portal/enterprise.html", {
        "enterprise": enterprise,
        "kind_name": (kind.en if (get_language() or "").startswith("en") else kind.zh)
        if kind else enterprise.org_form,
        "status_label": STATUS_LABELS.get(enterprise.status, enterprise.status),
        "events": events(enterprise, request.user, licenses),
        "licenses": [(lic, LICENSE_LABELS.get(lic.status, lic.status), version_links(lic))
                     for lic in licenses],
        "open_application": _open_application(enterprise, request.user),
        # The change and closing views are the change and closing parts' own, under
        # this page's path (portal:change-start, portal:closing-start).
        "change_url": f"{here}change/" if active else None,
        "close_url": (reverse("workbench:counter-closing", kwargs={"uscc": enterprise.uscc})
                      if has_role(request.user, *WINDOW_ROLES) else f"{here}close/")
        if active else None,
        "verify_url": reverse("licenses:verify", kwargs={"uscc": enterprise.uscc}),
    })


def events(enterprise: Enterprise, user, licenses: list[License]) -> list[Event]:
    """Every registration event, newest first, each with the license it issued and the
    chain its application ran."""
    entries = history.timeline(enterprise)
    app_ids = [e.application_id for e in entries if e.application_id]
    chains = {c.application_id: c for c in Chain.objects.filter(application_id__in=app_ids)
              .prefetch_related("steps")}
    issued = {lic.application_id: lic for lic in licenses}
    shown = []
    for entry in entries:
        app_id = entry.application_id
        chain = chains.get(app_id)
        shown.append(Event(
            kind=entry.kind, label=EVENT_LABELS.get(entry.kind, entry.kind), at=entry.at,
            source=entry.source, changes=changed_rows(entry.changes),
            application_url=application_url(app_id, enterprise, user) if app_id else None,
            license=issued.get(app_id) if entry.kind in (EventKind.ESTABLISHED,
                                                         EventKind.CHANGED) else None,
            chain=chain, steps=_steps(chain)))
    return shown[::-1]


def purpose_of(application) -> dict[str, Any]:
    """What an application's page says it is for (设立 / 变更 / 注销) and, once the
    enterprise is in the register, the link to its page."""
    uscc = application.uscc if Enterprise.objects.filter(uscc=application.uscc).exists() \
        else None
    return {"purpose_label": PURPOSE_FULL.get(application.purpose, application.purpose),
            "enterprise_url": reverse("portal:enterprise", kwargs={"uscc": uscc})
            if uscc else None}


def application_url(app_id, enterprise: Enterprise, user) -> str:
    """The owner's progress page; window staff's review page (the owner's is not theirs)."""
    owner_id = enterprise.application.owner_id if enterprise.application else None
    if owner_id == user.pk:
        return reverse("portal:detail", kwargs={"pk": app_id})
    return reverse("workbench:detail", kwargs={"pk": app_id})


def _open_application(enterprise: Enterprise, user) -> tuple[Any, str, str] | None:
    """The change or closing under way, if any: (application, purpose label, its page)."""
    application = getattr(enterprise, "open_application", None)
    if application is None:
        return None
    return (application, PURPOSE_LABELS.get(application.purpose, application.purpose),
            application_url(application.pk, enterprise, user))


def _steps(chain: Chain | None) -> list[tuple[str, str, str]]:
    if chain is None:
        return []
    return [(labels.step_name(step.code), step.status, labels.choice(StepStatus, step.status))
            for step in sorted(chain.steps.all(), key=lambda s: (s.started_at is None,
                                                                    s.started_at, s.pk))]


def changed_rows(changes: dict[str, list]) -> list[Changed]:
    """``{particular: [before, after]}`` as rows a reader follows, in the form's order."""
    order = list(PARTICULARS)
    rows = []
    for key in sorted(changes, key=lambda k: (order.index(k) if k in order else len(order),
                                              k)):
        pair = changes[key] if isinstance(changes[key], list | tuple) else [None, None]
        before, after = (list(pair) + [None, None])[:2]
        rows.append(Changed(key, particular_label(key), show(key, before), show(key, after)))
    return rows


def particular_label(key: str) -> str:
    if key.startswith("people."):
        return labels.choice(Role, key.removeprefix("people."))
    return str(PARTICULARS.get(key, key))


def show(key: str, value: Any) -> str:
    """A value of the register in a line of text: the capital in 万元, tables by name."""
    if value in (None, "", [], {}):
        return "—"
    if key == "registered_capital":
        return _wan(value)
    if key == "org_form":
        kind = kinds.all_kinds().get(value)
        return kind.zh if kind else str(value)
    if isinstance(value, list):
        return "；".join(_row(key, item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    return str(value)


def _row(key: str, item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    name = str(item.get("name") or "—")
    if key == "investors" and item.get("amount") not in (None, ""):
        return f"{name} {_wan(item['amount'])}"
    return name


def _wan(amount: Any) -> str:
    try:
        wan = Decimal(str(amount)) / 10000
    except InvalidOperation:
        return str(amount)
    return gettext("%(amount)s万元") % {"amount": format(wan.normalize(), "f")}
