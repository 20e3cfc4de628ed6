"""The register's side of a change (变更登记 / 备案) and of a closing (注销登记): what the
registration step does, in its own transaction, when the one form it is sent is not an
establishment (docs/changes-and-closing.md)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yilian.departments.base import PermanentError
from yilian.registry import history
from yilian.registry.models import Enterprise, EnterpriseStatus, EventKind

#: The register entry's own columns a change may set, from the form's particulars.
COLUMNS = ("name", "org_form", "division_code", "industry_code")


def apply(purpose: str, payload: dict[str, Any], application_id) -> dict[str, Any]:
    """Enter the change or the closing ``payload`` describes; returns what the step
    keeps (the enterprise, the event, and whether a license is to be (re)issued)."""
    from yilian.forms.afterwards import is_filing_only

    enterprise = _locked(payload["uscc"])
    if enterprise.status == EnterpriseStatus.CLOSED:
        raise PermanentError("该市场主体已注销 / the enterprise is closed")
    if purpose == "close":
        enterprise.status = EnterpriseStatus.CLOSED
        enterprise.closed_on = timezone.localdate()
        enterprise.save(update_fields=["status", "closed_on"])
        history.record(enterprise, EventKind.CLOSED, application_id)
        return {"uscc": enterprise.uscc, "event": EventKind.CLOSED,
                "closed_on": enterprise.closed_on.isoformat()}
    changed = payload.get("changes") or {}
    kind = EventKind.FILED if is_filing_only(changed) else EventKind.CHANGED
    columns = [field for field in COLUMNS if field in changed]
    for field in columns:
        setattr(enterprise, field, changed[field][1] or "")
    if columns:
        enterprise.save(update_fields=columns)
    history.record(enterprise, kind, application_id, changed)
    return {"uscc": enterprise.uscc, "event": kind}


def _locked(uscc: str) -> Enterprise:
    try:
        return Enterprise.objects.select_for_update().get(uscc=uscc)
    except Enterprise.DoesNotExist:
        raise PermanentError(f"登记簿中没有 {uscc} / {uscc} is not in the register") from None


def finish(application_id, data: dict[str, Any]) -> None:
    """After the register changed, in the same transaction: a change of a registered
    particular reissues the license (the old one is superseded), a closing revokes it;
    a filing leaves it as it is."""
    from yilian.forms.models import Application
    from yilian.licenses import services as licenses

    enterprise = Enterprise.objects.get(uscc=data["uscc"])
    # The change is in the register: the enterprise may take the next one.
    Application.objects.filter(pk=application_id).update(open_on=None)
    if data["event"] == EventKind.CHANGED:
        application = (Application.objects.prefetch_related("people")
                       .get(pk=application_id))
        licenses.issue_license(application, enterprise)
    elif data["event"] == EventKind.CLOSED:
        licenses.revoke(enterprise)
