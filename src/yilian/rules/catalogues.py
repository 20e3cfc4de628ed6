"""The catalogues in force on a day: the shipped reference data (``yilian.refdata``) plus
every amendment in force — to business-scope entries (目录调整) and to negative-list items
(负面清单调整) — as the plain :class:`~yilian.rules.facts.Catalogues` the engine decides
over."""

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
    """The catalogues in force on ``on``: shipped scope entries and negative-list items,
    each replaced by its newest amendment in force, with the amendments used named in
    ``editions`` (``scope_amendments``, ``negative_list_amendments``)."""
    from yilian.rules.models import CatalogueAmendment, NegativeListAmendment

    items = dict(_shipped_scope())
    scope_used = []
    for amendment in _newest(CatalogueAmendment.objects.filter(effective_from__lte=on),
                             "entry_id"):
        scope_used.append(amendment.pk)
        base = items.get(amendment.entry_id)
        items[amendment.entry_id] = ScopeItem(
            amendment.entry_id, amendment.text or (base.text if base else ""),
            base.industry_class if base else "", amendment.kind, amendment.timing,
            amendment.department, amendment.permit, amendment.commitment,
            amendment.negative_list_id,
        )
    negative = published.negative_list()
    listed = {i.id: NegativeItem(i.id, i.text, i.kind) for i in negative.items}
    negative_used = []
    for amendment in _newest(NegativeListAmendment.objects.filter(effective_from__lte=on),
                             "item_id"):
        negative_used.append(amendment.pk)
        base = listed.pop(amendment.item_id, None)
        if amendment.withdrawn:
            continue  # 移出清单: neither refuses nor asks for a permit from that day
        listed[amendment.item_id] = NegativeItem(
            amendment.item_id, amendment.text or (base.text if base else ""),
            amendment.kind or (base.kind if base else "licensed"), amendment.commitment)
    pre = published.pre_registration_catalogue()
    terms_edition, terms = prohibited_terms()
    return Catalogues(
        scope={normalize(item.text): item for item in items.values() if item.text},
        negative_list=listed,
        pre_registration=frozenset(i.id for i in items.values() if i.timing == "pre"),
        prohibited_terms=terms,
        editions={
            "scope": scope_data.edition(),
            "scope_amendments": ",".join(map(str, sorted(scope_used))),
            "negative_list": negative.edition,
            "negative_list_amendments": ",".join(map(str, sorted(negative_used))),
            "pre_registration": pre.edition,
            "prohibited_terms": terms_edition,
        },
    )


def _newest(amendments, key: str):
    """Of ``amendments`` (ordered by key, then newest first), the first met per key: the
    one in force."""
    seen: set[str] = set()
    for amendment in amendments:
        if getattr(amendment, key) not in seen:
            seen.add(getattr(amendment, key))
            yield amendment
