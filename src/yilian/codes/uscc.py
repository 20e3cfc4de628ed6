"""Unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (I, O, S, V and Z are never
used): registration-authority code (1), entity-type code (1), administrative division
(6, GB/T 2260), organization code (9, GB 11714: 8 body characters and their own check
character), and a final check character. The final check uses weights 3^i mod 31 over
positions 1..17 and ``(31 - Σ mod 31) mod 31``; the organization code's check uses
weights 3 7 9 10 5 8 4 2, ``11 - Σ mod 11`` with 10 written X and 11 written 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from yilian.codes.errors import InvalidCode, eighteen_characters

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

# Market regulation registers enterprises (91), individual businesses (92) and farmers'
# cooperatives (93); other authorities have their own first digits.
MARKET_REGULATION = "9"
ENTERPRISE = "1"


def _org_value(ch: str) -> int:
    # GB 11714 values digits as themselves and letters A..Z as 10..35.
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def organization_check(body: str) -> str:
    """The GB 11714 check character of an 8-character organization-code body."""
    total = sum(_org_value(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_character(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


@dataclass(frozen=True)
class Uscc:
    code: str

    @property
    def authority(self) -> str:
        return self.code[0]

    @property
    def entity_type(self) -> str:
        return self.code[1]

    @property
    def division(self) -> str:
        return self.code[2:8]

    @property
    def organization_code(self) -> str:
        return self.code[8:17]


def validate(code: str) -> Uscc:
    """Parse and check a USCC; raise :class:`InvalidCode` with the first broken rule."""
    code = eighteen_characters(code, "uscc", "统一社会信用代码", "USCC")
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        shown = "".join(bad)
        raise InvalidCode(
            "uscc.charset",
            f"统一社会信用代码含非法字符：{shown}（不使用I、O、S、V、Z）",
            f"USCC contains characters outside the code set: {shown} (no I, O, S, V, Z)",
        )
    if not code[2:8].isdigit():
        raise InvalidCode(
            "uscc.division",
            "第3至8位应为6位数字行政区划代码",
            "characters 3-8 must be a 6-digit division code",
        )
    body, org_check = code[8:16], code[16]
    if body.isalnum() and organization_check(body) != org_check:
        raise InvalidCode(
            "uscc.organization_check",
            "组织机构代码校验码错误",
            "the organization code's check character (position 17) is wrong",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidCode(
            "uscc.check",
            f"校验码错误：第18位应为{expected}",
            f"check character is wrong: position 18 should be {expected}",
        )
    return Uscc(code)


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except InvalidCode:
        return False
    return True


def organization_body(serial: int) -> str:
    """An 8-character organization-code body for serial number ``serial``.

    New codes are handed out in the ``MA`` range; six base-31 characters follow, which
    gives 31^6 (about 887 million) serials per registration system.
    """
    if not 0 <= serial < 31**6:
        raise ValueError(f"serial out of range: {serial}")
    chars = []
    for _ in range(6):
        serial, digit = divmod(serial, 31)
        chars.append(ALPHABET[digit])
    return "MA" + "".join(reversed(chars))


def make(division: str, serial: int, authority: str = MARKET_REGULATION,
         entity_type: str = ENTERPRISE, body: str | None = None) -> str:
    """Build a valid USCC for an entity with the given division and serial number (or an
    explicit 8-character organization-code ``body``)."""
    if len(division) != 6 or not division.isdigit():
        raise ValueError(f"division must be 6 digits: {division!r}")
    body = body or organization_body(serial)
    first17 = authority + entity_type + division + body + organization_check(body)
    return first17 + check_character(first17)


def legacy_body(serial: int) -> str:
    """An all-digit organization-code body, as codes issued before 2015 have: disjoint
    from the ``MA`` range new registrations use, so synthetic registries never collide
    with codes Yilian hands out."""
    if not 0 <= serial < 10**8:
        raise ValueError(f"serial out of range: {serial}")
    return f"{serial:08d}"
