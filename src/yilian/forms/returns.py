"""Standard return reasons (补正事由): what an examiner may name when returning an
application for correction (退回补正), each tied to the form's field and step at fault.

The list is data (``data/return_reasons.json``, with an edition and a source), not an
if-chain: each reason has a code, the one-form JSON path it concerns (``domicile``;
``investors[*].contribution_date`` for that field of every row), the step page that
edits it, and its words in Chinese and English. :func:`resolve` turns the codes an
examiner picked into what is stored with the application
(``Application.return_reasons``): the texts as they read at the time, the step, and the
concrete paths (``investors[0].contribution_date``, ``investors[1].contribution_date``)
whose inputs the applicant's step page highlights.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from yilian.forms.models import Application

ROW_WILDCARD = "[*]"


@dataclass(frozen=True)
class ReturnReason:
    code: str
    field: str  # a JSON path; ``table[*].field`` means that field of every row
    step: str  # the step page's slug (yilian.portal.steps)
    zh: str
    en: str


@dataclass(frozen=True)
class ReasonList:
    edition: str
    reasons: tuple[ReturnReason, ...]

    def get(self, code: str) -> ReturnReason | None:
        return next((r for r in self.reasons if r.code == code), None)


@cache
def standard_reasons() -> ReasonList:
    raw = json.loads(resources.files("yilian.forms").joinpath("data/return_reasons.json")
                     .read_text(encoding="utf-8"))
    return ReasonList(raw["edition"], tuple(
        ReturnReason(r["code"], r["field"], r["step"], r["zh"], r["en"])
        for r in raw["reasons"]))


class UnknownReason(ValueError):
    """A code not on the list in force."""


def fields_at_fault(reason: ReturnReason, application: Application) -> list[str]:
    """The concrete paths ``reason`` points at in ``application``: a row wildcard is
    expanded to every row the form has (the table itself when it has none)."""
    if ROW_WILDCARD not in reason.field:
        return [reason.field]
    table, rest = reason.field.split(ROW_WILDCARD, 1)
    count = getattr(application, table).count()
    return [f"{table}[{i}]{rest}" for i in range(count)] or [table]


def resolve(codes: Iterable[str], application: Application) -> list[dict]:
    """What is stored for the picked ``codes`` (in list order, each once). Raises
    :class:`UnknownReason` for a code not on the list."""
    reasons = standard_reasons()
    picked = list(dict.fromkeys(c for c in codes if c))
    unknown = [c for c in picked if reasons.get(c) is None]
    if unknown:
        raise UnknownReason(", ".join(unknown))
    return [{"code": r.code, "step": r.step, "fields": fields_at_fault(r, application),
             "zh": r.zh, "en": r.en, "edition": reasons.edition}
            for r in reasons.reasons if r.code in picked]
