"""Format rules for a proposed name (名称格式规则), each with a rule id and its reason in
Chinese and English.

These look at the name alone; conflicts with existing enterprises are
:mod:`yilian.names.similarity`'s job. Every problem is returned at once so the applicant
fixes the name in one pass.

Rule ids: ``name.org_form_missing``, ``name.trade_name_missing``, ``name.parentheses``
(the parser's); ``name.trade_name.charset``, ``name.trade_name.length``,
``name.trade_name.division``; ``name.restricted.national``, ``name.prohibited.party``,
``name.prohibited.state_organ``, ``name.prohibited.armed_forces`` (from the data file);
``name.org_form.mismatch`` (the suffix kinds of data/names.json); per kind of market
entity from the catalogue, :mod:`yilian.names.kinds`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from yilian.names import kinds, words
from yilian.names.parse import MIN_TRADE_NAME, ParsedName, UnparsableName, parse

BASIS = "《企业名称登记管理规定》（2020）"


@dataclass(frozen=True)
class Problem:
    """One broken format rule."""

    rule: str
    message_zh: str
    message_en: str
    basis: str = BASIS
    field: str = ""  # the form field it is about when not the name (parent_uscc)

    def as_error(self, field: str = "name") -> dict:
        """The shape of a form field error (``forms.validation``)."""
        return {"field": self.field or field, "code": self.rule, "message_zh": self.message_zh,
                "message_en": self.message_en}


def is_standard_hanzi(char: str) -> bool:
    """CJK Unified Ideographs (U+4E00–U+9FFF) and Extension A (U+3400–U+4DBF)."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def check_format(name: str, org_form: str | None = None, *,
                 authorized: Iterable[str] = (), division_code: str = "",
                 parent_name: str | None = None) -> list[Problem]:
    """Every format problem of ``name``. ``org_form`` is the application's
    (``forms.OrgForm`` value; None skips the suffix rule): a kind in the catalogue brings
    its form words, forbidden words and division level (:mod:`yilian.names.kinds`);
    ``division_code`` is where the entity is; ``parent_name`` the registered name of a
    branch's parent (None: not known); ``authorized`` lists the restricted words the
    applicant has approval for."""
    kind = kinds.kind_of(org_form)
    problems = list(_words(name, frozenset(authorized)))
    if kinds.parent_suffixes(kind):  # a branch: no 字号 of its own to parse
        return [*kinds.branch_problems(name, kind, parent_name), *problems]
    try:
        parsed = parse(name)
    except UnparsableName as exc:
        own = kinds.form_problems(name, None, kind, division_code) if kind else []
        if exc.code == "name.org_form_missing" and own:
            return [*own, *problems]  # the kind's own words say what ending is missing
        return [Problem(exc.code, exc.message_zh, exc.message_en), *own, *problems]
    problems[:0] = _trade_name(parsed)
    if org_form and not (kind and kind.name_forms):
        problems.extend(_org_form(parsed, org_form))
    if kind is not None:
        problems.extend(kinds.form_problems(name, parsed, kind, division_code))
    return problems


def _trade_name(parsed: ParsedName) -> list[Problem]:
    trade = parsed.trade_name
    found = []
    bad = "".join(sorted({c for c in trade if not is_standard_hanzi(c)}))
    if bad:
        found.append(Problem("name.trade_name.charset",
                             f"字号“{trade}”只能使用规范汉字，不能含有“{bad}”",
                             f"the trade name “{trade}” may use standard Chinese characters "
                             f"only, not “{bad}”", f"{BASIS}第五条"))
    if len(trade) < MIN_TRADE_NAME:
        found.append(Problem("name.trade_name.length", f"字号“{trade}”应至少两个汉字",
                             f"the trade name “{trade}” needs at least two characters",
                             f"{BASIS}第八条"))
    if trade in words.division_words():
        found.append(Problem("name.trade_name.division",
                             f"字号“{trade}”不能使用行政区划名称",
                             f"the trade name “{trade}” may not be a division's name",
                             f"{BASIS}第八条"))
    return found


def _words(name: str, authorized: frozenset[str]) -> Iterable[Problem]:
    """Prohibited and restricted words anywhere in the name, longest first, each once
    (人民解放军 does not also report 解放军)."""
    seen: list[str] = []
    for item in words.prohibited_words():
        if item.word in name and item.word not in authorized \
                and not any(item.word in longer for longer in seen):
            seen.append(item.word)
            if item.rule.startswith("name.restricted"):
                zh = f"名称含有“{item.word}”，须经批准方可使用"
                en = f"the name contains “{item.word}”, which needs approval"
            else:
                zh = f"名称不得使用“{item.word}”（政党、党政机关或部队的名称）"
                en = (f"the name may not use “{item.word}” (a party, state organ "
                      "or armed force)")
            yield Problem(item.rule, zh, en, item.basis)


def _org_form(parsed: ParsedName, org_form: str) -> list[Problem]:
    allowed = words.org_form_kinds().get(org_form)
    if allowed is None or parsed.org_form_kind in allowed:
        return []
    expected = "、".join(s for s, kind in words.org_forms() if kind in allowed)
    return [Problem("name.org_form.mismatch",
                    f"组织形式“{parsed.org_form}”与申请的企业类型不符，应为：{expected}",
                    f"the organization form “{parsed.org_form}” does not match the "
                    f"enterprise type applied for ({org_form}); expected one of {expected}",
                    f"{BASIS}第十条")]
