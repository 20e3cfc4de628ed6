"""What a name must say for the kind of market entity (市场主体类型) applied for.

The catalogue (:mod:`yilian.refdata.kinds`, ``kinds.json``) carries each kind's
requirements as data: ``name_forms`` (the organization-form words the name ends in:
（普通合伙）, 专业合作社, 店 …), ``name_forbids`` (words it may not use: 公司 for a sole
proprietorship), ``name_division`` (``county``: an individual business's name carries its
county's name, 个体工商户名称登记管理办法第7条), ``name_optional`` and, for a branch,
``name_from_parent`` (the parent's registered name + 分公司). This module reads them; no
kind is named in the code.

Rule ids: ``name.org_form.mismatch`` (the name ends in another kind's form words) or
``name.org_form_missing`` (in none), ``name.org_form.forbidden``, ``name.division.county``,
``name.branch.parent_unknown``, ``name.branch.parent_name``, ``name.branch.suffix``.
"""

from __future__ import annotations

from functools import cache

from yilian.names import words
from yilian.names.parse import ParsedName, normalize
from yilian.refdata import kinds as catalogue


def kind_of(org_form: str | None) -> catalogue.Kind | None:
    """The catalogue's kind for an ``Application.org_form`` value, or None."""
    return catalogue.all_kinds().get(org_form or "")


def name_optional(org_form: str | None) -> bool:
    """May an application of this kind have no name (个体工商户可以不使用名称)?"""
    kind = kind_of(org_form)
    return bool(kind and kind.spec.get("name_optional"))


def parent_suffixes(kind: catalogue.Kind | None) -> tuple[str, ...]:
    """The words a name derived from the parent's ends in (分公司), or () for a kind whose
    name is its own."""
    if kind is None:
        return ()
    return tuple((kind.spec.get("name_from_parent") or {}).get("suffixes", ()))


@cache
def _all_forms() -> tuple[str, ...]:
    """Every kind's form words, longest first."""
    found = {form for kind in catalogue.all_kinds().values() for form in kind.name_forms}
    return tuple(sorted(found, key=len, reverse=True))


def _ending(full: str) -> str:
    """The organization form a name ends in: the longest form word of any kind that ends
    it (股份有限公司 is a joint-stock company's, though it ends in 有限公司 too)."""
    return next((form for form in _all_forms() if full.endswith(form)), "")


def form_problems(name: str, parsed: ParsedName | None, kind: catalogue.Kind,
                  division_code: str = "") -> list:
    """The kind's organization-form words, forbidden words and division level."""
    from yilian.names.rules import Problem

    full = normalize(name)
    basis = kind.spec.get("name_basis", "")
    found = []
    forms = kind.name_forms
    if forms and _ending(full) not in forms:
        listed = "”或“".join(forms)
        # Another kind's form (mismatch) or none at all (missing): the parser's ids.
        known = _ending(full) or any(full.endswith(s) for s, _ in words.org_forms())
        found.append(Problem(
            "name.org_form.mismatch" if known else "name.org_form_missing",
            f"{kind.zh}的名称应以“{listed}”结尾",
            f"the name of a {kind.en.lower()} ({kind.zh}) must end with "
            + " or ".join(forms), basis))
    forbidden = [w for w in kind.spec.get("name_forbids", ()) if w in full]
    # 有限责任 already says 有限: report the longest word only.
    forbidden = [w for w in forbidden if not any(w != o and w in o for o in forbidden)]
    if forbidden:
        listed = "”“".join(forbidden)
        found.append(Problem(
            "name.org_form.forbidden", f"{kind.zh}的名称不得使用“{listed}”字样",
            f"the name of a {kind.en.lower()} ({kind.zh}) may not contain "
            + ", ".join(forbidden), basis))
    if parsed is not None and kind.spec.get("name_division") == "county":
        found.extend(_county(parsed, kind, division_code, basis))
    return found


def _county(parsed: ParsedName, kind: catalogue.Kind, division_code: str,
            basis: str) -> list:
    """The division in the name, when there is one, is the county (县、市、区) the entity
    is in, not its city or province."""
    from yilian.names.rules import Problem

    code = parsed.division_code
    if not code:
        return []
    county_level = code[4:] != "00"
    if county_level and (not division_code or code == division_code[:6]):
        return []
    return [Problem(
        "name.division.county",
        f"{kind.zh}名称中的行政区划应为所在县（市、区）的名称，“{parsed.division}”不是",
        f"the division in the name of a {kind.en.lower()} ({kind.zh}) must be its "
        f"county's (县、市、区), not “{parsed.division}”", basis)]


def branch_problems(name: str, kind: catalogue.Kind, parent_name: str | None) -> list:
    """A branch's name: the parent's registered name, then optionally a place, then the
    suffix (分公司). ``parent_name`` None: no parent found. The place is not checked: it
    may be a division's name or any 地名 (火炬, a zone; a street), which no list here
    holds."""
    from yilian.names.rules import Problem

    spec = kind.spec["name_from_parent"]
    basis, suffixes = spec.get("basis", ""), parent_suffixes(kind)
    full = normalize(name)
    if parent_name is None:
        return [Problem("name.branch.parent_unknown",
                        "分公司的名称由所属公司的名称派生：请先填写所属公司的统一社会信用代码"
                        "（须为登记在册的公司）",
                        "a branch's name comes from its parent company's: give the parent's "
                        "unified social credit code (a company in the register) first",
                        basis, field="parent_uscc")]
    parent = normalize(parent_name)
    example = f"{parent}{suffixes[0]}" if suffixes else parent
    found = []
    if not full.startswith(parent):
        found.append(Problem("name.branch.parent_name",
                             f"分公司的名称应以所属公司的名称“{parent}”开头，如“{example}”",
                             f"a branch's name must begin with its parent's registered name "
                             f"“{parent}”, as in “{example}”", basis))
    if not full.endswith(suffixes):
        listed = "”或“".join(suffixes)
        found.append(Problem("name.branch.suffix", f"分公司的名称应以“{listed}”结尾",
                             "a branch's name must end with " + " or ".join(suffixes),
                             basis))
    return found
