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
from yilian.refdata import divisions as refdivisions

LLC_FORMS = frozenset({OrgForm.LLC_SINGLE_NATURAL, OrgForm.LLC_MULTI})
LLC_SUFFIXES = ("有限责任公司", "有限公司")
NAME_LENGTH = (4, 50)
OPERATING_TERM = (1, 100)

_INDUSTRY = re.compile(r"[0-9]{4}")
_CHINESE = re.compile(r"[\u4e00-\u9fff（）]+")  # CJK ideographs and full-width brackets


def check_name(name: str, org_form: str, *, division_code: str = "", owner=None,
               industry_code: str = "") -> list[dict]:
    """企业名称 — the name's own form first; when that is sound and the division is
    known, the names service's rules (字号, restricted words) and its conflicts with the
    register and with other applicants' reservations (:mod:`yilian.names.services`)."""
    errors = _check_name_form(name, org_form)
    if not errors and division_code:
        from yilian.names import services as names

        try:
            divisions.validate(division_code)
        except InvalidCode:
            return errors  # reported on division_code by the enterprise checks
        verdict = names.check_name(name.strip(), division_code, org_form, user=owner,
                                   industry_code=industry_code or "")
        errors.extend(verdict.errors("name"))
    return errors


def _check_name_form(name: str, org_form: str) -> list[dict]:
    errors = Errors()
    name = (name or "").strip()
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
    if org_form in LLC_FORMS and not name.endswith(LLC_SUFFIXES):
        errors.add("name", "name.org_form", "有限责任公司的名称应以“有限公司”或“有限责任公司”结尾",
                   "a limited liability company's name must end with 有限公司 or 有限责任公司")
    elif org_form == OrgForm.SOLE_PROPRIETORSHIP and ("有限" in name or "公司" in name):
        errors.add("name", "name.org_form", "个人独资企业的名称不得使用“有限”或“公司”字样",
                   "a sole proprietorship's name may not contain 有限 or 公司")
    return errors


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
    if not app.org_form:
        errors.add("org_form", "org_form.required", "请选择组织形式",
                   "the organization form is required")
    elif app.org_form not in OrgForm.values:
        errors.add("org_form", "org_form.invalid", "不支持该组织形式",
                   "this organization form is not supported")
    check_money(errors, "registered_capital", app.registered_capital, "注册资本",
                "registered capital")
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
