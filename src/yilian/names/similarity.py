"""When two names clash (名称相同或近似): the comparison rules, one pair at a time.

Under one registration authority (登记机关, here: the same prefecture, the first four
digits of the division code) a new name may not be:

- ``identical``: the same full name;
- ``variant``: the same 字号 once traditional characters are made simplified (OpenCC
  t2s: 華盛 = 华盛), in the same industry;
- ``identical_core``: the same 字号 and the same industry words, whatever the division,
  its position or the organization form (一链科技（威海）有限公司 = 威海一链科技股份有限公司);
- ``same_trade_name_same_industry``: the same 字号 in the same industry — the industry
  words share a GB/T 4754 division (科技 and 信息科技 both cover 65), or the recorded
  industry codes share one;
- ``homophone``: a different 字号 with a toneless pinyin reading in common (易链 = 一链
  = yi lian; a 多音字 in any of its readings: 银行 yin hang = 银航), in the same industry.

The index (:mod:`yilian.names.index`) finds the candidates by key; :func:`compare` says
whether a candidate clashes and under which rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations, product

from yilian.names import words
from yilian.names.parse import ParsedName

IDENTICAL = "identical"
VARIANT = "variant"
IDENTICAL_CORE = "identical_core"
SAME_TRADE_NAME_SAME_INDUSTRY = "same_trade_name_same_industry"
HOMOPHONE = "homophone"

_MESSAGES = {
    IDENTICAL: ("与已登记的“{name}”（{uscc}）相同",
                "is the same as the registered “{name}” ({uscc})"),
    VARIANT: ("与已登记的“{name}”（{uscc}）字号繁简不同而实为相同，且属同一行业",
              "has the trade name of the registered “{name}” ({uscc}) in traditional or "
              "simplified characters, in the same industry"),
    IDENTICAL_CORE: ("与已登记的“{name}”（{uscc}）仅行政区划或组织形式不同",
                     "differs from the registered “{name}” ({uscc}) only in the division "
                     "or the organization form"),
    SAME_TRADE_NAME_SAME_INDUSTRY: ("与同行业已登记的“{name}”（{uscc}）字号相同",
                                    "has the trade name of “{name}” ({uscc}), registered "
                                    "in the same industry"),
    HOMOPHONE: ("与同行业已登记的“{name}”（{uscc}）字号同音",
                "has a trade name that sounds like that of “{name}” ({uscc}), registered in "
                "the same industry"),
}


@dataclass(frozen=True)
class Conflict:
    """A clash with an existing enterprise (or a reservation): which, and under which rule."""

    rule: str
    name: str
    uscc: str = ""
    reserved: bool = False

    @property
    def code(self) -> str:
        return f"name.conflict.{self.rule}"

    @property
    def message_zh(self) -> str:
        text = "名称" + _MESSAGES[self.rule][0].format(name=self.name, uscc=self.uscc or "保留中")
        return text.replace("已登记的", "已保留的") if self.reserved else text

    @property
    def message_en(self) -> str:
        text = "the name " + _MESSAGES[self.rule][1].format(name=self.name,
                                                            uscc=self.uscc or "reserved")
        return text.replace("registered", "reserved") if self.reserved else text

    def as_error(self, field: str = "name") -> dict:
        return {"field": field, "code": self.code, "message_zh": self.message_zh,
                "message_en": self.message_en}


@cache
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1 << 16)
def simplified(text: str) -> str:
    """Traditional → simplified (OpenCC t2s); cached (bounded), as 字号 repeat a lot."""
    return _t2s().convert(text)


#: At most this many readings of one text are compared (多音字 readings multiply: a 字号
#: of five characters with two readings each has 32). The most likely come first: every
#: character in its most common reading, then one character in another reading, then
#: two … (see :func:`readings`); beyond the cap the rarer combinations are not compared.
MAX_READINGS = 16


def pinyin(text: str) -> str:
    """Toneless pinyin of the simplified text, syllables joined by spaces, each character
    in its most common reading (the first of :func:`readings`).

    Character by character: a 字号 is rarely a phrase whose context changes a reading,
    and per-character readings cache in a table the size of the character set, where
    pypinyin's phrase matching cost ~200 µs a name."""
    return " ".join(_syllables(char)[0] for char in simplified(text))


def readings(text: str) -> tuple[str, ...]:
    """Every toneless reading of ``text`` as :func:`pinyin` spells it, a 多音字 (行 xing /
    hang, 长 chang / zhang, 重 zhong / chong …) in each of its common readings
    (``data/polyphones.json``); the most common first and at most :data:`MAX_READINGS`.
    Two 字号 sound alike (``homophone``) when their readings share one.

    Bounded breadth-first: all characters in their first reading, then every way of
    putting one 多音字 in another reading, then two, and so on until the cap, so the
    likely readings are never crowded out by the combinations of a long name. Not
    cached here: the index caches what it files (compactly), and each character's
    readings are cached already."""
    options = [_syllables(char) for char in simplified(text)]
    found = [" ".join(o[0] for o in options)]
    plural = [i for i, o in enumerate(options) if len(o) > 1]
    for changed in range(1, len(plural) + 1):
        for positions in combinations(plural, changed):
            alternatives = [options[i][1:] for i in positions]
            for chosen in product(*alternatives):
                syllables = [o[0] for o in options]
                for i, syllable in zip(positions, chosen, strict=True):
                    syllables[i] = syllable
                found.append(" ".join(syllables))
                if len(found) >= MAX_READINGS:
                    return tuple(dict.fromkeys(found))
    return tuple(dict.fromkeys(found))


def sound_alike(a: str, b: str) -> bool:
    """Do ``a`` and ``b`` share a reading (any reading of each 多音字)?"""
    return not set(readings(a)).isdisjoint(readings(b))


@cache
def _syllables(char: str) -> tuple[str, ...]:
    """The toneless readings of one character: pypinyin's most common one first, then
    those ``data/polyphones.json`` lists for a 多音字 in common use (a character it does
    not know reads as itself)."""
    from pypinyin import lazy_pinyin

    return tuple(dict.fromkeys([lazy_pinyin(char)[0], *words.polyphones().get(char, ())]))


def trade_key(parsed: ParsedName) -> str:
    return simplified(parsed.trade_name)


def core_key(parsed: ParsedName) -> str:
    """The name without division and organization form, simplified: what two active
    reservations may never share."""
    return simplified(parsed.trade_name + parsed.industry)


def industry_divisions(industry: str) -> frozenset[str]:
    """GB/T 4754 divisions covered by the industry words (科技服务 → 科技 ∪ 服务)."""
    table = words.industry_words()
    found: set[str] = set()
    i, n = 0, len(industry)
    while i < n:
        word = next((industry[i:j] for j in range(min(n, i + 8), i, -1)
                     if industry[i:j] in table), "")
        if not word:
            i += 1
            continue
        found |= table[word]
        i += len(word)
    return frozenset(found)


def same_industry(a: ParsedName, b: ParsedName, code_a: str = "", code_b: str = "") -> bool:
    """The same industry words, or words sharing a GB/T 4754 division, or recorded
    industry codes (four digits) of the same division."""
    if a.industry and simplified(a.industry) == simplified(b.industry):
        return True
    if industry_divisions(simplified(a.industry)) & industry_divisions(simplified(b.industry)):
        return True
    return bool(code_a[:2] and code_a[:2] == code_b[:2])


def compare(proposed: ParsedName, existing: ParsedName, *, proposed_industry_code: str = "",
            existing_industry_code: str = "") -> str | None:
    """The rule under which ``proposed`` clashes with ``existing``, or None. The caller
    has already checked that both fall under the same registration authority."""
    if proposed.full == existing.full:
        return IDENTICAL
    trade_p, trade_e = proposed.trade_name, existing.trade_name
    industry = same_industry(proposed, existing, proposed_industry_code,
                             existing_industry_code)
    if trade_p != trade_e and simplified(trade_p) == simplified(trade_e):
        return VARIANT if industry else None
    if trade_p == trade_e:
        if simplified(proposed.industry) == simplified(existing.industry):
            return IDENTICAL_CORE
        return SAME_TRADE_NAME_SAME_INDUSTRY if industry else None
    if industry and sound_alike(trade_p, trade_e):
        return HOMOPHONE
    return None
