"""Business-scope catalogue (经营范围规范表述): the normalized wordings an applicant picks.

Each entry links to an industry class (GB/T 4754) and says whether it is a general item
(一般项目) or a licensed one (许可项目); a licensed item names its permit, the approving
department, whether the permit comes before registration (前置) or after (后置), and
whether a signed pledge (告知承诺) may stand in for it at first. The rules engine reads
these flags; the scope picker calls ``search``. Data: ``data/scope.csv`` and its manifest.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from yilian.refdata._files import read_csv, read_json

Kind = Literal["general", "licensed"]
Timing = Literal["pre", "post"]


@dataclass(frozen=True)
class ScopeEntry:
    """One normalized wording with its industry class and permit flags."""

    id: str
    text: str
    industry_class: str
    kind: Kind
    timing: Timing | None = None
    department: str | None = None
    permit: str | None = None
    commitment: bool = False

    @property
    def licensed(self) -> bool:
        return self.kind == "licensed"


def normalize(text: str) -> str:
    """Fold what people type differently: full/half width (NFKC), case, spaces."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def _entry(row: dict[str, str]) -> ScopeEntry:
    licensed = row["kind"] == "licensed"
    return ScopeEntry(
        id=row["id"],
        text=row["text"],
        industry_class=row["class"],
        kind=row["kind"],  # type: ignore[arg-type]
        timing=(row["timing"] or None) if licensed else None,  # type: ignore[arg-type]
        department=row["department"] or None,
        permit=row["permit"] or None,
        commitment=row["commitment"] == "true",
    )


@cache
def entries() -> tuple[ScopeEntry, ...]:
    """Every entry, in catalogue order."""
    return tuple(_entry(row) for row in read_csv("scope.csv"))


@cache
def _by_id() -> dict[str, ScopeEntry]:
    return {e.id: e for e in entries()}


@cache
def _by_norm() -> dict[str, ScopeEntry]:
    return {normalize(e.text): e for e in entries()}


@cache
def manifest() -> dict:
    """Edition, source and counts of the catalogue file."""
    return read_json("scope.manifest.json")


def edition() -> str:
    return manifest()["edition"]


def entry(entry_id: str) -> ScopeEntry | None:
    """The entry with this id, or ``None``."""
    return _by_id().get(entry_id)


def by_text(text: str) -> ScopeEntry | None:
    """The entry whose wording is exactly ``text`` once normalized, or ``None``."""
    return _by_norm().get(normalize(text)) if isinstance(text, str) else None


def search(text: str, limit: int = 20) -> list[ScopeEntry]:
    """Entries whose wording contains every space-separated term of ``text``.

    Exact matches come first, then wordings that start with the query, then the shortest,
    so that typing 食品销售 offers 食品销售 before its longer variants.
    """
    if not isinstance(text, str) or limit <= 0:
        return []
    terms = [normalize(t) for t in text.split()]
    terms = [t for t in terms if t]
    if not terms:
        return []
    whole = "".join(terms)
    hits = [(key, e) for key, e in _by_norm().items() if all(t in key for t in terms)]
    hits.sort(key=lambda h: (h[0] != whole, not h[0].startswith(terms[0]), len(h[0]), h[1].id))
    return [e for _, e in hits[:limit]]
