"""The one error type every code validator raises, with its reason in two languages."""

from __future__ import annotations


class InvalidCode(ValueError):
    """A code failed validation; ``code`` names the rule, the messages say it to people."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en

    def __str__(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


def eighteen_characters(value: object, rule: str, label_zh: str, label_en: str) -> str:
    """Both national codes are 18 characters: the common first checks, upper-cased."""
    if not isinstance(value, str):
        raise InvalidCode(f"{rule}.type", f"{label_zh}必须是文本", f"{label_en} must be a string")
    value = value.strip().upper()
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
    if len(value) != length or not value.isascii() or not value.isdigit():
        raise InvalidCode(f"{rule}.format", f"{label_zh}应为{length}位数字",
                          f"{label_en} must be {length} digits")
    return value
