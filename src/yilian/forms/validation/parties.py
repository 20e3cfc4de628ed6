"""The parties of the one form: investors (出资人) and their contributions, the people
in office (法定代表人, directors, supervisors, manager, financial officer, tax handler,
contact) and the employees to enrol (参保职工).

Which offices a form must fill, and how many people each takes, is the law's and is read
from a data file (:mod:`yilian.refdata.offices`), the same one the people step asks from."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

from yilian.codes import uscc
from yilian.codes.errors import InvalidCode
from yilian.departments.identity import normalize_id
from yilian.forms import amounts
from yilian.forms.models import Application, Investor, InvestorKind, OrgForm, Role
from yilian.forms.validation._common import (
    Errors,
    add_years,
    check_id,
    check_money,
    check_required,
    in_form_order,
)
from yilian.forms.validation.kinds import check_members_of_kind, check_people_of_kind
from yilian.refdata import kinds, local, offices

# How many investors a form takes, which kinds, by what means and by when: the kind's
# entry in the catalogue (refdata/data/kinds.json, with the articles), e.g. the 2023
# Company Law (in force 1 July 2024), art. 47: an LLC's subscribed capital is paid within
# five years of establishment — before establishment we apply it from today.
ADULT = 18
WORKING_AGE = 16
# Company Law art. 178: directors, supervisors and senior managers (the manager and the
# financial officer, art. 265) must have full civil capacity, i.e. be adults.
OFFICERS = frozenset({Role.LEGAL_REPRESENTATIVE, Role.PERSON_IN_CHARGE, Role.DIRECTOR,
                      Role.SUPERVISOR,
                      Role.MANAGER, Role.FINANCIAL_OFFICER})
# Art. 76: directors and senior managers may not serve as supervisors.
SUPERVISOR_EXCLUDES = (Role.DIRECTOR, Role.MANAGER, Role.FINANCIAL_OFFICER)

_MOBILE = re.compile(r"1[3-9][0-9]{9}")  # ASCII digits: \d would take ١٣٨…


def _kind(org_form: str) -> kinds.Kind:
    """The form's kind; one not (yet) chosen is checked as a multi-shareholder LLC."""
    return kinds.all_kinds().get(org_form) or kinds.get(OrgForm.LLC_MULTI)


def check_investors(errors: Errors, app: Application, today: dt.date) -> None:
    investors = in_form_order(app.investors.all())
    kind = _kind(app.org_form)
    members = kind.members
    if members is None:  # a branch: held by its company, not by investors of its own
        if investors:
            errors.add("investors", "investors.not_applicable", f"{kind.zh}没有出资人",
                       f"a {kind.en.lower()} has no investors of its own")
        return
    low, high = members["counts"]
    term = members["term_zh"]
    if not investors:
        errors.add("investors", "investors.required", f"请至少填写一名{term}",
                   f"at least one {members['term_en']} is required")
        return
    if len(investors) < low or (high is not None and len(investors) > high):
        wanted_zh, wanted_en = (str(low), str(low)) if low == high else (
            (f"{low}名以上", f"{low} or more") if high is None
            else (f"{low}至{high}", f"{low} to {high}"))
        errors.add("investors", "investors.count",
                   f"{kind.zh}应有{wanted_zh}名{term}，现有{len(investors)}名",
                   f"a {kind.en.lower()} takes {wanted_en} {members['term_en']}s, "
                   f"not {len(investors)}")
    seen: set[str] = set()
    amounts = []
    for i, investor in enumerate(investors):
        key = _check_investor(errors, f"investors[{i}]", investor, kind, today)
        if key and key in seen:
            field = "id_number" if investor.kind == InvestorKind.NATURAL else "uscc"
            errors.add(f"investors[{i}].{field}", "investors.duplicate",
                       "同一出资人填写了两次", "the same investor is listed twice")
        seen.add(key)
        if members.get("amounts") is False:
            continue  # an individual business's operator: the funds are the business's
        if check_money(errors, f"investors[{i}].amount", investor.amount, "认缴出资额",
                       "subscribed amount"):
            amounts.append(investor.amount)
    check_members_of_kind(errors, app, kind, investors, today)
    if members.get("amounts") is False:
        return
    capital, total = app.registered_capital, sum(amounts, Decimal(0))
    if len(amounts) == len(investors) and capital and capital > 0 and total != capital:
        errors.add("investors", "investors.sum_mismatch",
                   f"出资额合计{total:.2f}元，与注册资本{capital:.2f}元不一致",
                   f"the investors' amounts add up to CNY {total:.2f}, "
                   f"not the registered capital of CNY {capital:.2f}")


def _check_investor(errors: Errors, path: str, investor: Investor, kind: kinds.Kind,
                    today: dt.date) -> str:
    """One investor's own fields; returns its identity (ID number or USCC) or ""."""
    members = kind.members or {}
    check_required(errors, f"{path}.name", investor.name, f"{members['term_zh']}名称",
                   f"the {members['term_en']}'s name")
    if members.get("amounts") is not False:
        _check_contribution_date(errors, f"{path}.contribution_date",
                                 investor.contribution_date, kind, today)
        methods = kind.spec["contribution_methods"]
        if investor.contribution_method not in methods:
            errors.add(f"{path}.contribution_method", "investors.contribution_method",
                       "出资方式应为：" + "、".join(methods),
                       "the contribution method must be one of: " + ", ".join(methods))
    if members["kinds"] == ["natural"] and investor.kind != InvestorKind.NATURAL:
        errors.add(f"{path}.kind", "investors.kind", f"{kind.zh}的{members['term_zh']}应为自然人",
                   f"a {kind.en.lower()} takes natural persons only")
    elif members["kinds"] == ["corporate"] and investor.kind != InvestorKind.CORPORATE:
        errors.add(f"{path}.kind", "investors.kind", f"{kind.zh}的股东应为企业法人",
                   f"a {kind.en.lower()} has a corporate shareholder")
    if investor.kind == InvestorKind.NATURAL:
        identity = check_id(errors, f"{path}.id_number", investor.id_number, today,
                            min_age=members.get("min_age"), role=members["term_zh"])
        check_mobile(errors, f"{path}.phone", investor.phone, "出资人", "investors.phone")
        return identity.number if identity else ""
    if investor.kind != InvestorKind.CORPORATE:
        errors.add(f"{path}.kind", "investors.kind", "出资人类型应为自然人或企业法人",
                   "an investor is a natural person or a corporate body")
        return ""
    # The person who signs for the company confirms the application as a party.
    check_required(errors, f"{path}.signatory_name", investor.signatory_name,
                   "企业出资人签署人姓名", "the name of the person signing for the investor")
    check_id(errors, f"{path}.signatory_id_number", investor.signatory_id_number, today,
             min_age=ADULT, role="签署人")
    check_mobile(errors, f"{path}.signatory_phone", investor.signatory_phone, "签署人",
                 "investors.signatory_phone")
    try:
        code = uscc.validate(investor.uscc).code
    except InvalidCode as exc:
        errors.invalid(f"{path}.uscc", exc)
        return ""
    check_registered(errors, f"{path}.uscc", code, investor.name)
    return code


def check_registered(errors: Errors, path: str, code: str, name: str) -> None:
    """A corporate investor is an enterprise in the register (登记簿), under that name: a
    well-formed code alone proves nothing (issue 12: checked against the register). The
    investors step's live check asks it too, with no name (:mod:`yilian.portal.live`)."""
    from yilian.registry.models import Enterprise

    found = Enterprise.objects.filter(uscc=code).values_list("name", flat=True).first()
    if found is None:
        errors.add(path, "investors.uscc.not_registered",
                   f"登记簿中没有统一社会信用代码为{code}的企业",
                   f"no enterprise with credit code {code} is in the register")
    elif name and name.strip() != found:
        errors.add(f"{path.rsplit('.', 1)[0]}.name", "investors.uscc.other_name",
                   f"统一社会信用代码{code}登记的名称是“{found}”",
                   f"credit code {code} is registered as {found}")


def _check_contribution_date(errors: Errors, path: str, day: dt.date | None,
                             kind: kinds.Kind, today: dt.date) -> None:
    capital = kind.spec.get("capital") or {}
    years = capital.get("paid_within_years")
    if day is None:
        errors.add(path, "investors.contribution_date.required", "请填写出资期限",
                   "the contribution date is required")
    elif capital.get("paid_before_establishment"):
        # Company Law art. 98: promoters pay their shares in full before establishment.
        if day > today:
            errors.add(path, "investors.contribution_date.after_establishment",
                       "发起人应当在公司成立前全额缴纳股款，出资期限不能晚于今天（公司法第98条）",
                       "promoters pay for their shares in full before the company is "
                       "established (Company Law art. 98): the date may not be after today")
    elif day < today:
        errors.add(path, "investors.contribution_date.past", "出资期限不能早于今天",
                   "the contribution date may not be in the past")
    elif years and day > add_years(today, years):
        latest = add_years(today, years)
        errors.add(path, "investors.contribution_date.too_late",
                   f"有限责任公司的认缴出资应在五年内缴足（不晚于{latest.isoformat()}）",
                   f"an LLC's subscribed capital must be paid within five years "
                   f"(by {latest.isoformat()})")


def check_people(errors: Errors, app: Application, today: dt.date) -> None:
    by_role: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, person in enumerate(in_form_order(app.people.all())):
        path = f"people[{i}]"
        if person.role not in Role.values:
            errors.add(f"{path}.role", "people.role", "人员职务无效", "unknown role")
            continue
        label = Role(person.role).label
        check_required(errors, f"{path}.name", person.name, f"{label}姓名", "the name")
        identity = check_id(errors, f"{path}.id_number", person.id_number, today,
                            min_age=ADULT if person.role in OFFICERS else None, role=label)
        number = identity.number if identity else ""
        if number and any(number == n for _, n in by_role[person.role]):
            errors.add(f"{path}.id_number", "people.duplicate", f"同一人重复担任{label}",
                       f"the same person is listed twice as {person.role}")
        by_role[person.role].append((i, number))
        # Everyone named confirms with their own phone (实名确认), so each gives one.
        check_mobile(errors, f"{path}.phone", person.phone, label, "people.phone")
    required_offices = offices.for_form(app.org_form)
    for role, office in required_offices.items():
        _check_count(errors, office, len(by_role[role]))
    for office in required_offices.values():
        _check_executive(errors, office, by_role)
    kind = _kind(app.org_form)
    if kind.family == "company":
        _check_supervisors(errors, by_role)
    check_people_of_kind(errors, app, kind, by_role, in_form_order(app.investors.all()))
    check_same_person(errors, app)


def _check_count(errors: Errors, office: offices.Office, count: int) -> None:
    """How many hold the office, against what the law allows for the form
    (:mod:`yilian.refdata.offices`)."""
    role = office.role
    label = Role(role).label
    what = role.replace("_", " ")
    if office.allows(count):
        return
    if not office.exists:
        errors.add("people", f"people.{role}.not_applicable", f"该组织形式不设{label}",
                   f"this organization form has no {what}")
    elif count == 0:
        errors.add("people", f"people.{role}.required", f"请指定{label}",
                   f"a {what} is required")
    else:
        zh, en = office.allowed_text()
        errors.add("people", f"people.{role}.count",
                   f"该组织形式的{label}应为{zh}，现有{count}名",
                   f"this organization form takes {en} {what}(s), not {count}")


def _check_executive(errors: Errors, office: offices.Office,
                     by_role: dict[str, list[tuple[int, str]]]) -> None:
    """Company Law art. 10: the legal representative is the director or the manager who
    carries out the company's affairs (the data file's ``executive_of``)."""
    if not office.executive_of:
        return
    executives = {n for role in office.executive_of for _, n in by_role[role]}
    for i, number in by_role[office.role]:
        if number and number not in executives:
            errors.add(f"people[{i}].id_number", f"people.{office.role}.not_executive",
                       "法定代表人应由董事或经理担任", "the legal representative must be a "
                       "director or the manager")


def _check_supervisors(errors: Errors, by_role: dict[str, list[tuple[int, str]]]) -> None:
    excluded = {n for role in SUPERVISOR_EXCLUDES for _, n in by_role[role] if n}
    for i, number in by_role[Role.SUPERVISOR]:
        if number in excluded:
            errors.add(f"people[{i}].id_number", "people.supervisor.conflict",
                       "董事、经理、财务负责人不得兼任监事",
                       "a director, manager or financial officer may not also be a supervisor")


def check_mobile(errors: Errors, path: str, phone: str, label: str, code: str) -> None:
    """The person's own mobile number: required, an 11-digit mainland number."""
    if not _MOBILE.fullmatch(phone or ""):
        errors.add(path, code,
                   f"请填写{label}本人的11位大陆手机号码",
                   "the person's own 11-digit mainland mobile number (1[3-9]…) is required")


def check_same_person(errors: Errors, app: Application) -> None:
    """One ID number is one person: every row naming it gives the same name and phone, so
    the party who confirms is the person each row means."""
    first: dict[str, tuple[str, str]] = {}
    rows = []
    for i, inv in enumerate(in_form_order(app.investors.all())):
        prefix = "signatory_" if inv.kind == InvestorKind.CORPORATE else ""
        rows.append((f"investors[{i}].{prefix}", getattr(inv, f"{prefix}id_number"),
                     getattr(inv, f"{prefix}name"), getattr(inv, f"{prefix}phone")))
    rows += [(f"people[{i}].", p.id_number, p.name, p.phone)
             for i, p in enumerate(in_form_order(app.people.all()))]
    for path, number, name, phone in rows:
        number, name, phone = normalize_id(number), (name or "").strip(), (phone or "").strip()
        if not number:
            continue
        seen = first.setdefault(number, (name, phone))
        if seen[0] != name:
            errors.add(f"{path}name", "parties.same_person",
                       f"身份证号码相同的人员姓名应一致（{seen[0]}）",
                       f"rows with the same ID number must give the same name ({seen[0]})")
        elif seen[1] != phone:
            errors.add(f"{path}phone", "parties.same_person",
                       f"同一人（身份证号码相同）应填写同一手机号码（{seen[1]}）",
                       f"one person (one ID number) has one mobile number ({seen[1]})")


def check_employees(errors: Errors, app: Application, today: dt.date) -> None:
    seen: set[str] = set()
    for i, employee in enumerate(in_form_order(app.employees.all())):
        path = f"employees[{i}]"
        check_required(errors, f"{path}.name", employee.name, "职工姓名", "the name")
        identity = check_id(errors, f"{path}.id_number", employee.id_number, today,
                            min_age=WORKING_AGE, role="参保职工")
        if identity and identity.number in seen:
            errors.add(f"{path}.id_number", "employees.duplicate", "同一职工填写了两次",
                       "the same employee is listed twice")
        if identity:
            seen.add(identity.number)
        if check_money(errors, f"{path}.monthly_wage", employee.monthly_wage, "月工资",
                       "monthly wage"):
            check_insurance_base(errors, f"{path}.monthly_wage", employee.monthly_wage,
                                 app.division_code)
        if employee.start_date is None:
            errors.add(f"{path}.start_date", "employees.start_date.required", "请填写参保日期",
                       "the enrolment date is required")


def check_insurance_base(errors: Errors, path: str, wage, division_code: str) -> None:
    """缴费基数 — within the local floor and ceiling of the social-insurance contribution
    base (:func:`yilian.refdata.local.insurance_base`), the figures in the message."""
    base = local.insurance_base(division_code)
    if base is None:
        return
    floor, ceiling = amounts.in_yuan(base.floor), amounts.in_yuan(base.ceiling)
    if wage < base.floor:
        errors.add(path, "employees.monthly_wage.floor",
                   f"低于本地社保缴费基数下限 {floor} 元（{base.name}{base.year}年度，"
                   f"上限 {ceiling} 元），请按不低于下限填写",
                   f"below the local social-insurance base floor of {floor} yuan "
                   f"({base.year}; ceiling {ceiling} yuan): give at least the floor")
    elif wage > base.ceiling:
        errors.add(path, "employees.monthly_wage.ceiling",
                   f"高于本地社保缴费基数上限 {ceiling} 元（{base.name}{base.year}年度，"
                   f"下限 {floor} 元），工资高于上限的按上限 {ceiling} 元填写",
                   f"above the local social-insurance base ceiling of {ceiling} yuan "
                   f"({base.year}; floor {floor} yuan): a higher wage is entered as "
                   "the ceiling")
