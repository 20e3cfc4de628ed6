"""Amounts as people write them (金额的写法): "100万", "1,000,000", "１００万元".

The one form keeps amounts in 元 with whole cents (:mod:`yilian.forms.money`), and the
API takes them so. People think of registered capital and contributions in 万元
(ten thousand yuan), type full-width digits on a phone, and group digits with commas;
:func:`parse_amount` reads all of that into the exact :class:`~decimal.Decimal` in 元,
or raises :class:`AmountError` saying, in Chinese and English, how to write it.
:func:`in_wan` is the way back, for showing a stored amount in 万元 with separators.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Literal

Unit = Literal["yuan", "wan"]

WAN = Decimal(10_000)
# The English names too, so an English page can say how to write an amount in its words.
_UNITS = {"": None, "元": Decimal(1), "万": WAN, "万元": WAN, "亿": WAN * WAN, "亿元": WAN * WAN,
          "yuan": Decimal(1), "wan": WAN}
# Digits with optional thousands separators in groups of three, then decimals; a unit.
_AMOUNT = re.compile(r"(?P<number>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<decimals>[0-9]+))?"
                     r"(?P<unit>万元|亿元|万|亿|元|yuan|wan)?")
_CENT = Decimal("0.01")
# A bare number this large in a 万元 field (≥ 10 亿元) was almost surely typed in 元.
_WAN_SUSPECT = Decimal(100_000)


class AmountError(ValueError):
    """An amount that cannot be read, with the reason in Chinese and English."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en

    def as_error(self, field: str) -> dict:
        return {"field": field, "code": self.code, "message_zh": self.message_zh,
                "message_en": self.message_en}


def _how(unit: Unit) -> tuple[str, str]:
    if unit == "wan":
        return ("以万元为单位填写数字，如“100”或“100万”（即100万元）；"
                "按元填写请加“元”，如“1,000,000元”",
                "write the amount in units of 10,000 yuan (wan), e.g. \"100\" or \"100 wan\" "
                "for one million yuan; to give it in yuan add the unit, e.g. "
                "\"1,000,000 yuan\"")
    return ("以元为单位填写数字，最多两位小数，如“1000000”“1,000,000.00”或“100万”",
            "write the amount in yuan with at most two decimals, e.g. \"1000000\", "
            "\"1,000,000.00\" or \"100 wan\"")


def parse_amount(text: str, unit: Unit = "yuan") -> Decimal:
    """The amount ``text`` means, in 元 with two places; a bare number is in ``unit``.

    Full-width forms are folded (NFKC), spaces and a leading ¥ are ignored; commas must
    group digits by three; 万/万元/亿/元 name the unit. Raises :class:`AmountError`."""
    folded = unicodedata.normalize("NFKC", text or "").replace(" ", "").replace("，", ",").lower()
    folded = folded.removeprefix("¥").removeprefix("￥")
    how_zh, how_en = _how(unit)
    match = _AMOUNT.fullmatch(folded)
    if not folded or match is None:
        raise AmountError("amount.format", f"金额写法无法识别。请{how_zh}",
                          f"the amount cannot be read; {how_en}")
    number = Decimal(match["number"].replace(",", "") + "." + (match["decimals"] or "0"))
    factor = _UNITS[match["unit"] or ""]
    if factor is None:
        if unit == "wan" and number >= _WAN_SUSPECT:
            raise AmountError(
                "amount.unit", f"本栏以万元为单位，{match['number']}万元即"
                f"{_group(number * WAN)}元，数额过大。请{how_zh}",
                f"this field is in units of 10,000 yuan: {match['number']} wan would be "
                f"{_group(number * WAN)} yuan; {how_en}")
        factor = WAN if unit == "wan" else Decimal(1)
    amount = number * factor
    if amount != amount.quantize(_CENT):
        raise AmountError("amount.decimals", f"金额应精确到分（元后最多两位小数）。请{how_zh}",
                          f"the amount must be in whole cents; {how_en}")
    return amount.quantize(_CENT)


def _group(amount: Decimal) -> str:
    text = f"{amount:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def in_wan(amount: Decimal | str | None) -> str:
    """A stored amount in 元 shown in 万元 with separators: 1000000.00 → "100",
    12345678.90 → "1,234.56789"; "" for none."""
    if amount in (None, ""):
        return ""
    return _group(Decimal(str(amount)) / WAN)


def in_yuan(amount: Decimal | str | None) -> str:
    """An amount in 元 with separators and cents: 4416 → "4,416.00"."""
    if amount in (None, ""):
        return ""
    return f"{Decimal(str(amount)).quantize(_CENT):,f}"
