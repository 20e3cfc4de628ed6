"""Codes from national standards (pure Python, no Django): USCC, resident ID, divisions."""

from yilian.codes.errors import InvalidCode

__all__ = ["InvalidCode"]
