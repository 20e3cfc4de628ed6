"""The rows of a business license (营业执照登记事项), one layout per family of kinds.

What a license prints depends on its kind (docs/entity-kinds.md §6): a company its 法定代表人
and 注册资本, an individual business its 经营者 and 组成形式, a partnership its 执行事务合伙人
and 合伙期限, a branch its 负责人, a sole proprietorship its 投资人. The rows are the
catalogue's (``license_rows`` of :mod:`yilian.refdata.kinds`); their labels are this
module's, unless the kind says otherwise (``license_labels``, or the capital's own term:
出资额). A license names its kind in its content (``kind``), so the PDF and
the verification page lay out what it carries; one issued before issue 12 has no ``kind``
and keeps the layout it was issued with (:data:`LABELS`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from yilian.refdata import kinds

# The license as issued before issue 12: these members, in print order. The license is
# printed in Chinese whatever the reader's language; the verification page shows these
# labels translated (marked here for the catalogue, translated there).
LABELS: dict[str, str] = {
    "uscc": gettext_noop("统一社会信用代码"),
    "name": gettext_noop("名称"),
    "type": gettext_noop("类型"),
    "legal_representative": gettext_noop("法定代表人"),
    "registered_capital": gettext_noop("注册资本"),
    "established": gettext_noop("成立日期"),
    "operating_term": gettext_noop("营业期限"),
    "domicile": gettext_noop("住所"),
    "business_scope": gettext_noop("经营范围"),
    "registration_authority": gettext_noop("登记机关"),
    "issued": gettext_noop("发照日期"),
}

#: Every member a license may print, with its usual label.
ROW_LABELS: dict[str, str] = {
    **LABELS,
    "operator": gettext_noop("经营者"),
    "composition": gettext_noop("组成形式"),
    "investor": gettext_noop("投资人"),
    "managing_partner": gettext_noop("执行事务合伙人"),
    "person_in_charge": gettext_noop("负责人"),
    "premises": gettext_noop("经营场所"),
}

# The labels a kind prints instead (the catalogue's license_labels and capital terms), so
# the verification page can translate them.
_KIND_LABELS = (gettext_noop("出资额"), gettext_noop("资金数额"),
                gettext_noop("合伙期限"), gettext_noop("主要经营场所"), gettext_noop("注册日期"))

#: The catalogue's row names that are spelled otherwise in the license's content.
MEMBERS = {"term": "operating_term", "scope": "business_scope"}
#: Printed below the rows, on every license: who issued it and when.
FOOTER = ("registration_authority", "issued")
#: Printed in the right-hand column (money, dates, places); the rest go on the left.
RIGHT = ("registered_capital", "established", "operating_term", "domicile", "premises")

SOLE_PROPRIETORSHIP = "个人独资企业"


def member(row: str) -> str:
    """The content member of the catalogue's license row ``row``."""
    return MEMBERS.get(row, row)


def label(kind: kinds.Kind, row: str) -> str:
    """The label ``kind``'s license prints for ``row``."""
    own = kind.spec.get("license_labels", {}).get(row)
    if own:
        return own
    capital = kind.spec.get("capital")
    if row == "registered_capital" and capital:
        return capital["term_zh"]
    return ROW_LABELS[member(row)]


def kind_of(fields: dict[str, Any]) -> kinds.Kind | None:
    """The kind a license's content names, or None for one issued before issue 12."""
    return kinds.all_kinds().get(str(fields.get("kind", "")))


def labels_for(fields: dict[str, Any]) -> dict[str, str]:
    """Every member ``fields`` prints, in print order, with its Chinese label."""
    kind = kind_of(fields)
    if kind is None:
        return _old_labels(fields)
    labels = {member(row): label(kind, row) for row in kind.spec["license_rows"]}
    # A member a later edition's rows dropped still shows, so nothing signed is hidden.
    labels |= {key: text for key, text in ROW_LABELS.items()
               if key in fields and key not in labels and key not in FOOTER}
    return labels | {key: ROW_LABELS[key] for key in FOOTER}


def _old_labels(fields: dict[str, Any]) -> dict[str, str]:
    """A license issued before issue 12: the fixed layout, where a sole proprietorship
    (个人独资企业) printed its investor (投资人) and contribution (出资额) in the legal
    representative's and the registered capital's places."""
    labels = dict(LABELS)
    if fields.get("type") == SOLE_PROPRIETORSHIP:
        labels["legal_representative"] = gettext_noop("投资人")
        labels["registered_capital"] = gettext_noop("出资额")
    return labels


def columns(fields: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The license's two columns: names, people and the business scope (last, as the
    longest) on the left; money, dates and the place on the right."""
    printed = [key for key in labels_for(fields) if key not in FOOTER and key != "uscc"]
    left = [key for key in printed if key not in RIGHT and key != "business_scope"]
    if "business_scope" in printed:
        left.append("business_scope")
    return tuple(left), tuple(key for key in printed if key in RIGHT)
