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
