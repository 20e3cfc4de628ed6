"""``yilian check uscc CODE`` and ``yilian check id NUMBER``: exit 0 when valid, 1 with the
reason when not. Pure Python: no database, no Django."""

from __future__ import annotations

import datetime as dt

from yilian.codes import divisions, resident_id, uscc
from yilian.codes.errors import InvalidCode


def _describe_uscc(value: str) -> str:
    code = uscc.validate(value)
    where = divisions.name(code.division) or "?"
    return (f"{code.code}: valid / 有效 — authority {code.authority}, type {code.entity_type}, "
            f"division {code.division} ({where}), organization code {code.organization_code}")


def _describe_id(value: str) -> str:
    person = resident_id.validate(value)
    sex = "男 male" if person.sex == "male" else "女 female"
    age = person.age_on(dt.date.today())
    return (f"{person.number}: valid / 有效 — division {person.division}, born "
            f"{person.birth_date.isoformat()} (age {age}), {sex}")


def check(kind: str, value: str) -> int:
    describe = {"uscc": _describe_uscc, "id": _describe_id}[kind]
    try:
        print(describe(value))
    except InvalidCode as error:
        print(f"{_printable(value)}: invalid / 无效 — {_printable(error.message_zh)} / "
              f"{_printable(error.message_en)} [{error.code}]")
        return 1
    return 0


def _printable(text: str) -> str:
    """An argument as typed, even when it is not valid Unicode (bytes the shell passed
    that Python keeps as lone surrogates), so echoing it never crashes the command."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
