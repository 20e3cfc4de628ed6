"""The one error type every code validator raises, with its reason in two languages, and
the one way every code is read before it is checked or compared (:func:`fold_width`)."""

from __future__ import annotations

import unicodedata


class InvalidCode(ValueError):
    """A code failed validation; ``code`` names the rule, the messages say it to people."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en

    def __str__(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


def fold_width(text: str) -> str:
    """Full-width (全角) and half-width forms to their ordinary characters, by NFKC —
    ``１１０１０５`` is ``110105``, ``ｘ`` is ``x``, the ideographic space a space — and
    nothing else: a superscript ² or a circled ① is not a digit someone meant, so it
    stays, and the code's own check rejects it. Every code is folded so before it is
    checked, stored or compared, so one person or enterprise has one spelling."""
    if text.isascii():
        return text
    return "".join(
        unicodedata.normalize("NFKC", ch)
        if unicodedata.decomposition(ch).startswith(("<wide>", "<narrow>")) else ch
        for ch in text)


def ascii_only(value: str, rule: str, label_zh: str, label_en: str) -> str:
    """After folding, a code is plain ASCII; anything else is the applicant's error."""
    if not value.isascii():
        shown = "".join(sorted({ch for ch in value if not ch.isascii()}))
        raise InvalidCode(f"{rule}.charset", f"{label_zh}含有非法字符：{shown}",
                          f"{label_en} contains characters that are not allowed: {shown}")
    return value


def eighteen_characters(value: object, rule: str, label_zh: str, label_en: str) -> str:
    """Both national codes are 18 characters: the common first checks, upper-cased."""
    if not isinstance(value, str):
        raise InvalidCode(f"{rule}.type", f"{label_zh}必须是文本", f"{label_en} must be a string")
    value = ascii_only(fold_width(value).strip().upper(), rule, label_zh, label_en)
    if len(value) != 18:
        raise InvalidCode(
            f"{rule}.length",
            f"{label_zh}应为18位，实为{len(value)}位",
            f"{label_en} must be 18 characters, got {len(value)}",
        )
    return value


def digit_code(value: object, length: int, rule: str, label_zh: str, label_en: str) -> str:
    """Division and industry codes are fixed-length digit strings: the common checks
    (no stripping: a code with spaces round it is not the code)."""
    if not isinstance(value, str):
        raise InvalidCode(f"{rule}.type", f"{label_zh}必须是文本", f"{label_en} must be a string")
    value = fold_width(value)
    if len(value) != length or not value.isascii() or not value.isdigit():
        raise InvalidCode(f"{rule}.format", f"{label_zh}应为{length}位数字",
                          f"{label_en} must be {length} digits")
    return value
