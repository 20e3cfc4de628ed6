"""What every part of the one form's checks shares: the error list, and the checks of an
amount, a resident ID and a required text, used by several parts (and by the portal's
live checks of one field)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from yilian.api.errors import field_error
from yilian.codes import resident_id
from yilian.codes.errors import InvalidCode
from yilian.codes.resident_id import ResidentId

_CENT = Decimal("0.01")
_INDEX = re.compile(r"\[\d+\]")


class Errors(list):
    """Field errors collected in form order."""

    def add(self, field: str, code: str, message_zh: str, message_en: str) -> None:
        self.append(field_error(field, code, message_zh, message_en))

    def invalid(self, field: str, exc: InvalidCode) -> None:
        self.add(field, exc.code, exc.message_zh, exc.message_en)


def in_form_order(rows) -> list:
    """Rows in the order the applicant listed them, so that ``people[2]`` in an error is
    the third person of the form; sorted here so prefetched rows (submission) serve too."""
    return sorted(rows, key=lambda row: (row.position, row.pk))


def check_required(errors: Errors, path: str, value: Any, what_zh: str, what_en: str) -> bool:
    if isinstance(value, str) and value.strip():
        return True
    errors.add(path, field_code(path, "required"), f"请填写{what_zh}", f"{what_en} is required")
    return False


def check_money(errors: Errors, path: str, value: Decimal | None, what_zh: str,
                what_en: str) -> bool:
    """An amount in CNY: present, positive, whole cents. True when it is all three."""
    if value is None:
        errors.add(path, field_code(path, "required"), f"请填写{what_zh}",
                   f"the {what_en} is required")
    elif not value.is_finite() or value <= 0:
        errors.add(path, field_code(path, "not_positive"), f"{what_zh}应大于0",
                   f"the {what_en} must be greater than 0")
    elif value != value.quantize(_CENT):
        errors.add(path, field_code(path, "decimals"), f"{what_zh}最多保留两位小数",
                   f"the {what_en} takes at most 2 decimal places")
    else:
        return True
    return False


def check_id(errors: Errors, path: str, number: str, today: dt.date,
             min_age: int | None = None, role: str = "",
             age_code: str = "id.age") -> ResidentId | None:
    """公民身份号码 — valid, and old enough when ``min_age`` is given; ``age_code`` names
    the rule that sets the age where a law does (``partners.full_capacity``)."""
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
        errors.add(path, age_code, f"{role}须年满{min_age}周岁（现{age}周岁）",
                   f"must be at least {min_age} years old (is {age})")
    return identity


def check_registered(errors: Errors, path: str, code: str):
    """The enterprise with credit code ``code`` from the register (登记簿), or None with a
    ``<field>.not_registered`` error: a well-formed code alone proves nothing (issue 12)."""
    from yilian.registry import lookup

    found = lookup.by_uscc(code)
    if found is None:
        errors.add(path, field_code(path, "not_registered"),
                   f"登记簿中没有统一社会信用代码为{code}的企业",
                   f"no enterprise with credit code {code} is in the register")
    return found


def field_code(path: str, rule: str) -> str:
    """``investors[1].amount`` + ``required`` → ``investors.amount.required``."""
    return _INDEX.sub("", path) + "." + rule


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)
