"""The conflict index (名称比对索引): existing enterprises, keyed so that each comparison
rule is a few O(log n) probes instead of a scan of the register.

Every rule of :func:`yilian.names.similarity.compare` except ``identical`` needs the
same toneless pinyin of the 字号 (a variant or an identical 字号 has the same pinyin too;
a 字号 with 多音字 has several readings, :func:`yilian.names.similarity.readings`, and is
filed under each) *and* the same industry — the same industry words, words sharing a
GB/T 4754 division, or recorded industry codes of one division — under one registration
authority. So a name is filed under one key per way its industry can match:

- ``w``: authority + pinyin + the simplified industry words (also finds ``identical``
  and ``identical_core``, and an empty industry matches an empty one);
- ``d``: authority + pinyin + each GB/T 4754 division the industry words cover;
- ``c``: authority + pinyin + the division of the recorded industry code;
- ``f``: authority + the full name, only for a name the parser cannot split (such a name
  can only be ``identical``, and two equal names parse alike).

A proposed name probes the same keys, so every pair ``compare`` would flag shares a key
(recall is that of a scan), and nearly every candidate found is a real clash.

Built for a province (10 M names) without a Python object per name: a key is a 38-bit
hash packed with a 26-bit row number into one unsigned 64-bit integer, held in 65 536
sorted ``array('Q')`` buckets chosen by the top hash bits (a lookup is a bisect in a
bucket of a few hundred); names live once in a UTF-16 blob with offsets; the USCC in
a fixed-width byte array; authority, industry code and where the 字号 and industry words
sit in the name in small integer arrays, so a candidate is judged without re-parsing it.
A hash collision only adds a candidate, and the candidate's stored name is then judged
by ``compare``, which rejects it. Figures: bench/names.py and docs/BENCHMARKS.md.

The index lives in the process: :func:`get` loads it on first use from the data dir's
snapshot (:mod:`yilian.names.snapshot`) when that fits the register, else reads the
register; :func:`catch_up` adds what was registered since (by id, from the index's
``mark``); :func:`add` puts a newly registered enterprise in at once (a sorted insert into
one bucket); :func:`rebuild` re-reads everything. Each process (web, worker) holds its
own, built or loaded once per host: gunicorn's master loads it before forking, so its
workers share it (``runner.load_name_index_before_fork``), then each catches up; the
database stays the truth, so every host sees every other host's registrations (and
:mod:`yilian.names.services` reads reservations from the database on every check).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import threading
import time
from array import array
from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from yilian.names import similarity
from yilian.names.parse import ParsedName, UnparsableName, normalize, parse

log = logging.getLogger("yilian.names")
# _lock guards the current index and its contents (adds, snapshot writes); _building
# makes the threads of a process wait for one build instead of each starting its own.
_lock = threading.RLock()
_building = threading.Lock()
_index: NameIndex | None = None
_RANK = {rule: i for i, rule in enumerate([
    similarity.IDENTICAL, similarity.VARIANT, similarity.IDENTICAL_CORE,
    similarity.SAME_TRADE_NAME_SAME_INDUSTRY, similarity.HOMOPHONE])}

ROW_BITS = 26  # 67 M rows: a province with room to spare
HASH_BITS = 64 - ROW_BITS
BUCKET_BITS = 16
_ROW_MASK = (1 << ROW_BITS) - 1
_HASH_MASK = (1 << HASH_BITS) - 1
_BUCKET_SHIFT = HASH_BITS - BUCKET_BITS
# Where the 字号 and industry words sit: four bytes (trade start, length, industry start,
# length); these two values mean "not split" (judge by the full name only) and "too long
# to pack" (parse again when judged).
# Ids skipped by catch_up() are looked for again for this long (a transaction that took
# its id and has not committed yet), and only jumps up to MAX_GAP are remembered.
GAP_SECONDS = 600.0
MAX_GAP = 1000
_UNPARSABLE = 0xFFFFFFFF
_REPARSE = 0xFFFFFFFE


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


@lru_cache(maxsize=1 << 18)
def _readings(trade_name: str) -> str:
    """Cached: on a register 字号 repeat, and pinyin is a third of the build cost. One
    string (readings joined by ``|``), a third of a tuple's memory in the cache."""
    return "|".join(similarity.readings(trade_name))


@lru_cache(maxsize=1 << 12)
def _industry(industry: str) -> tuple[str, frozenset[str]]:
    simple = similarity.simplified(industry)
    return simple, similarity.industry_divisions(simple)


def _hash(key: tuple[str, ...]) -> int:
    """A HASH_BITS-bit key hash, the same in every process (not Python's ``hash``, which
    is salted per process): a snapshot written by one process is read by others."""
    digest = hashlib.blake2b("\x1f".join(key).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") & _HASH_MASK


def keys(parsed: ParsedName | None, full: str, auth: str, industry_code: str) -> set[int]:
    """The key hashes a name is filed under (an existing one) or probes (a proposed one)."""
    if parsed is None:
        return {_hash(("f", auth, full))}
    words, divisions = _industry(parsed.industry)
    found: set[int] = set()
    for sound in _readings(parsed.trade_name).split("|"):  # each 多音字 reading: own keys
        found.add(_hash(("w", auth, sound, words)))
        found.update(_hash(("d", auth, sound, division)) for division in divisions)
        if industry_code[:2]:
            found.add(_hash(("c", auth, sound, industry_code[:2])))
    return found


def _split_of(parsed: ParsedName | None, full: str) -> int:
    if parsed is None:
        return _UNPARSABLE
    trade, industry = parsed.trade_name, parsed.industry
    start, at = full.find(trade), full.find(industry) if industry else 0
    fields = (start, len(trade), at, len(industry))
    if min(fields) < 0 or max(fields) > 0xFF:
        return _REPARSE
    return fields[0] << 24 | fields[1] << 16 | fields[2] << 8 | fields[3]


def _parse(name: str) -> ParsedName | None:
    try:
        return parse(name)
    except UnparsableName:
        return None


class NameIndex:
    """Existing names, keyed as the module notes say; no Python object per name."""

    def __init__(self) -> None:
        self._blob = bytearray()  # names, UTF-16-LE: two bytes a Chinese character
        self._offsets = array("Q", [0])
        self._uscc = bytearray()
        self._authority = array("H")
        self._industry = array("H")  # number in _industry_codes
        self._industry_codes: list[str] = [""]
        self._industry_numbers: dict[str, int] = {"": 0}
        self._split = array("L")
        self._buckets: list[array | None] = [None] * (1 << BUCKET_BITS)
        self._bulk = False  # while building: append, sort every bucket at the end
        # What of the register it holds: the highest id read, how many rows, the USCC at
        # that id, and where it came from ("register", "snapshot"); see catch_up().
        self.mark = 0
        self.register_rows = 0
        self.last_uscc = ""
        self.source = ""
        self.saved_rows: int | None = None  # register_rows when last saved or loaded
        self._added: set[int] = set()  # ids put in by add() ahead of catch_up()
        # Ids skipped while catching up (id -> when first missed): on PostgreSQL a
        # sequence hands out ids at insert, so a registration that commits late has an
        # id below the mark; catch_up() looks for these until GAP_SECONDS have passed.
        self._gaps: dict[int, float] = {}
        # 变更名称: the highest change event read, and the (USCC, name) pairs a rename
        # put in, so one seen twice (re-read, or told in process) is indexed once.
        self.renames_mark = 0
        self._renamed: set[tuple[str, str]] = set()

    def __len__(self) -> int:
        return len(self._authority)

    def add(self, name: str, uscc: str, division_code: str, industry_code: str = "") -> None:
        """Index one enterprise. ``division_code`` falls back to the USCC's (chars 3–8)."""
        name = normalize(name)
        if not name:
            return  # an individual business without a name: nothing to clash with
        auth = authority(division_code or uscc[2:8])
        if not (len(auth) == 4 and auth.isdigit()):
            return  # no authority: nothing under which it could clash
        number = len(self)
        if number > _ROW_MASK:
            raise OverflowError(f"the index holds at most {_ROW_MASK + 1} names")
        industry_code = industry_code or ""
        parsed = _parse(name)
        self._blob += name.encode("utf-16-le")
        self._offsets.append(len(self._blob))
        self._uscc += uscc.encode("ascii", "replace")[:18].ljust(18)
        self._authority.append(int(auth))
        code = self._industry_numbers.get(industry_code)
        if code is None:
            code = self._industry_numbers[industry_code] = len(self._industry_codes)
            self._industry_codes.append(industry_code)
        self._industry.append(code)
        self._split.append(_split_of(parsed, name))
        for key in keys(parsed, name, auth, industry_code):
            self._put(key, number)

    def finish(self) -> NameIndex:
        """End a bulk build: sort every bucket (and drop the slack appends left)."""
        buckets = self._buckets
        for i, bucket in enumerate(buckets):
            if bucket is not None:
                buckets[i] = array("Q", sorted(bucket))
        self._bulk = False
        return self

    def name(self, number: int) -> str:
        return self._blob[self._offsets[number]:self._offsets[number + 1]].decode("utf-16-le")

    def entry(self, number: int) -> Entry:
        return Entry(self.name(number),
                     self._uscc[18 * number:18 * number + 18].decode("ascii").strip(),
                     f"{self._authority[number]:04d}",
                     self._industry_codes[self._industry[number]])

    def rows(self, name: str, division_code: str, industry_code: str = "",
             parsed: ParsedName | None = None) -> list[int]:
        """Row numbers under the same authority that share a key with ``name``."""
        auth = authority(division_code)
        if not (len(auth) == 4 and auth.isdigit()):
            return []
        full = normalize(name)
        if parsed is None:
            parsed = _parse(full)
        auth_number = int(auth)
        found: dict[int, None] = {}
        for key in keys(parsed, full, auth, industry_code or ""):
            for number in self._lookup(key):
                if self._authority[number] == auth_number:
                    found[number] = None
        return list(found)

    def candidates(self, name: str, division_code: str) -> Iterator[Entry]:
        """Entries under the same authority that share a key with ``name``."""
        for number in self.rows(name, division_code):
            yield self.entry(number)

    def conflicts(self, name: str, division_code: str,
                  industry_code: str = "") -> list[similarity.Conflict]:
        """Every existing enterprise ``name`` clashes with, most serious rule first."""
        full = normalize(name)
        if not full:
            return []
        proposed = _parse(full)
        found = []
        seen: set[tuple[str, str]] = set()
        memo: dict[tuple, str | None] = {}
        for number in self.rows(full, division_code, industry_code, proposed):
            existing = self.name(number)  # decoded once: a common 字号 has hundreds of hits
            rule = self._judge(proposed, full, number, industry_code or "", existing, memo)
            if rule:
                uscc = self._uscc[18 * number:18 * number + 18].decode("ascii").strip()
                if (uscc, existing) in seen:  # a renamed name also in a loaded snapshot
                    continue
                seen.add((uscc, existing))
                found.append(similarity.Conflict(rule, existing, uscc))
        return sorted(found, key=lambda c: (_RANK[c.rule], c.name))

    def _judge(self, proposed: ParsedName | None, full: str, number: int,
               industry_code: str, existing_name: str,
               memo: dict[tuple, str | None]) -> str | None:
        """The rule row ``number`` (named ``existing_name``) clashes under: its own stored
        name is compared, so a hash collision is rejected here.

        ``compare`` reads of the existing name only whether its full text equals the
        proposed one, its 字号 and its industry words; with the industry code that is the
        ``memo`` key, so the many hits sharing a common 字号 and industry (hundreds at
        10 M names) are compared once per check."""
        split = self._split[number]
        if proposed is None or split == _UNPARSABLE:
            return similarity.IDENTICAL if existing_name == full else None
        if split == _REPARSE:
            existing = _parse(existing_name)
            if existing is None:
                return None
        else:
            # compare() reads full, trade_name and industry; the rest is not stored.
            start, length = split >> 24, split >> 16 & 0xFF
            at, size = split >> 8 & 0xFF, split & 0xFF
            existing = ParsedName(existing_name, "", existing_name[start:start + length],
                                  existing_name[at:at + size], "", "")
        code = self._industry_codes[self._industry[number]]
        key = (existing.full == full, existing.trade_name, existing.industry, code)
        if key not in memo:
            memo[key] = similarity.compare(proposed, existing,
                                           proposed_industry_code=industry_code,
                                           existing_industry_code=code)
        return memo[key]

    def _lookup(self, key: int) -> Iterator[int]:
        bucket = self._buckets[key >> _BUCKET_SHIFT]
        if bucket is None:
            return
        low = key << ROW_BITS
        high = low | _ROW_MASK
        i = bisect_left(bucket, low)
        while i < len(bucket) and bucket[i] <= high:
            yield bucket[i] & _ROW_MASK
            i += 1

    def _put(self, key: int, number: int) -> None:
        i = key >> _BUCKET_SHIFT
        bucket = self._buckets[i]
        if bucket is None:
            bucket = self._buckets[i] = array("Q")
        if self._bulk:
            bucket.append(key << ROW_BITS | number)
        else:
            insort(bucket, key << ROW_BITS | number)


def build(rows: Iterable[tuple[str, str, str, str]]) -> NameIndex:
    """An index of (name, uscc, division_code, industry_code) rows."""
    index = NameIndex()
    index._bulk = True
    for row in rows:
        index.add(*row)
    return index.finish()


# --- the process's index: one per process, caught up with the register ----------------


def read_register() -> NameIndex:
    """A fresh index of the whole register (企业登记簿), stamped with what it read."""
    from yilian.registry.models import Enterprise

    fresh = NameIndex()
    fresh._bulk = True
    rows = Enterprise.objects.values_list("pk", "name", "uscc", "division_code",
                                          "industry_code")
    for pk, name, uscc, division_code, industry_code in rows.iterator(chunk_size=10_000):
        fresh.add(name, uscc, division_code, industry_code)
        fresh.register_rows += 1
        if pk > fresh.mark:
            fresh.mark, fresh.last_uscc = pk, uscc
    fresh.source = "register"
    return fresh.finish()


def rebuild() -> NameIndex:
    """Read the whole register into a fresh index and make it the current one."""
    fresh = read_register()
    _install(fresh)
    return fresh


def get(*, save: bool = False) -> NameIndex:
    """The current index: on first use, the data dir's snapshot when it fits the register
    (:mod:`yilian.names.snapshot`), else the register read afresh — and, with ``save``,
    written as the snapshot. Callers arriving meanwhile wait for it; a check never runs
    on a half-built index. Not caught up: :func:`catch_up` does that."""
    current = _index
    if current is not None:
        return current
    with _building:
        if _index is None:
            from yilian.names import snapshot

            with snapshot.exclusive():
                fresh = _from_snapshot() or read_register()
                if save and fresh.source == "register":
                    save_snapshot(fresh)
            _install(fresh)
        return _index


def catch_up(built: NameIndex | None = None) -> int:
    """Add the enterprises registered since ``built`` (the current index) last read the
    register, by id; returns how many. Every process asks instead of being told, so an
    enterprise registered anywhere is seen by the next check anywhere."""
    from yilian.registry.models import Enterprise

    built = built if built is not None else get()  # an empty index is falsy
    added = 0
    columns = ("pk", "name", "uscc", "division_code", "industry_code")
    with _lock:
        now = time.monotonic()
        if built._gaps:  # late commits below the mark
            late = Enterprise.objects.filter(pk__in=list(built._gaps)).values_list(*columns)
            for pk, name, uscc, division_code, industry_code in late:
                del built._gaps[pk]
                if pk not in built._added:
                    built.add(name, uscc, division_code, industry_code)
                    added += 1
                built._added.discard(pk)
                built.register_rows += 1
            for pk, since in list(built._gaps.items()):
                if now - since > GAP_SECONDS:  # a rolled-back insert: no row will come
                    del built._gaps[pk]
        registered, renames = _above(built.mark, built.renames_mark)
        for pk, name, uscc, division_code, industry_code in registered:
            if built.register_rows and pk - built.mark <= MAX_GAP:
                built._gaps.update(dict.fromkeys(range(built.mark + 1, pk), now))
            if pk not in built._added:
                built.add(name, uscc, division_code, industry_code)
                added += 1
            built._added.discard(pk)
            built.mark, built.last_uscc = pk, uscc
            built.register_rows += 1
        added += _catch_up_renames(built, renames)
    return added


#: Change events re-read below the mark each time: one that commits late (its id taken
#: before a later one's) is still seen, as the registrations' gaps are.
RENAME_LOOKBACK = 64


def _catch_up_renames(built: NameIndex, rows: list[tuple]) -> int:
    """变更名称 registered by any process (``rows``, from :func:`_above`): an
    enterprise's new name joins the index (its old one stays until the next rebuild).
    Called under the index's lock."""
    added = 0
    for event_id, name, uscc, division_code, industry_code, changes in rows:
        built.renames_mark = max(built.renames_mark, event_id)
        changed = json.loads(changes) if isinstance(changes, str) else changes
        if "name" in (changed or {}) and _note_rename(built, name, uscc):
            built.add(name, uscc, division_code, industry_code)
            added += 1
    return added


def _note_rename(built: NameIndex, name: str, uscc: str) -> bool:
    key = (uscc, normalize(name))
    if key in built._renamed:
        return False
    built._renamed.add(key)
    return True


_ABOVE = ("SELECT id, name, uscc, division_code, industry_code FROM registry_enterprise "
          "WHERE id > %s ORDER BY id LIMIT %s")
_CHUNK = 10_000
# Both catch-ups in one statement (a round trip fewer in every name check): the first
# chunk of the register above its mark (tagged 0), the change events above theirs (1).
_BOTH_ABOVE = (
    "SELECT 0, id, name, uscc, division_code, industry_code, NULL FROM (" + _ABOVE + ") r "
    "UNION ALL "
    "SELECT 1, e.id, n.name, n.uscc, n.division_code, n.industry_code, e.changes "
    "FROM registry_registrationevent e JOIN registry_enterprise n ON n.id = e.enterprise_id "
    "WHERE e.kind = 'changed' AND e.id > %s")


def _above(mark: int, renames_mark: int) -> tuple[Iterable[tuple], list[tuple]]:
    """The register's rows above id ``mark`` (:func:`_registered_above`), and the change
    events above ``renames_mark`` less :data:`RENAME_LOOKBACK`, each in id order."""
    from yilian.db import prepared

    with prepared.cursor() as cursor:
        cursor.execute(_BOTH_ABOVE, [mark, _CHUNK, max(renames_mark - RENAME_LOOKBACK, 0)])
        rows = sorted(cursor.fetchall(), key=lambda row: (row[0], row[1]))
    registered = [row[1:6] for row in rows if row[0] == 0]
    renames = [row[1:] for row in rows if row[0] == 1]
    if len(registered) == _CHUNK:  # a big catch-up: the rest chunk by chunk, as read
        return itertools.chain(registered, _registered_above(registered[-1][0])), renames
    return registered, renames


def _registered_above(mark: int):
    """The register's rows above id ``mark``, in id order, a chunk per statement. In SQL:
    every registration step checks its name, so this runs in every chain, where the
    ORM's query (and on PostgreSQL its server-side cursor) cost more than the rows; and
    in every submission, twice: prepared (:mod:`yilian.db.prepared`), as is the renames'
    catch-up, PostgreSQL plans neither again."""
    from yilian.db import prepared

    while True:
        with prepared.cursor() as cursor:
            cursor.execute(_ABOVE, [mark, _CHUNK])
            rows = cursor.fetchall()
        yield from rows
        if len(rows) < _CHUNK:
            return
        mark = rows[-1][0]


def add(enterprise) -> None:
    """Put a newly registered ``registry.Enterprise`` into the current index at once; a
    no-op until the index is first built (as the build reads it)."""
    with _lock:
        current = _index
        if current is not None and enterprise.pk > current.mark \
                and enterprise.pk not in current._added:
            current.add(enterprise.name, enterprise.uscc, enterprise.division_code,
                        enterprise.industry_code)
            current._added.add(enterprise.pk)  # so catch_up does not add it twice


def renamed(enterprise) -> None:
    """变更名称: put an enterprise's new name into this process's index at once (its old
    name stays until the next rebuild, which reads the register as it is); every other
    process adds it at its next catch-up, from the change event (:func:`catch_up`)."""
    with _lock:
        if _index is not None and _note_rename(_index, enterprise.name, enterprise.uscc):
            _index.add(enterprise.name, enterprise.uscc, enterprise.division_code,
                       enterprise.industry_code)


def save_snapshot(built: NameIndex | None = None, target=None):
    """Write ``built`` (the current index) to the data dir as the snapshot; held under the
    same lock as additions, so the file is one consistent state."""
    from yilian.names import snapshot

    built = built if built is not None else get()  # an empty index is falsy
    with _lock:
        stamp = snapshot.Stamp(built.mark, built.register_rows, built.last_uscc, _database())
        written = snapshot.save(built, stamp, target)
        built.saved_rows = built.register_rows
        return written


def loaded() -> NameIndex | None:
    """The current index if one is loaded (never loads it)."""
    return _index


def reset() -> None:
    """Forget the index; the next :func:`get` loads or builds it (tests, bulk imports)."""
    _install(None)


def _install(fresh: NameIndex | None) -> None:
    global _index
    with _lock:
        _index = fresh


def _database() -> str:
    """Which database the register was read from: a snapshot of another is not used."""
    from django.db import connection

    settings = connection.settings_dict
    return "|".join(str(settings.get(k) or "") for k in ("NAME", "HOST", "PORT")) + \
        f"|{connection.vendor}"


def _from_snapshot(target=None) -> NameIndex | None:
    """The data dir's snapshot, if the register still starts as it did when it was
    written: the same database, as many rows up to its mark, the same USCC at the mark
    (a snapshot of another register, or of one that lost rows since, is not used)."""
    from yilian.names import snapshot
    from yilian.registry.models import Enterprise

    loaded = snapshot.load(target)
    if loaded is None:
        return None
    built, stamp = loaded
    held = Enterprise.objects.filter(pk__lte=stamp.mark)
    if stamp.database != _database() or held.count() != stamp.rows or (
            stamp.mark and not held.filter(pk=stamp.mark, uscc=stamp.last_uscc).exists()):
        log.warning("name index snapshot does not fit the register; reading the register")
        return None
    built.mark, built.register_rows, built.last_uscc = stamp.mark, stamp.rows, stamp.last_uscc
    built.source, built.saved_rows = "snapshot", stamp.rows
    return built
