"""Admission catalogues: the market-access negative list (市场准入负面清单) and the
pre-registration approval catalogue (工商登记前置审批事项目录).

The negative list sorts items into prohibited (禁止准入类: refuse) and licensed
(许可准入类: a permit is needed); the pre-registration catalogue names the only permits
that must exist before registration. Each file records its edition, source and the
published item count beside what is shipped, so a decision can cite the edition and a
reader can see when the shipped list is partial; each item says whether its wording was
checked against a published text (``verified``) and its number in the list where known.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from yilian.refdata._files import read_json


@dataclass(frozen=True)
class CatalogueItem:
    """One item: id, wording, kind (prohibited | licensed | pre), department, legal basis.

    ``number`` is the item's number in the published list where it is known (``None``
    otherwise), ``code`` its 事项编码 where known; ``verified`` says whether the wording was
    checked against a published text, and ``note`` says against what, or why not.
    """

    id: str
    text: str
    kind: str
    department: str
    basis: str
    number: int | None = None
    code: str = ""
    verified: bool = True
    note: str = ""


@dataclass(frozen=True)
class Catalogue:
    """A catalogue edition: its items and the counts the publisher gave."""

    edition: str
    source: str
    published_count: int | None
    complete: bool
    note: str
    items: tuple[CatalogueItem, ...]

    def of_kind(self, kind: str) -> tuple[CatalogueItem, ...]:
        return tuple(i for i in self.items if i.kind == kind)

    def item(self, item_id: str) -> CatalogueItem | None:
        return next((i for i in self.items if i.id == item_id), None)


def _items(data: dict, default_kind: str) -> tuple[CatalogueItem, ...]:
    return tuple(
        CatalogueItem(i["id"], i["text"], i.get("kind", default_kind), i["department"],
                      i.get("basis", ""), i.get("number"), i.get("code", ""),
                      i.get("verified", True), i.get("note", ""))
        for i in data["items"]
    )


@cache
def negative_list() -> Catalogue:
    """The market-access negative list, 2022 edition."""
    data = read_json("negative_list.json")
    return Catalogue(
        edition=data["edition"],
        source=data["source"],
        published_count=data["published_counts"]["total"],
        complete=all(data["complete"].values()),
        note=data["note"],
        items=_items(data, "licensed"),
    )


@cache
def negative_list_published_counts() -> dict[str, int]:
    """Published counts by kind (prohibited, licensed, total)."""
    return dict(read_json("negative_list.json")["published_counts"])


@cache
def negative_list_manifest() -> dict:
    """The negative-list file's metadata: edition, source, published, shipped and verified
    counts, completeness by kind, and later editions known but not shipped."""
    return {k: v for k, v in read_json("negative_list.json").items() if k != "items"}


def negative_list_later_editions() -> tuple[dict, ...]:
    """Editions published after the shipped one (e.g. 2025), with what is known of them."""
    return tuple(negative_list_manifest().get("later_editions", ()))


@cache
def pre_registration_catalogue() -> Catalogue:
    """The pre-registration approval catalogue, in the edition the data file names."""
    data = read_json("pre_registration.json")
    return Catalogue(
        edition=data["edition"],
        source=data["source"],
        published_count=data["published_count"],
        complete=data["complete"],
        note=data["note"],
        items=_items(data, "pre"),
    )
