"""Submission checks for the one form (一表填报): everything, at once.

A draft may hold anything its types allow; :func:`check_application` is the gate to
submission. It returns *every* problem, each a field error (a ``field`` path such as
``investors[1].amount``, a rule ``code``, the reason in Chinese and in English), so the
applicant fixes the whole form in one pass instead of one error per round trip.

Two seams wait for the rules and names issues: :func:`check_name` (today the format and
the organization-form suffix; later prohibited words and conflicts with the register) and
:func:`check_scope` (today the list's shape; later the normalized catalogue, permits and
the negative list). Both keep their signatures when they grow.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils import timezone

from yilian.api.errors import field_error
from yilian.codes import divisions, resident_id, uscc
from yilian.codes.errors import InvalidCode
from yilian.codes.resident_id import ResidentId
from yilian.forms.models import (
    Application,
    Investor,
    InvestorKind,
    InvoiceType,
    OrgForm,
    Role,
    Seal,
)

LLC_FORMS = frozenset({OrgForm.LLC_SINGLE_NATURAL, OrgForm.LLC_MULTI})
LLC_SUFFIXES = ("有限责任公司", "有限公司")
NAME_LENGTH = (4, 50)
# How many investors each form takes; the one-person forms take a natural person only.
INVESTOR_COUNT = {OrgForm.LLC_SINGLE_NATURAL: (1, 1), OrgForm.SOLE_PROPRIETORSHIP: (1, 1),
                  OrgForm.LLC_MULTI: (2, 50)}
NATURAL_ONLY = frozenset({OrgForm.LLC_SINGLE_NATURAL, OrgForm.SOLE_PROPRIETORSHIP})
# 2023 Company Law (in force 1 July 2024), art. 47: an LLC's subscribed capital is paid
# within five years of establishment. Before establishment we apply it from today.
CONTRIBUTION_YEARS = 5
ADULT = 18
WORKING_AGE = 16
MAX_MONTHLY_INVOICES = 10_000
OPERATING_TERM = (1, 100)
CONTRIBUTION_METHODS = frozenset({"货币", "实物", "知识产权", "土地使用权", "股权", "债权"})
# Company Law art. 178: directors, supervisors and senior managers (the manager and the
# financial officer, art. 265) must have full civil capacity, i.e. be adults.
OFFICERS = frozenset({Role.LEGAL_REPRESENTATIVE, Role.DIRECTOR, Role.SUPERVISOR,
                      Role.MANAGER, Role.FINANCIAL_OFFICER})
# Departments phone these people (tax bureau, registration authority): a mobile is required.
REACHABLE = (Role.FINANCIAL_OFFICER, Role.TAX_HANDLER, Role.CONTACT)
# Art. 76: directors and senior managers may not serve as supervisors.
SUPERVISOR_EXCLUDES = (Role.DIRECTOR, Role.MANAGER, Role.FINANCIAL_OFFICER)

_MOBILE = re.compile(r"1[3-9]\d{9}")
_INDUSTRY = re.compile(r"\d{4}")
_CHINESE = re.compile(r"[\u4e00-\u9fff（）]+")  # CJK ideographs and full-width brackets
_CENT = Decimal("0.01")
_INDEX = re.compile(r"\[\d+\]")


class Errors(list):
    """Field errors collected in form order."""

    def add(self, field: str, code: str, message_zh: str, message_en: str) -> None:
        self.append(field_error(field, code, message_zh, message_en))

    def invalid(self, field: str, exc: InvalidCode) -> None:
        self.add(field, exc.code, exc.message_zh, exc.message_en)


def _in_form_order(rows) -> list:
    """Rows in the order the applicant listed them, so that ``people[2]`` in an error is
    the third person of the form; sorted here so prefetched rows (submission) serve too."""
    return sorted(rows, key=lambda row: (row.position, row.pk))


def check_application(application: Application, today: dt.date | None = None) -> list[dict]:
    """Every reason ``application`` cannot be submitted yet; empty when it can.

    ``today`` (the local date in Asia/Shanghai by default) anchors ages and deadlines.
    """
    today = today or timezone.localdate()
    errors = Errors()
    errors.extend(check_name(application.name, application.org_form,
                             division_code=application.division_code,
                             owner=application.owner, industry_code=application.industry_code))
    _check_enterprise(errors, application)
    errors.extend(check_scope(application.business_scope, application.industry_code))
    _check_investors(errors, application, today)
    _check_people(errors, application, today)
    _check_employees(errors, application, today)
    _check_seals(errors, application.seals)
    _check_invoices(errors, application.invoices)
    _check_bank(errors, application.bank_appointment, today)
    return list(errors)


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
    """经营范围 — the list's shape. Seam for the rules issue: each entry will be matched
    against the normalized catalogue (经营范围规范表述) for ``industry_code``."""
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


def _check_enterprise(errors: Errors, app: Application) -> None:
    if not app.org_form:
        errors.add("org_form", "org_form.required", "请选择组织形式",
                   "the organization form is required")
    elif app.org_form not in OrgForm.values:
        errors.add("org_form", "org_form.invalid", "不支持该组织形式",
                   "this organization form is not supported")
    _check_money(errors, "registered_capital", app.registered_capital, "注册资本",
                 "registered capital")
    _check_required(errors, "domicile", app.domicile, "住所", "the domicile")
    if _check_required(errors, "division_code", app.division_code, "行政区划代码",
                       "the division code"):
        try:
            divisions.validate(app.division_code)
        except InvalidCode as exc:
            errors.invalid("division_code", exc)
    if not _INDUSTRY.fullmatch(app.industry_code or ""):
        errors.add("industry_code", "industry_code.format", "行业代码应为4位数字（GB/T 4754 小类）",
                   "the industry code must be 4 digits (a GB/T 4754 class)")
    term = app.operating_term_years
    if term is not None and not OPERATING_TERM[0] <= term <= OPERATING_TERM[1]:
        errors.add("operating_term_years", "operating_term_years.range",
                   f"营业期限应为{OPERATING_TERM[0]}至{OPERATING_TERM[1]}年，长期请留空",
                   f"the operating term must be {OPERATING_TERM[0]} to {OPERATING_TERM[1]} "
                   "years; leave it empty for an unlimited term")


def _check_investors(errors: Errors, app: Application, today: dt.date) -> None:
    investors = _in_form_order(app.investors.all())
    low, high = INVESTOR_COUNT.get(app.org_form, (1, INVESTOR_COUNT[OrgForm.LLC_MULTI][1]))
    if not investors:
        errors.add("investors", "investors.required", "请至少填写一名出资人",
                   "at least one investor is required")
        return
    if not low <= len(investors) <= high:
        wanted_zh, wanted_en = (str(low), str(low)) if low == high else (
            f"{low}至{high}", f"{low} to {high}")
        errors.add("investors", "investors.count",
                   f"该组织形式应有{wanted_zh}名出资人，现有{len(investors)}名",
                   f"this organization form takes {wanted_en} investors, not {len(investors)}")
    seen: set[str] = set()
    amounts = []
    for i, investor in enumerate(investors):
        key = _check_investor(errors, f"investors[{i}]", investor, app.org_form, today)
        if key and key in seen:
            field = "id_number" if investor.kind == InvestorKind.NATURAL else "uscc"
            errors.add(f"investors[{i}].{field}", "investors.duplicate",
                       "同一出资人填写了两次", "the same investor is listed twice")
        seen.add(key)
        if _check_money(errors, f"investors[{i}].amount", investor.amount, "认缴出资额",
                        "subscribed amount"):
            amounts.append(investor.amount)
    capital, total = app.registered_capital, sum(amounts, Decimal(0))
    if len(amounts) == len(investors) and capital and capital > 0 and total != capital:
        errors.add("investors", "investors.sum_mismatch",
                   f"出资额合计{total:.2f}元，与注册资本{capital:.2f}元不一致",
                   f"the investors' amounts add up to CNY {total:.2f}, "
                   f"not the registered capital of CNY {capital:.2f}")


def _check_investor(errors: Errors, path: str, investor: Investor, org_form: str,
                    today: dt.date) -> str:
    """One investor's own fields; returns its identity (ID number or USCC) or ""."""
    _check_required(errors, f"{path}.name", investor.name, "出资人名称", "the investor name")
    _check_contribution_date(errors, f"{path}.contribution_date", investor.contribution_date,
                             org_form, today)
    if investor.contribution_method not in CONTRIBUTION_METHODS:
        methods = sorted(CONTRIBUTION_METHODS)
        errors.add(f"{path}.contribution_method", "investors.contribution_method",
                   "出资方式应为：" + "、".join(methods),
                   "the contribution method must be one of: " + ", ".join(methods))
    if org_form in NATURAL_ONLY and investor.kind != InvestorKind.NATURAL:
        errors.add(f"{path}.kind", "investors.kind", "该组织形式的出资人应为自然人",
                   "this organization form takes natural-person investors only")
    if investor.kind == InvestorKind.NATURAL:
        identity = _check_id(errors, f"{path}.id_number", investor.id_number, today)
        return identity.number if identity else ""
    if investor.kind != InvestorKind.CORPORATE:
        errors.add(f"{path}.kind", "investors.kind", "出资人类型应为自然人或企业法人",
                   "an investor is a natural person or a corporate body")
        return ""
    try:
        return uscc.validate(investor.uscc).code
    except InvalidCode as exc:
        errors.invalid(f"{path}.uscc", exc)
        return ""


def _check_contribution_date(errors: Errors, path: str, day: dt.date | None, org_form: str,
                             today: dt.date) -> None:
    latest = _add_years(today, CONTRIBUTION_YEARS)
    if day is None:
        errors.add(path, "investors.contribution_date.required", "请填写出资期限",
                   "the contribution date is required")
    elif day < today:
        errors.add(path, "investors.contribution_date.past", "出资期限不能早于今天",
                   "the contribution date may not be in the past")
    elif org_form in LLC_FORMS and day > latest:
        errors.add(path, "investors.contribution_date.too_late",
                   f"有限责任公司的认缴出资应在五年内缴足（不晚于{latest.isoformat()}）",
                   f"an LLC's subscribed capital must be paid within five years "
                   f"(by {latest.isoformat()})")


def _check_people(errors: Errors, app: Application, today: dt.date) -> None:
    by_role: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, person in enumerate(_in_form_order(app.people.all())):
        path = f"people[{i}]"
        if person.role not in Role.values:
            errors.add(f"{path}.role", "people.role", "人员职务无效", "unknown role")
            continue
        label = Role(person.role).label
        _check_required(errors, f"{path}.name", person.name, f"{label}姓名", "the name")
        identity = _check_id(errors, f"{path}.id_number", person.id_number, today,
                             min_age=ADULT if person.role in OFFICERS else None, role=label)
        number = identity.number if identity else ""
        if number and any(number == n for _, n in by_role[person.role]):
            errors.add(f"{path}.id_number", "people.duplicate", f"同一人重复担任{label}",
                       f"the same person is listed twice as {person.role}")
        by_role[person.role].append((i, number))
        if person.phone or person.role in REACHABLE:
            if not _MOBILE.fullmatch(person.phone):
                errors.add(f"{path}.phone", "people.phone", f"{label}的手机号码应为11位大陆手机号",
                           "the phone must be an 11-digit mainland mobile number (1[3-9]…)")
    legal = by_role[Role.LEGAL_REPRESENTATIVE]
    if len(legal) != 1:
        errors.add("people", "people.legal_representative.count",
                   f"应有且仅有一名法定代表人，现有{len(legal)}名",
                   f"exactly one legal representative is required, not {len(legal)}")
    required = list(REACHABLE)
    if app.org_form in LLC_FORMS:
        required += [Role.DIRECTOR, Role.SUPERVISOR]
    for role in required:
        if not by_role[role]:
            errors.add("people", f"people.{role}.required", f"请填写{Role(role).label}",
                       f"a {role.replace('_', ' ')} is required")
    if app.org_form in LLC_FORMS:
        _check_llc_officers(errors, by_role)


def _check_llc_officers(errors: Errors, by_role: dict[str, list[tuple[int, str]]]) -> None:
    excluded = {n for role in SUPERVISOR_EXCLUDES for _, n in by_role[role] if n}
    for i, number in by_role[Role.SUPERVISOR]:
        if number in excluded:
            errors.add(f"people[{i}].id_number", "people.supervisor.conflict",
                       "董事、经理、财务负责人不得兼任监事",
                       "a director, manager or financial officer may not also be a supervisor")
    # Art. 10: the legal representative is the director or manager who runs the company.
    executives = {n for role in (Role.DIRECTOR, Role.MANAGER) for _, n in by_role[role]}
    for i, number in by_role[Role.LEGAL_REPRESENTATIVE]:
        if number and number not in executives:
            errors.add(f"people[{i}].id_number", "people.legal_representative.not_executive",
                       "法定代表人应由董事或经理担任", "the legal representative must be a "
                       "director or the manager")


def _check_employees(errors: Errors, app: Application, today: dt.date) -> None:
    seen: set[str] = set()
    for i, employee in enumerate(_in_form_order(app.employees.all())):
        path = f"employees[{i}]"
        _check_required(errors, f"{path}.name", employee.name, "职工姓名", "the name")
        identity = _check_id(errors, f"{path}.id_number", employee.id_number, today,
                             min_age=WORKING_AGE, role="参保职工")
        if identity and identity.number in seen:
            errors.add(f"{path}.id_number", "employees.duplicate", "同一职工填写了两次",
                       "the same employee is listed twice")
        if identity:
            seen.add(identity.number)
        _check_money(errors, f"{path}.monthly_wage", employee.monthly_wage, "月工资",
                     "monthly wage")
        if employee.start_date is None:
            errors.add(f"{path}.start_date", "employees.start_date.required", "请填写参保日期",
                       "the enrolment date is required")


def _check_seals(errors: Errors, seals: Any) -> None:
    """An empty list means the free set of four (applied at submission)."""
    if not isinstance(seals, list):
        errors.add("seals", "seals.type", "印章应为列表", "seals must be a list")
    else:
        _check_members(errors, "seals", seals, Seal, "印章种类", "a seal")


def _check_invoices(errors: Errors, invoices: Any) -> None:
    if not isinstance(invoices, dict):
        errors.add("invoices", "invoices.type", "发票申领信息格式不正确",
                   "invoices must be an object")
        return
    types = invoices.get("types") or []
    types = types if isinstance(types, list) else [types]
    _check_members(errors, "invoices.types", types, InvoiceType, "发票种类", "an invoice type")
    quantity = invoices.get("monthly_quantity")
    if quantity is None:
        if types:
            errors.add("invoices.monthly_quantity", "invoices.monthly_quantity.required",
                       "申领发票时请填写每月用量", "give the monthly quantity of invoices")
    elif (isinstance(quantity, bool) or not isinstance(quantity, int)
          or not 0 <= quantity <= MAX_MONTHLY_INVOICES):
        errors.add("invoices.monthly_quantity", "invoices.monthly_quantity.range",
                   f"每月发票用量应为0至{MAX_MONTHLY_INVOICES}份",
                   f"the monthly quantity must be 0 to {MAX_MONTHLY_INVOICES}")


def _check_bank(errors: Errors, bank: Any, today: dt.date) -> None:
    """银行开户预约 — optional; when given, complete and not in the past."""
    if bank is None:
        return
    if not isinstance(bank, dict):
        errors.add("bank_appointment", "bank_appointment.type", "银行开户预约格式不正确",
                   "the bank appointment must be an object or null")
        return
    _check_required(errors, "bank_appointment.bank", bank.get("bank"), "银行", "the bank")
    _check_required(errors, "bank_appointment.branch", bank.get("branch"), "网点",
                    "the branch")
    try:
        day = dt.date.fromisoformat(bank.get("date") or "")
    except (TypeError, ValueError):
        errors.add("bank_appointment.date", "bank_appointment.date.required",
                   "请填写预约日期（YYYY-MM-DD）", "the appointment date (YYYY-MM-DD) is required")
        return
    if day < today:
        errors.add("bank_appointment.date", "bank_appointment.date.past", "预约日期不能早于今天",
                   "the appointment date may not be in the past")


def _check_members(errors: Errors, path: str, values: list, choices: type[TextChoices],
                   what_zh: str, what_en: str) -> None:
    """Each value one of ``choices``, none twice."""
    for i, value in enumerate(values):
        if value not in choices.values:
            errors.add(f"{path}[{i}]", _code(path, "unknown"),
                       f"{what_zh}应为：" + "、".join(choices.labels),
                       f"{what_en} is one of: " + ", ".join(choices.values))
        elif value in values[:i]:
            errors.add(f"{path}[{i}]", _code(path, "duplicate"), f"{what_zh}重复",
                       f"{what_en} is listed twice")


def _check_required(errors: Errors, path: str, value: Any, what_zh: str, what_en: str) -> bool:
    if isinstance(value, str) and value.strip():
        return True
    errors.add(path, _code(path, "required"), f"请填写{what_zh}", f"{what_en} is required")
    return False


def _check_money(errors: Errors, path: str, value: Decimal | None, what_zh: str,
                 what_en: str) -> bool:
    """An amount in CNY: present, positive, whole cents. True when it is all three."""
    if value is None:
        errors.add(path, _code(path, "required"), f"请填写{what_zh}", f"the {what_en} is required")
    elif not value.is_finite() or value <= 0:
        errors.add(path, _code(path, "not_positive"), f"{what_zh}应大于0",
                   f"the {what_en} must be greater than 0")
    elif value != value.quantize(_CENT):
        errors.add(path, _code(path, "decimals"), f"{what_zh}最多保留两位小数",
                   f"the {what_en} takes at most 2 decimal places")
    else:
        return True
    return False


def _check_id(errors: Errors, path: str, number: str, today: dt.date,
              min_age: int | None = None, role: str = "") -> ResidentId | None:
    """公民身份号码 — valid, and old enough when ``min_age`` is given."""
    if not number:
        errors.add(path, "id.required", "请填写身份证号码", "the resident ID number is required")
        return None
    try:
        identity = resident_id.validate(number, today=today)
    except InvalidCode as exc:
        errors.invalid(path, exc)
        return None
    age = identity.age_on(today)
    if min_age is not None and age < min_age:
        errors.add(path, "id.age", f"{role}须年满{min_age}周岁（现{age}周岁）",
                   f"must be at least {min_age} years old (is {age})")
    return identity


def _code(path: str, rule: str) -> str:
    """``investors[1].amount`` + ``required`` → ``investors.amount.required``."""
    return _INDEX.sub("", path) + "." + rule


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)
