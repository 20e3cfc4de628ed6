"""Permits given for business-scope entries, checked with the departments that issue
them (许可核验) — never taken on the applicant's word.

:func:`ask` puts each permit number the rules would rely on (a prior permit, 前置许可)
to its issuing department through the ``permits`` query (:mod:`yilian.departments.
queries`), *before* the submission's transaction, so a slow department holds no lock.
:func:`relied_on` then takes, inside the transaction, only the answers given for the
application as it stands (an edit in between leaves the permit unchecked), and turns
them into the facts the rules decide on and the rows the decision records.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from yilian.departments import queries
from yilian.departments.base import TransientError
from yilian.rules.engine import needs_pre_permit, normalize
from yilian.rules.facts import Catalogues, ScopeItem

log = logging.getLogger("yilian.rules")

# What each answer tells the examiner (and the applicant, in the review comment).
MESSAGES = {
    "valid": ("发证部门核验有效", "confirmed by the issuing department"),
    "unknown": ("发证部门查无此证件", "the issuing department has no such permit"),
    "revoked": ("证件已被吊销或注销", "the permit was revoked or cancelled"),
    "activity_mismatch": ("证件许可的事项不包括该经营项目",
                          "the permit does not cover this activity"),
    "holder_mismatch": ("证件持有人不是本企业，也不是其法定代表人或出资人",
                        "the permit is held by neither this enterprise nor its legal "
                        "representative or investors"),
    "not_yet_valid": ("证件尚未生效", "the permit is not yet in force"),
    "expired": ("证件已过有效期", "the permit has expired"),
    "unreachable": ("发证部门暂时无法核验", "the issuing department could not be reached"),
    "unchecked": ("核验期间申请被修改，未能核验", "the application changed while it was "
                  "being checked"),
}


@dataclass(frozen=True)
class PermitAnswer:
    """What the issuing department said about one permit, for one payload."""

    entry_id: str
    subject: str
    item: ScopeItem
    number: str
    payload: dict[str, Any]
    ok: bool
    reason: str
    asked_at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def message_zh(self) -> str:
        return MESSAGES.get(self.reason, (f"发证部门答复：{self.reason}", ""))[0]


def scope_to_decide(application) -> list[str]:
    """The business-scope entries admission decides on: all of an establishment's; of a
    change (变更), only those it adds (:func:`yilian.forms.changes.added_scope`)."""
    if getattr(application, "purpose", "establish") == "change":
        from yilian.forms.changes import added_scope

        return added_scope(application)
    return list(application.business_scope or ())


def _prior_permits(application, catalogues: Catalogues):
    """(scope text, item, number) for each permit given for a prior-permit entry."""
    permits = application.permits if isinstance(application.permits, dict) else {}
    for text in scope_to_decide(application):
        item = catalogues.scope.get(normalize(text))
        number = str(permits.get(item.id, "")).strip() if item else ""
        if item and number and needs_pre_permit(item, catalogues):
            yield text, item, number


def _holder_ids(application) -> list[str]:
    ids = [p.id_number for p in application.people.all()
           if p.role == "legal_representative"]
    for investor in application.investors.all():
        ids.append(investor.uscc if investor.kind == "corporate" else investor.id_number)
    return sorted({i for i in ids if i})


def _payload(application, item: ScopeItem, number: str, on: dt.date) -> dict[str, Any]:
    return {"number": number, "department": item.department, "permit": item.permit,
            "activity": item.id, "holder_name": application.name,
            "holder_ids": _holder_ids(application), "on": on.isoformat()}


def ask(application, catalogues: Catalogues, on: dt.date) -> dict[str, PermitAnswer]:
    """Ask each issuing department about each prior permit given; by scope entry id. A
    department that cannot answer now is an answer too (``unreachable``)."""
    answers = {}
    service = queries.get("permits")
    for text, item, number in _prior_permits(application, catalogues):
        payload = _payload(application, item, number, on)
        try:
            answer = service.ask(payload)
            ok, reason, data = answer.ok, answer.reason, dict(answer.data)
        except TransientError as exc:
            ok, reason, data = False, "unreachable", {"error": str(exc)}
        except Exception as exc:  # an adapter's bug sends the permit to a person, not a 500
            log.exception("permits query failed")
            ok, reason, data = False, "unreachable", {"error": type(exc).__name__}
        answers[item.id] = PermitAnswer(item.id, text, item, number, payload, ok, reason,
                                        timezone.now(), data)
    return answers


def relied_on(application, catalogues: Catalogues, on: dt.date,
              answers: dict[str, PermitAnswer]) -> list[PermitAnswer]:
    """The answers that hold for ``application`` as it stands; a permit asked about for
    other particulars (edited since) or not asked about at all is ``unchecked``."""
    current = []
    for text, item, number in _prior_permits(application, catalogues):
        payload = _payload(application, item, number, on)
        answer = answers.get(item.id)
        if answer is None or answer.payload != payload:
            answer = PermitAnswer(item.id, text, item, number, payload, False, "unchecked",
                                  timezone.now())
        current.append(answer)
    return current
