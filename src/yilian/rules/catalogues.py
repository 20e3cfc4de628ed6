"""The catalogues in force on a day: the shipped reference data (``yilian.refdata``) plus
every amendment in force, as the plain :class:`~yilian.rules.facts.Catalogues` the
engine decides over."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources

from yilian.refdata import catalogues as published
from yilian.refdata import scope as scope_data
from yilian.rules.engine import normalize
from yilian.rules.facts import Catalogues, NegativeItem, ScopeItem


@cache
def _shipped_scope() -> dict[str, ScopeItem]:
    return {
        entry.id: ScopeItem(entry.id, entry.text, entry.industry_class, entry.kind,
                            entry.timing or "", entry.department or "", entry.permit or "",
                            bool(entry.commitment))
        for entry in scope_data.entries()
    }


@cache
def prohibited_terms() -> tuple[str, dict[str, str]]:
    raw = json.loads(resources.files("yilian.rules").joinpath("data/prohibited_terms.json")
                     .read_text(encoding="utf-8"))
    return raw["edition"], raw["terms"]


def in_force(on: dt.date) -> Catalogues:
    from yilian.rules.models import CatalogueAmendment

    items = dict(_shipped_scope())
    applied: list[int] = []
    seen: set[str] = set()
    # Newest first per entry: the first amendment met for an entry is the one in force.
    for amendment in CatalogueAmendment.objects.filter(effective_from__lte=on):
        if amendment.entry_id in seen:
            continue
        seen.add(amendment.entry_id)
        applied.append(amendment.pk)
        base = items.get(amendment.entry_id)
        items[amendment.entry_id] = ScopeItem(
            amendment.entry_id, amendment.text or (base.text if base else ""),
            base.industry_class if base else "", amendment.kind, amendment.timing,
            amendment.department, amendment.permit, amendment.commitment,
            amendment.negative_list_id,
        )
    negative = published.negative_list()
    pre = published.pre_registration_catalogue()
    terms_edition, terms = prohibited_terms()
    return Catalogues(
        scope={normalize(item.text): item for item in items.values() if item.text},
        negative_list={i.id: NegativeItem(i.id, i.text, i.kind) for i in negative.items},
        pre_registration=frozenset(i.id for i in items.values() if i.timing == "pre"),
        prohibited_terms=terms,
        editions={
            "scope": scope_data.edition(),
            "scope_amendments": ",".join(map(str, sorted(applied))),
            "negative_list": negative.edition,
            "pre_registration": pre.edition,
            "prohibited_terms": terms_edition,
        },
    )
