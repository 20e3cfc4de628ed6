"""The kind of market entity (市场主体类型) on the form's pages: asked first, in words.

A first-time applicant does not know "有限合伙企业" but knows "有人出钱、有人管事的合伙":
each kind of the catalogue (:mod:`yilian.refdata.kinds`) is offered as what the person
wants to do, with a line saying what it means, grouped so the common choices come first
(individual businesses are most of what a zone registers). What the pages then ask of
the chosen kind — its capital's term, its members' word and columns, an individual
business's composition, a branch's parent — is read from the same catalogue, so the
pages ask exactly what the submission checks (:mod:`yilian.forms.validation.kinds`)
require.

A kind not open online yet (``available: false``, :func:`yilian.refdata.kinds.is_open`)
is shown, not hidden, and says where it is handled instead (the window): an applicant
who needs one learns where to go rather than wondering whether it exists
(docs/DECISIONS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yilian.refdata import kinds

#: (group title, ((kind code, what the applicant wants, what it means), …)), most common
#: first. Every kind of the catalogue is in exactly one group (tests/portal/test_kinds.py).
GROUPS: tuple[tuple[Promise, tuple[tuple[str, Promise, Promise], ...]], ...] = (
    (_("最常见"), (
        ("individual_business", _("开一家店或摊位（个体工商户）"),
         _("一个人或一家人经营，如小吃店、理发店、网店；不用注册资本，手续最简单。")),
        ("llc_single_natural", _("一个人开公司（有限责任公司）"),
         _("只有您一位股东，以认缴的出资额为限承担责任。")),
        ("llc_multi", _("和别人一起开公司（有限责任公司）"),
         _("两位以上股东（个人或企业）共同出资，各以认缴的出资额为限承担责任。")),
    )),
    (_("和朋友合伙"), (
        ("partnership_general", _("和朋友合伙做生意（普通合伙企业）"),
         _("两人以上合伙，每位合伙人对企业债务承担无限连带责任；可以用劳务出资。")),
        ("partnership_limited", _("有人出钱、有人管事的合伙（有限合伙企业）"),
         _("至少一位普通合伙人管事并承担无限责任；有限合伙人只出资，以出资额为限承担责任。")),
        ("partnership_special", _("律师、会计师等专业机构合伙（特殊普通合伙企业）"),
         _("以专业知识和技能提供有偿服务的机构，如律师事务所、会计师事务所。")),
    )),
    (_("其他"), (
        ("branch", _("为已有公司设分公司"),
         _("分公司不是独立法人，由所属公司承担责任；不登记注册资本。")),
        ("cooperative", _("农民专业合作社"),
         _("五位以上成员，农民至少占八成，共同生产经营、互助服务。")),
        ("sole_proprietorship", _("一个人投资办企业（个人独资企业）"),
         _("一个人投资，以个人财产对企业债务承担无限责任；名称中不能用“公司”。")),
        ("llc_single_corporate", _("企业独资设立公司（法人独资有限责任公司）"),
         _("一家企业作为唯一股东出资设立。")),
        ("joint_stock", _("成立股份有限公司"),
         _("由发起人认购设立时发行的全部股份，股款在公司成立前缴足。")),
    )),
)

CLOSED_NOTE = _("暂不能在网上办理，请到政务服务中心窗口办理")


@dataclass(frozen=True)
class KindChoice:
    code: str
    label: str
    explanation: str
    open: bool
    checked: bool


def groups(current: str) -> list[tuple[str, list[KindChoice]]]:
    """The kind question's choices, grouped, ``current`` checked."""
    return [(str(title), [KindChoice(code, str(label), str(explanation),
                                     kinds.is_open(kinds.get(code)), code == current)
                          for code, label, explanation in choices])
            for title, choices in GROUPS]


def of(data: dict) -> kinds.Kind | None:
    """The kind the form names, or None while none (or an unknown one) is chosen."""
    return kinds.all_kinds().get(data.get("org_form") or "")


# The capital's label per the catalogue's term (资金数额 is an individual business's funds,
# not a registered capital): the term as written in the catalogue, in 万元.
CAPITAL_LABELS = {
    "注册资本": _("注册资本（认缴，万元）"),
    "注册资本（股本总额）": _("注册资本（股本总额，万元）"),
    "出资额": _("出资额（万元）"),
    "成员出资总额": _("成员出资总额（万元）"),
    "资金数额": _("资金数额（万元）"),
}
NAME_HINTS = {
    "individual": _("可以不用名称；用名称的：县（区）名 + 字号 + 行业 + 店、馆、部、行、中心、"
                    "工作室等，如：威海环翠区张记小吃店"),
    "partnership": _("行政区划 + 字号 + 行业 + 组织形式，如：威海一链咨询中心（普通合伙）"),
    "branch": _("所属公司的名称 + 地名或字号 + 分公司，如：威海一链科技有限公司环翠分公司"),
    "cooperative": _("行政区划 + 字号 + 行业 + 专业合作社，如：威海一链果蔬专业合作社"),
    "sole": _("行政区划 + 字号 + 行业 + 组织形式，不得使用“有限”“公司”字样"),
}
NAME_HINT = _("行政区划 + 字号 + 行业 + 组织形式，如：威海一链科技有限公司")


def enterprise_context(data: dict) -> dict:
    """What the enterprise step asks of the form's kind: the capital (its term, or none for
    a branch), an individual business's composition, a branch's parent, the operating term
    where the license shows one, the name's hint and whether it may be left out."""
    kind = of(data)
    spec = kind.spec if kind else {}
    capital = spec.get("capital", {}) if kind else {}
    term = (capital or {}).get("term_zh", "注册资本")
    composition = spec.get("composition")
    return {
        "kind": kind,
        "kind_groups": groups(data.get("org_form") or ""),
        "kind_closed": kind is not None and not kinds.is_open(kind),
        "closed_note": CLOSED_NOTE,
        "capital_label": CAPITAL_LABELS.get(term, CAPITAL_LABELS["注册资本"])
        if capital is not None else None,
        "compositions": [(code, _COMPOSITIONS[code]) for code in composition["choices"]]
        if composition else [],
        "asks_parent": bool(spec.get("parent")),
        "asks_term": "term" in spec.get("license_rows", ("term",)),
        "name_optional": bool(spec.get("name_optional")),
        "name_hint": NAME_HINTS.get(kind.family, NAME_HINT) if kind else NAME_HINT,
    }


_COMPOSITIONS = {"individual": _("个人经营"), "family": _("家庭经营（家庭成员参加经营）")}


def enterprise_fields(data: dict) -> dict:
    """The enterprise step's POST trimmed to its kind: a field the kind does not have is
    sent empty (a composition left from an earlier choice of kind would be refused at
    submission, and the applicant could not see it to clear it)."""
    kind = of(data)
    spec = kind.spec if kind else {}
    if not spec.get("composition"):
        data["composition"] = ""
    if not spec.get("parent"):
        data["parent_uscc"] = ""
    if kind is not None and spec.get("capital", {}) is None:
        data["registered_capital"] = None
    if "term" not in spec.get("license_rows", ("term",)):
        data["operating_term_years"] = None
    return data


@dataclass(frozen=True)
class Members:
    """How the investors step asks the kind's members (the catalogue's ``members``)."""

    term: str            # 股东, 合伙人, 发起人, 成员, 经营者
    natural_only: bool   # no type column: every member is a natural person
    amounts: bool        # contributions asked (an operator's are not: the funds are the business's)
    partners: bool       # liability, managing, appointed representative
    farmers: bool        # the farmer flag
    shares: bool         # shares subscribed (认购股份数): a joint-stock company's promoters
    single: bool         # exactly one member: no "add" button once there is one
    amount_label: str
    methods: tuple[str, ...]


TERMS = {"股东": _("股东"), "合伙人": _("合伙人"), "发起人": _("发起人"), "成员": _("成员"),
         "经营者": _("经营者"), "投资人": _("投资人")}


def members(data: dict) -> Members | None:
    """The investors step's shape for the form's kind; None for a kind with no members of
    its own (a branch). A form with no kind yet is asked as a company's shareholders."""
    kind = of(data) or kinds.get("llc_multi")
    spec = kind.members
    if spec is None:
        return None
    term = spec["term_zh"]
    return Members(
        term=str(TERMS.get(term, term)), natural_only=spec["kinds"] == ["natural"],
        amounts=spec.get("amounts", True) is not False,
        partners=kind.family == "partnership", farmers=kind.family == "cooperative",
        shares=bool(kind.spec.get("capital", {}).get("shares")),
        single=tuple(spec["counts"]) == (1, 1),
        amount_label=str(_("认购股款（万元）") if kind.spec.get("capital", {}).get("shares")
                         else _("认缴出资额（万元）")),
        methods=tuple(kind.spec.get("contribution_methods", ())))
