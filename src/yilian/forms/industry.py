"""The enterprise's industry (行业, GB/T 4754 class) in words, from its business scope.

Every entry of the business-scope catalogue (经营范围规范表述) carries its industry
class, so the class of the main (first) entry is the enterprise's industry unless the
applicant picks another in words (:func:`search`); nobody types 6513.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yilian.refdata import industries
from yilian.refdata import scope as scope_catalogue


@dataclass(frozen=True)
class Choice:
    """An industry class as shown: 软件开发 6513."""

    code: str
    name: str

    def __str__(self) -> str:
        return f"{self.name} {self.code}"


def main_class(business_scope: Any) -> str:
    """The class of the first scope entry the catalogue knows, or ""."""
    if not isinstance(business_scope, list):
        return ""
    for text in business_scope:
        entry = scope_catalogue.by_text(text) if isinstance(text, str) else None
        if entry is not None:
            return entry.industry_class
    return ""


def choice(code: str) -> Choice | None:
    found = industries.industry_class(code or "")
    return Choice(found.code, found.name) if found else None


def search(text: str, limit: int = 20) -> list[Choice]:
    """Classes whose name contains every space-separated term of ``text`` (or, for
    someone who knows it, whose code starts with it); names that start with the query
    first, then the shortest."""
    terms = [scope_catalogue.normalize(t) for t in (text or "").split()]
    terms = [t for t in terms if t]
    if not terms or limit <= 0:
        return []
    hits = [c for c in industries.classes()
            if all(t in scope_catalogue.normalize(c.name) for t in terms)
            or (len(terms) == 1 and terms[0].isdigit() and c.code.startswith(terms[0]))]
    hits.sort(key=lambda c: (not c.name.startswith(terms[0]), len(c.name), c.code))
    return [Choice(c.code, c.name) for c in hits[:limit]]
