"""The enterprise part of the one form (企业基本信息): name, organization form, capital,
domicile, division, industry, operating term, and the business scope's shape."""

from __future__ import annotations

import re
from typing import Any

from yilian.codes import divisions
from yilian.codes.errors import InvalidCode
from yilian.forms import places
from yilian.forms.models import Application, OrgForm
from yilian.forms.validation._common import Errors, check_money, check_required
from yilian.forms.validation.kinds import check_available, check_enterprise_of_kind
from yilian.refdata import divisions as refdivisions
from yilian.refdata import kinds

NAME_LENGTH = (4, 50)
OPERATING_TERM = (1, 100)

_INDUSTRY = re.compile(r"[0-9]{4}")
_CHINESE = re.compile(r"[\u4e00-\u9fff（）]+")  # CJK ideographs and full-width brackets


def check_name(name: str, org_form: str, *, division_code: str = "", owner=None,
               industry_code: str = "", parent_uscc: str = "", own_uscc: str = ""
               ) -> list[dict]:
    """企业名称 — the name's own form first; when that is sound and the division is
    known, the names service's rules (字号, restricted words) and its conflicts with the
    register and with other applicants' reservations (:mod:`yilian.names.services`)."""
    errors = _check_name_form(name, org_form)
    # No name and no error: a kind that may go without one (个体工商户), nothing to check.
    if not errors and division_code and (name or "").strip():
        from yilian.names import services as names

        try:
            divisions.validate(division_code)
        except InvalidCode:
            return errors  # reported on division_code by the enterprise checks
        verdict = names.check_name(name.strip(), division_code, org_form, user=owner,
                                   industry_code=industry_code or "",
                                   parent_uscc=parent_uscc or "", own_uscc=own_uscc)
        # A branch's parent and the name's prefix are forms.validation.kinds's to report
        # at submission (parent_uscc.*, name.branch_parent): not twice.
        errors.extend(e for e in verdict.errors("name")
                      if not (e["code"].startswith("name.branch.") or e["field"] != "name"))
    return errors


def _check_name_form(name: str, org_form: str) -> list[dict]:
    errors = Errors()
    name = (name or "").strip()
    kind = kinds.all_kinds().get(org_form)
    if not name and kind is not None and kind.spec.get("name_optional"):
        return errors  # 个体工商户可以不使用名称
    if not name:
        errors.add("name", "name.required", "请填写企业名称", "the enterprise name is required")
        return errors
    low, high = NAME_LENGTH
    if not low <= len(name) <= high:
        errors.add("name", "name.length", f"企业名称应为{low}至{high}个字，现为{len(name)}个字",
                   f"the name must be {low} to {high} characters long, not {len(name)}")
    if not _CHINESE.fullmatch(name):
        errors.add("name", "name.charset", "企业名称只能使用汉字（可含全角括号）",
                   "the name may contain only Chinese characters (and full-width brackets)")
    if kind is not None:
        _check_form_words(errors, name, kind)
    return errors


def _check_form_words(errors: Errors, name: str, kind: kinds.Kind) -> None:
    """The organization-form words the kind's name ends in, and the words it may not
    use (the catalogue's ``name_forms``, ``name_forbids``, with their articles)."""
    forms = kind.name_forms or tuple(kind.spec.get("name_from_parent", {}).get("suffixes", ()))
    if forms and not name.endswith(forms):
        words = "”或“".join(forms)
        errors.add("name", "name.org_form", f"{kind.zh}的名称应以“{words}”结尾",
                   f"a {kind.en.lower()}'s name must end with " + " or ".join(forms))
        return
    forbidden = [w for w in kind.spec.get("name_forbids", ()) if w in name]
    if forbidden:
        words = "”“".join(forbidden)
        errors.add("name", "name.org_form", f"{kind.zh}的名称不得使用“{words}”字样",
                   f"a {kind.en.lower()}'s name may not contain " + ", ".join(forbidden))


def check_scope(business_scope: Any, industry_code: str) -> list[dict]:
    """经营范围 — the list's shape: at least one entry, none blank, none twice. What each
    entry means (general, licensed, prohibited, unlisted) is the admission rules' to say
    (:mod:`yilian.rules`), with reasons, at submission."""
    errors = Errors()
    if not isinstance(business_scope, list) or not business_scope:
        errors.add("business_scope", "business_scope.required", "请至少填写一项经营范围",
                   "list at least one business scope entry")
        return errors
    seen: set[str] = set()
    for i, entry in enumerate(business_scope):
        path = f"business_scope[{i}]"
        if not isinstance(entry, str) or not entry.strip():
            errors.add(path, "business_scope.blank", "经营范围条目不能为空",
                       "a business scope entry may not be empty")
        elif entry.strip() in seen:
            errors.add(path, "business_scope.duplicate", f"经营范围“{entry.strip()}”重复",
                       f"business scope entry {entry.strip()} is listed twice")
        else:
            seen.add(entry.strip())
    return errors


def _check_level(errors: Errors, code: str) -> None:
    """A province or city with districts below it is not where an enterprise is: the
    district or zone decides its registration authority and statistics."""
    found = refdivisions.division(code)
    if found and found.level in ("province", "prefecture") and refdivisions.children(code):
        errors.add("division_code", "division_code.level",
                   f"请选择{found.name}下的区县或开发区", f"pick the district, county or "
                   f"development zone within {found.name} ({code})")


def check_enterprise(errors: Errors, app: Application) -> None:
    kind = None
    if not app.org_form:
        errors.add("org_form", "org_form.required", "请选择组织形式",
                   "the organization form is required")
    elif app.org_form not in OrgForm.values:
        errors.add("org_form", "org_form.invalid", "不支持该组织形式",
                   "this organization form is not supported")
    else:
        kind = kinds.get(app.org_form)
        check_available(errors, kind)
        check_enterprise_of_kind(errors, app, kind)
    capital = kind.spec.get("capital", {}) if kind else {}
    if kind is not None and capital is None:  # a branch: its company's capital
        if app.registered_capital is not None:
            errors.add("registered_capital", "registered_capital.not_applicable",
                       f"{kind.zh}不登记注册资本", f"a {kind.en.lower()} registers no capital")
    else:
        term = (capital or {}).get("term_zh", "注册资本")
        check_money(errors, "registered_capital", app.registered_capital, term,
                    "funds amount" if term == "资金数额" else "registered capital")
    check_required(errors, "domicile", app.domicile, "住所", "the domicile")
    if check_required(errors, "division_code", app.division_code, "行政区划代码",
                      "the division code"):
        try:
            divisions.validate(app.division_code)
        except InvalidCode as exc:
            errors.invalid("division_code", exc)
        else:
            _check_level(errors, app.division_code)
            errors.extend(places.check_domicile(app.division_code, app.domicile))
    if not _INDUSTRY.fullmatch(app.industry_code or ""):
        errors.add("industry_code", "industry_code.format", "行业代码应为4位数字（GB/T 4754 小类）",
                   "the industry code must be 4 digits (a GB/T 4754 class)")
    term = app.operating_term_years
    if term is not None and not OPERATING_TERM[0] <= term <= OPERATING_TERM[1]:
        errors.add("operating_term_years", "operating_term_years.range",
                   f"营业期限应为{OPERATING_TERM[0]}至{OPERATING_TERM[1]}年，长期请留空",
                   f"the operating term must be {OPERATING_TERM[0]} to {OPERATING_TERM[1]} "
                   "years; leave it empty for an unlimited term")
