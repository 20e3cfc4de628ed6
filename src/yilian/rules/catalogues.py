"""The catalogues in force on a day: the shipped reference data (``yilian.refdata``) plus
every amendment in force — to business-scope entries (目录调整) and to negative-list items
(负面清单调整) — as the plain :class:`~yilian.rules.facts.Catalogues` the engine decides
over."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache, lru_cache
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


# What an amendment row contributes to the catalogues (its id first: the editions name
# it), in force on a day, newest first per entry (the models' order). In SQL: every
# submission reads them, and compiling the ORM's two queries cost more than the rows.
_SCOPE = ("SELECT id, entry_id, text, kind, timing, department, permit, commitment, "
          "negative_list_id FROM rules_catalogueamendment WHERE effective_from <= %s "
          "ORDER BY entry_id, effective_from DESC, id DESC")
_NEGATIVE = ("SELECT id, item_id, text, kind, commitment, withdrawn "
             "FROM rules_negativelistamendment WHERE effective_from <= %s "
             "ORDER BY item_id, effective_from DESC, id DESC")


def in_force(on: dt.date) -> Catalogues:
    """The catalogues in force on ``on``: shipped scope entries and negative-list items,
    each replaced by its newest amendment in force, with the amendments used named in
    ``editions`` (``scope_amendments``, ``negative_list_amendments``).

    The amendments are read on every call (an administrator's amendment counts from the
    next decision, in every process); the catalogues built from them are kept per set of
    amendments, since building them normalizes every scope entry's wording, which cost a
    submission more than all the rest of its rules."""
    from django.db import connection

    from yilian.db import prepared

    day = connection.ops.adapt_datefield_value(on)
    with prepared.cursor() as cursor:
        cursor.execute(_SCOPE, [day])
        scope = [(*row[:7], bool(row[7]), row[8]) for row in _newest(cursor.fetchall())]
        cursor.execute(_NEGATIVE, [day])
        negative = [(*row[:4], None if row[4] is None else bool(row[4]), bool(row[5]))
                    for row in _newest(cursor.fetchall())]
    return _built(tuple(scope), tuple(negative))


@lru_cache(maxsize=16)
def _built(scope_amendments: tuple[tuple, ...],
           negative_amendments: tuple[tuple, ...]) -> Catalogues:
    """The catalogues for these amendment rows (``_SCOPE``, ``_NEGATIVE``, booleans as
    booleans), shared by every decision that sees the same rows: nothing may change
    them."""
    items = dict(_shipped_scope())
    scope_used = []
    for (pk, entry_id, text, kind, timing, department, permit, commitment,
         negative_list_id) in scope_amendments:
        scope_used.append(pk)
        base = items.get(entry_id)
        items[entry_id] = ScopeItem(
            entry_id, text or (base.text if base else ""),
            base.industry_class if base else "", kind, timing, department, permit,
            commitment, negative_list_id,
        )
    negative = published.negative_list()
    listed = {i.id: NegativeItem(i.id, i.text, i.kind) for i in negative.items}
    negative_used = []
    for pk, item_id, text, kind, commitment, withdrawn in negative_amendments:
        negative_used.append(pk)
        base = listed.pop(item_id, None)
        if withdrawn:
            continue  # 移出清单: neither refuses nor asks for a permit from that day
        listed[item_id] = NegativeItem(
            item_id, text or (base.text if base else ""),
            kind or (base.kind if base else "licensed"), commitment)
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


def _newest(rows):
    """Of amendment ``rows`` (ordered by their key, the second field, then newest
    first), the first met per key: the one in force."""
    seen: set[str] = set()
    for row in rows:
        if row[1] not in seen:
            seen.add(row[1])
            yield row
