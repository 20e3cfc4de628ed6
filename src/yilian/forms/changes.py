"""变更 — what a change application (变更登记, or a filing 备案) asks beyond an
establishment's: that something changed, who must consent to what changed, and which
business-scope entries the admission rules decide on again.

What changed is :func:`yilian.forms.afterwards.changes` (the submitted form against the
register's snapshot). The consent the law asks for a change is narrower than an
establishment's, where every person named confirms: the investors for a change of capital
or equity (a shareholders' resolution, 公司法 2023 第六十六条 — ``checked: false``;
Yilian asks every investor, stricter than the two-thirds the resolution needs), and
the person newly taking office as legal representative or person in charge (their
acceptance of the office, 任职文件). Directors, supervisors and the liaison are filed
(备案) on the enterprise's word.
"""

from __future__ import annotations

from yilian.codes import resident_id
from yilian.codes.errors import InvalidCode
from yilian.departments.identity import normalize_id
from yilian.forms.models import Application, InvestorKind, Role
from yilian.forms.validation._common import field_error

#: Particulars whose change every investor must agree to (capital and equity).
INVESTORS_DECIDE = frozenset({"registered_capital", "investors"})
#: Offices whose newcomer confirms taking them.
NEWCOMER_CONFIRMS = (f"people.{Role.LEGAL_REPRESENTATIVE}", f"people.{Role.PERSON_IN_CHARGE}")


def _id(number: str | None) -> str | None:
    try:
        return resident_id.validate(normalize_id(number or "")).number
    except InvalidCode:
        return None


def consenting(application: Application, changed: dict[str, list] | None = None) -> set[str]:
    """The ID numbers of the people who must confirm this change."""
    from yilian.forms import afterwards

    changed = afterwards.changes(application) if changed is None else changed
    ids: set[str | None] = set()
    if set(changed) & INVESTORS_DECIDE:
        for investor in application.investors.all():
            ids.add(_id(investor.signatory_id_number if investor.kind ==
                        InvestorKind.CORPORATE else investor.id_number))
    for office in NEWCOMER_CONFIRMS:
        if office not in changed:
            continue
        before, after = changed[office]
        held = {_id(row.get("id_number")) for row in before or ()}
        ids |= {_id(row.get("id_number")) for row in after or ()} - held
    ids.discard(None)
    return ids  # type: ignore[return-value]


def needs_consent(application: Application, party) -> bool:
    """Whether ``party`` must confirm this change (see the module's docstring)."""
    cached = getattr(application, "_consenting", None)
    if cached is None:  # asked once per party at submission: worked out once
        cached = application._consenting = consenting(application)
    return party.id_number in cached


def added_scope(application: Application) -> list[str]:
    """The business-scope entries the change adds: the only ones the admission rules
    decide on again (a licensed activity already registered was decided on then)."""
    registered = {text.strip() for text in
                  (application.registered or {}).get("business_scope") or ()}
    return [text for text in application.business_scope or ()
            if text.strip() not in registered]


def submission_errors(application: Application) -> list[dict]:
    """What refuses a change at submission beyond the form's own checks: nothing
    changed, or a change of the kind of entity (a conversion, not a change of
    particulars)."""
    from yilian.forms import afterwards

    changed = afterwards.changes(application)
    if not changed:
        return [field_error("changes", "change.nothing",
                            "与登记事项相比没有任何变更，请修改需要变更的内容后再提交",
                            "nothing differs from what is registered: change what is to "
                            "change before submitting")]
    if "org_form" in changed:
        return [field_error("org_form", "change.org_form",
                            "变更申请不能改变市场主体类型（类型转换须另行办理）",
                            "a change cannot alter the kind of market entity (a "
                            "conversion is a separate procedure)")]
    return []
