"""Kinds of market entity (市场主体类型) — what the law asks of each, as data.

One data file (``data/kinds.json``, edition ``market-entities-2026.1``) describes every kind
Yilian registers or is to register (issue 12): who its members are (股东, 发起人, 合伙人,
成员, 经营者) and how many, what its capital is called and when it is paid, its offices
(by reference to :mod:`yilian.refdata.offices` or inline), the organization-form words its
name ends in, the first two characters of its credit code (GB 32100), the chain steps it
needs and the rows of its license. Each requirement names its legal basis, whether that
wording was read against a published text (``checked``) and which (``read_in``); the
catalogue's ``type_labels`` give the 类型 a license prints (:func:`type_label`).
docs/entity-kinds.md is the contract the form, names, chain, licenses and dashboard
implement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from yilian.refdata._files import read_json

#: GB 32100-2015: registration authority 9 (market regulation), then the entity class:
#: 1 enterprise, 2 individual business, 3 farmers' specialized cooperative.
USCC_PREFIX_BY_FAMILY = {"company": "91", "sole": "91", "partnership": "91", "branch": "91",
                         "individual": "92", "cooperative": "93"}


@dataclass(frozen=True)
class Kind:
    """One kind of market entity; ``spec`` is its entry in the data file as written."""

    code: str
    zh: str
    en: str
    family: str
    uscc_prefix: str
    #: Can it be applied for yet? A kind becomes available when every part of Yilian
    #: (form, pages, names, chain, license, dashboard) handles it: docs/entity-kinds.md.
    available: bool
    spec: dict[str, Any] = field(repr=False, compare=False)

    @property
    def members(self) -> dict[str, Any] | None:
        """Who holds the entity (股东, 发起人, 合伙人, 成员, 经营者) — the form's
        investors table — or None where no one does (a branch)."""
        return self.spec.get("members")

    @property
    def member_counts(self) -> tuple[int, int | None] | None:
        members = self.spec.get("members")
        return tuple(members["counts"]) if members else None

    @property
    def name_forms(self) -> tuple[str, ...]:
        return tuple(self.spec.get("name_forms", ()))

    @property
    def required_steps(self) -> tuple[str, ...]:
        return tuple(self.spec["steps"]["required"])

    @property
    def optional_steps(self) -> tuple[str, ...]:
        return tuple(self.spec["steps"].get("optional", ()))

    def bases(self) -> list[Basis]:
        """Every basis the entry cites, for review and the tests."""
        return _bases(self.spec, self.code)


class Basis(NamedTuple):
    """One requirement's source: where in the catalogue, the law and article as cited,
    whether the article was read against a published text (``checked``) and where
    (``read_in``: keys of the catalogue's ``texts``)."""

    where: str
    text: str
    checked: bool
    read_in: tuple[str, ...]


def _bases(node: Any, where: str) -> list[Basis]:
    found: list[Basis] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("basis") and isinstance(value, str):
                prefix = key[:-len("basis")]
                found.append(Basis(f"{where}.{key}", value, bool(node.get(prefix + "checked")),
                                   tuple(node.get(prefix + "read_in", ()))))
            else:
                found.extend(_bases(value, f"{where}.{key}"))
    return found


@cache
def _data() -> dict:
    return read_json("kinds.json")


def edition() -> str:
    return _data()["edition"]


@cache
def all_kinds() -> dict[str, Kind]:
    """Every kind by code, in the file's order."""
    return {code: Kind(code, spec["zh"], spec["en"], spec["family"], spec["uscc_prefix"],
                       bool(spec.get("available")), spec)
            for code, spec in _data()["kinds"].items()}


def get(code: str) -> Kind:
    """The kind called ``code``; ``KeyError`` for one the catalogue does not know."""
    return all_kinds()[code]


def is_open(kind: Kind) -> bool:
    """Can ``kind`` be applied for online? Its catalogue flag, or ``YILIAN_KINDS_OPEN``
    (training and the browser tests open a kind ahead of the flag); the form's pages and
    the submission checks both ask this, so a page never offers what submission refuses."""
    from django.conf import settings

    return kind.available or kind.code in getattr(settings, "KINDS_OPEN", ())


def entity_class(org_form: str) -> str:
    """The credit code's second character for ``org_form`` (GB 32100: 1 enterprise, 2
    individual business, 3 cooperative); an enterprise's for a form not in the catalogue."""
    kind = all_kinds().get(org_form)
    return kind.uscc_prefix[1] if kind else "1"


def texts() -> dict[str, dict[str, str]]:
    """The published texts the catalogue's articles were read in, by key (``read_in``):
    a repository, commit and path, or an address."""
    return _data()["texts"]


def catalogue_bases() -> list[Basis]:
    """The bases of the catalogue's own rules (the credit code's classes, the type
    labels), the kinds' apart (:meth:`Kind.bases`)."""
    return [basis for key in ("uscc_type", "type_labels") for basis in _bases(_data()[key], key)]


class TypeLabel(NamedTuple):
    """What the license prints as 类型: the label and its code in the enterprise-type
    table (企业类型代码), None where the catalogue has no code for the kind."""

    code: str | None
    zh: str


class Shareholder(NamedTuple):
    """What the type rules read of an investor: natural person or not, and its code."""

    kind: str
    uscc: str


def type_label(application, shareholders: list[Shareholder] | None = None) -> TypeLabel:
    """The 类型 of ``application`` (a ``forms.Application``): for an LLC from its
    shareholders by the catalogue's rules (``type_labels.llc``: 自然人独资, 法人独资,
    自然人投资或控股, 其他有限责任公司); a branch's from its company's (21xx); one label
    per kind otherwise. The license prints ``zh``. ``shareholders``, in form order, when
    the caller has read them already (the license issued in every chain)."""
    return _label(application, depth=0, shareholders=shareholders)


#: How many owners up an owner's own label is looked for: a chain of wholly owned
#: companies deeper than this counts as not natural-person controlled.
_MAX_DEPTH = 8


def _label(application, depth: int, shareholders: list | None = None) -> TypeLabel:
    labels = _data()["type_labels"]
    kind = all_kinds().get(application.org_form)
    if application.org_form in labels["llc"]["kinds"]:
        if shareholders is None:
            shareholders = list(application.investors.all())
        for rule in labels["llc"]["rules"]:
            if _matches(rule, shareholders, depth):
                return TypeLabel(rule["code"], rule["zh"])
    if application.org_form == "branch":
        parent = labels["branch"]["by_parent_code"].get(
            _registered_code(application.parent_uscc, depth))
        if parent:
            return TypeLabel(parent["code"], parent["zh"])
    fixed = labels["by_kind"].get(application.org_form)
    if fixed:
        return TypeLabel(fixed["code"], fixed["zh"])
    return TypeLabel(None, kind.zh if kind else application.org_form)


def _matches(rule: dict, shareholders: list, depth: int) -> bool:
    natural = sum(1 for s in shareholders if s.kind == "natural")
    if "members" in rule and len(shareholders) != rule["members"]:
        return False
    wanted = rule["natural"]
    if not ((wanted == "all" and shareholders and natural == len(shareholders))
            or (wanted == "none" and shareholders and natural == 0)
            or (wanted == "some" and natural > 0)):
        return False
    if "parent_codes" in rule:
        return _registered_code(shareholders[0].uscc, depth) in rule["parent_codes"]
    return True


def _registered_code(credit_code: str, depth: int) -> str | None:
    """The type code of the enterprise with ``credit_code`` (a company's sole shareholder,
    a branch's company) when it was registered through Yilian, from its own application;
    None for one the register holds without its shareholders (imported) or not at all."""
    from yilian.codes import uscc
    from yilian.codes.errors import InvalidCode
    from yilian.registry import lookup

    if depth >= _MAX_DEPTH or not credit_code:
        return None
    try:
        found = lookup.by_uscc(uscc.validate(credit_code).code)
    except InvalidCode:
        return None
    if found is None or found.application_id is None:
        return None
    return _label(found.application, depth + 1).code
