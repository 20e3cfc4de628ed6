"""The conflict index (名称比对索引): existing enterprises, keyed so that each comparison
rule is one dictionary probe instead of a scan of the register.

Keys, per registration authority (the first four digits of the division code):

- the simplified 字号 — finds ``identical``, ``variant``, ``identical_core`` and
  ``same_trade_name_same_industry`` candidates;
- the toneless pinyin of the 字号 — finds ``homophone`` candidates;
- for a name the parser cannot split, its full normalized text — finds ``identical``.

Candidates are then judged by :func:`yilian.names.similarity.compare`.

Built for a province (10 M names): keys are stored as 64-bit hashes, not strings (a
collision only adds a candidate that :func:`compare` rejects); names live in one UTF-8
blob with offsets, USCCs in one fixed-width byte array, industry codes as interned
strings. A key with one entry holds the entry number itself; only keys shared by several
entries hold a list. Measured with tracemalloc on 100 000 synthetic names over a
30-character alphabet (so many shared keys, hence many lists): about 750 bytes and
~190 µs of build time per name, most of it the two dictionaries and the parser. That is
not yet province scale: 10 M names need an open-addressing table in ``array('q')`` (or a
sorted key array) instead of the dict, and a faster parse on build (bench/names.py).

The index lives in the process: :func:`get` builds it from the register on first use,
:func:`add` puts a newly registered enterprise in at once, :func:`rebuild` re-reads
everything. Each process (web, worker) holds its own; ``add`` reaches only its own.
"""

from __future__ import annotations

import sys
import threading
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from yilian.names import similarity
from yilian.names.parse import ParsedName, UnparsableName, normalize, parse

_lock = threading.Lock()
_index: NameIndex | None = None
_RANK = {rule: i for i, rule in enumerate([
    similarity.IDENTICAL, similarity.VARIANT, similarity.IDENTICAL_CORE,
    similarity.SAME_TRADE_NAME_SAME_INDUSTRY, similarity.HOMOPHONE])}


@dataclass(frozen=True)
class Entry:
    """One existing enterprise as the index holds it."""

    name: str
    uscc: str
    authority: str
    industry_code: str


def authority(division_code: str) -> str:
    """The registration authority (登记机关) of a division: its prefecture, four digits."""
    return (division_code or "")[:4]


def _key(kind: str, authority_code: str, text: str) -> int:
    return hash((kind, authority_code, text))


class NameIndex:
    """Existing names by authority + 字号 and authority + pinyin; see the module notes."""

    def __init__(self) -> None:
        self._blob = bytearray()
        self._offsets = array("Q", [0])
        self._uscc = bytearray()
        self._authority = array("H")
        self._industry: list[str] = []
        self._keys: dict[int, int | list[int]] = {}

    def __len__(self) -> int:
        return len(self._authority)

    def add(self, name: str, uscc: str, division_code: str, industry_code: str = "") -> None:
        """Index one enterprise. ``division_code`` falls back to the USCC's (chars 3–8)."""
        name = normalize(name)
        auth = authority(division_code or uscc[2:8])
        if not (len(auth) == 4 and auth.isdigit()):
            return  # no authority: nothing under which it could clash
        number = len(self)
        self._blob += name.encode("utf-8")
        self._offsets.append(len(self._blob))
        self._uscc += uscc.encode("ascii", "replace")[:18].ljust(18)
        self._authority.append(int(auth))
        self._industry.append(sys.intern(industry_code or ""))
        for key in self._keys_of(name, auth):
            self._put(key, number)

    def entry(self, number: int) -> Entry:
        start, end = self._offsets[number], self._offsets[number + 1]
        return Entry(self._blob[start:end].decode("utf-8"),
                     self._uscc[18 * number:18 * number + 18].decode("ascii").strip(),
                     f"{self._authority[number]:04d}", self._industry[number])

    def candidates(self, name: str, division_code: str) -> Iterator[Entry]:
        """Entries under the same authority that share a key with ``name``."""
        auth = authority(division_code)
        seen: set[int] = set()
        for key in self._keys_of(normalize(name), auth):
            found = self._keys.get(key)
            for number in [found] if isinstance(found, int) else found or ():
                if number not in seen and f"{self._authority[number]:04d}" == auth:
                    seen.add(number)
                    yield self.entry(number)

    def conflicts(self, name: str, division_code: str,
                  industry_code: str = "") -> list[similarity.Conflict]:
        """Every existing enterprise ``name`` clashes with, most serious rule first."""
        try:
            proposed: ParsedName | None = parse(name)
        except UnparsableName:
            proposed = None
        found = []
        for entry in self.candidates(name, division_code):
            rule = _judge(proposed, normalize(name), entry, industry_code)
            if rule:
                found.append(similarity.Conflict(rule, entry.name, entry.uscc))
        return sorted(found, key=lambda c: (_RANK[c.rule], c.name))

    def _keys_of(self, name: str, auth: str) -> Iterable[int]:
        try:
            parsed = parse(name)
        except UnparsableName:
            return [_key("full", auth, name)]
        return [_key("trade", auth, similarity.trade_key(parsed)),
                _key("pinyin", auth, similarity.pinyin(parsed.trade_name))]

    def _put(self, key: int, number: int) -> None:
        held = self._keys.get(key)
        if held is None:
            self._keys[key] = number
        elif isinstance(held, int):
            if held != number:
                self._keys[key] = [held, number]
        elif number not in held:
            held.append(number)


def _judge(proposed: ParsedName | None, full: str, entry: Entry,
           industry_code: str) -> str | None:
    if proposed is None:
        return similarity.IDENTICAL if normalize(entry.name) == full else None
    try:
        existing = parse(entry.name)
    except UnparsableName:
        return None
    return similarity.compare(proposed, existing, proposed_industry_code=industry_code,
                              existing_industry_code=entry.industry_code)


def build(rows: Iterable[tuple[str, str, str, str]]) -> NameIndex:
    """An index of (name, uscc, division_code, industry_code) rows."""
    index = NameIndex()
    for row in rows:
        index.add(*row)
    return index


def rebuild() -> NameIndex:
    """Read the whole register (企业登记簿) into a fresh index and make it the current one."""
    from yilian.registry.models import Enterprise

    global _index
    rows = Enterprise.objects.values_list("name", "uscc", "division_code", "industry_code")
    fresh = build(rows.iterator(chunk_size=10_000))
    with _lock:
        _index = fresh
    return fresh


def get() -> NameIndex:
    """The current index, built from the register on first use."""
    return _index if _index is not None else rebuild()


def add(enterprise) -> None:
    """Put a newly registered ``registry.Enterprise`` into the index at once (called by the
    registration step); a no-op until the index is first built, as the build reads it."""
    with _lock:
        if _index is not None:
            _index.add(enterprise.name, enterprise.uscc, enterprise.division_code,
                       enterprise.industry_code)


def reset() -> None:
    """Forget the index; the next :func:`get` rebuilds it (tests, after a bulk import)."""
    global _index
    with _lock:
        _index = None
