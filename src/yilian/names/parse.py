"""Splitting an enterprise name (企业名称) into its four parts.

《企业名称登记管理规定》 art. 6: a name is 行政区划 (division) + 字号 (trade name) +
行业或经营特点 (industry or trait) + 组织形式 (organization form). The division usually
leads (威海一链科技有限公司) but may follow the trade name (一链威海科技有限公司) or stand in
parentheses before the organization form (一链科技（威海）有限公司).

The parser reads from both ends: the organization form is the longest known suffix, a
parenthesized division just before it, leading division words, then the longest tail of
the rest that is made wholly of industry words; what remains is the trade name. Where the
words are ambiguous (泰安 is a city and a plausible trade name), the reading that leaves a
trade name of at least two characters wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from yilian.codes.errors import InvalidCode
from yilian.names import words

PREFIX = "prefix"
AFTER_TRADE_NAME = "after_trade_name"
PARENTHESIZED = "parenthesized"
NONE = "none"

_BRACKETS = str.maketrans({"(": "（", ")": "）", " ": None, "\u3000": None})
MIN_TRADE_NAME = 2


class UnparsableName(InvalidCode):
    """The name cannot be split into its parts; ``code`` names the reason."""


@dataclass(frozen=True)
class ParsedName:
    """A name's parts. ``division`` joins all division words in reading order (山东省威海市);
    ``division_code`` is the GB/T 2260 code of the most specific one ('' without)."""

    full: str
    division: str
    trade_name: str
    industry: str
    org_form: str
    division_position: str
    org_form_kind: str = ""
    division_code: str = ""


def normalize(name: str) -> str:
    """One spelling for brackets and no spaces: (威海) and （威海） are the same name."""
    return (name or "").strip().translate(_BRACKETS)


def parse(name: str) -> ParsedName:
    """Split ``name`` into its parts, or raise :class:`UnparsableName`."""
    full = normalize(name)
    org_form, kind = _org_form(full)
    rest = full[: len(full) - len(org_form)]
    division, position, codes = "", NONE, []
    start = rest.find("（")
    if start >= 0 or rest.endswith("）"):
        # The division in brackets: before the organization form (一链科技（威海）有限公司)
        # or right after the 字号 (一链（威海）科技有限公司).
        end = rest.find("）", start + 1)
        inner = rest[start + 1 : end] if 0 <= start < end else ""
        found = _divisions_exactly(inner)
        if found is None:
            raise UnparsableName("name.parentheses", f"括号中的“{inner}”不是行政区划",
                                 f"“{inner}” in brackets is not an administrative division")
        division, position, codes = inner, PARENTHESIZED, found
        rest = rest[:start] + rest[end + 1 :]
    trade, industry, lead, lead_codes = _best_reading(rest)
    if lead:
        # A leading division goes before a parenthesized one (威海一链科技（山东）有限公司).
        division, codes = lead + division, lead_codes + codes
        position = PREFIX
    elif position == NONE:
        trade, tail, tail_codes = _trailing_division(trade)
        if tail:
            division, position, codes = tail, AFTER_TRADE_NAME, tail_codes
    if not trade or (not industry and _industry_tails(trade)[0]):
        raise UnparsableName("name.trade_name_missing", "企业名称缺少字号",
                             "the name has no trade name (字号)")
    return ParsedName(full, division, trade, industry, org_form, position, kind,
                      _most_specific(codes))


def _most_specific(codes: list[str]) -> str:
    """威海一链科技（山东）有限公司 names Weihai and Shandong: the code is Weihai's."""
    level = lambda c: (c[4:] != "00") + (c[2:4] != "00")  # noqa: E731
    return max(codes, key=level, default="")


def _org_form(full: str) -> tuple[str, str]:
    for suffix, kind in words.org_forms():
        if full.endswith(suffix) and len(full) > len(suffix):
            return suffix, kind
    raise UnparsableName("name.org_form_missing", "企业名称应以组织形式结尾（如“有限公司”）",
                         "the name must end with an organization form (such as 有限公司)")


def _best_reading(rest: str) -> tuple[str, str, str, list[str]]:
    """(trade name, industry, leading division, its codes). Preferred, in order: a
    reading with industry words, more leading division words, a trade name of two
    characters or more (威海泰安科技: 泰安 is the trade name, not a second division, as
    then no industry words would be left)."""
    readings = [(trade, industry, lead, codes)
                for lead, codes in _leading_divisions(rest)
                for trade, industry in _industry_splits(rest[len(lead):])]
    return max(readings, key=lambda r: (bool(r[1]), len(r[2]), len(r[0]) >= MIN_TRADE_NAME,
                                        len(r[0])))


def _leading_divisions(rest: str) -> list[tuple[str, list[str]]]:
    """Every chain of leading division words, longest first, ending with the empty one."""
    table = words.division_words()
    chains: list[tuple[str, list[str]]] = []
    lead, codes = "", []
    while True:
        word = _longest_prefix(rest[len(lead):], table)
        if not word:
            break
        lead, codes = lead + word, codes + [table[word]]
        chains.append((lead, codes))
    return list(reversed(chains)) + [("", [])]


def _longest_prefix(text: str, table) -> str:
    for end in range(min(len(text), 12), 1, -1):
        if text[:end] in table:
            return text[:end]
    return ""


def _industry_splits(body: str) -> list[tuple[str, str]]:
    """(trade name, industry) splits at the longest tail made wholly of industry words
    that leaves a trade name of two characters, and of one; the caller picks."""
    ok, n = _industry_tails(body), len(body)
    splits = []
    for minimum in (MIN_TRADE_NAME, 1):
        start = next((i for i in range(minimum, n + 1) if ok[i]), n)
        splits.append((body[:start], body[start:]))
    return splits


def _industry_tails(body: str) -> list[bool]:
    """ok[i] is true when body[i:] is a sequence of industry words (ok[len] always)."""
    table = words.industry_words()
    n = len(body)
    ok = [False] * (n + 1)
    ok[n] = True
    for i in range(n - 1, -1, -1):
        ok[i] = any(ok[j] and body[i:j] in table for j in range(i + 1, min(n, i + 8) + 1))
    return ok


def _trailing_division(trade: str) -> tuple[str, str, list[str]]:
    table = words.division_words()
    for start in range(MIN_TRADE_NAME, len(trade) - 1):
        tail = trade[start:]
        if tail in table:
            return trade[:start], tail, [table[tail]]
    return trade, "", []


def _divisions_exactly(text: str) -> list[str] | None:
    """Codes if ``text`` is wholly division words (山东省威海市), else None."""
    table = words.division_words()
    codes: list[str] = []
    while text:
        word = _longest_prefix(text, table)
        if not word:
            return None
        codes.append(table[word])
        text = text[len(word):]
    return codes or None
