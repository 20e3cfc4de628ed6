"""Resident identity card number (公民身份号码), GB 11643-1999.

Eighteen characters: 6-digit division of first registration, 8-digit birth date
(YYYYMMDD), 3-digit sequence (odd for men, even for women) and a check character by
ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11; remainder 0..10 maps to ``10X98765432``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yilian.codes.errors import InvalidCode, eighteen_characters

_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CHECK = "10X98765432"
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def check_character(first17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


@dataclass(frozen=True)
class ResidentId:
    number: str
    division: str
    birth_date: dt.date
    sequence: str

    @property
    def sex(self) -> str:
        return "male" if int(self.sequence[-1]) % 2 else "female"

    def age_on(self, day: dt.date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


def validate(number: str, today: dt.date | None = None) -> ResidentId:
    """Parse and check an ID number; raise :class:`InvalidCode` with the first broken rule."""
    number = eighteen_characters(number, "id", "身份证号码", "ID number")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidCode(
            "id.charset",
            "身份证号码前17位应为数字，末位为数字或X",
            "ID number must be 17 digits followed by a digit or X",
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidCode(
            "id.birth_date",
            f"出生日期{number[6:14]}不是有效日期",
            f"birth date {number[6:14]} is not a real date",
        ) from None
    today = today or dt.date.today()
    if not EARLIEST_BIRTH <= birth <= today:
        raise InvalidCode(
            "id.birth_date",
            f"出生日期{birth.isoformat()}不在合理范围内",
            f"birth date {birth.isoformat()} is out of range",
        )
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidCode(
            "id.check",
            f"校验码错误：末位应为{expected}",
            f"check character is wrong: the last character should be {expected}",
        )
    return ResidentId(number, number[:6], birth, number[14:17])


def make(division: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid ID number (for demo data and tests)."""
    first17 = f"{division}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
