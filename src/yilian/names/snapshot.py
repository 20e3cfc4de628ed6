"""The name index on disk (名称比对索引快照): a process loads it in seconds instead of
re-reading the register, which takes minutes at a province's 10 M names.

One file in the data dir (``names-index.bin``): a magic line, a JSON header, then the
index's arrays as raw machine-order bytes. The header says what the file covers — the
highest register id read (``mark``), how many register rows that was, the USCC of the
row at ``mark`` and which database it was read from — so the loader
(:func:`yilian.names.index.get`) can check the register still starts the same way and
then catch up from ``mark`` as every process does on each check.

A file is used only if it is whole (length and CRC-32 of every byte after the header),
of this :data:`FORMAT`, and keyed as this code keys names (:func:`keying`: a digest of the
modules and word tables that decide a name's keys, and of the pinyin and OpenCC
versions). Anything else — an old format, other word tables, a truncated or damaged
file — is ignored and the index is built from the register: a snapshot can make a start
faster, never an answer different.

Writes go to a temporary file in the same directory, then ``os.replace``: a reader sees
the old file or the new one, never half of one. :func:`exclusive` serializes builds among
the processes sharing a data dir, so one builds and the others load what it saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import struct
import sys
import tempfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib import metadata, resources
from pathlib import Path

from yilian.names import index as index_module

log = logging.getLogger("yilian.names")

# 2: a 字号 is filed under every reading of its 多音字 (similarity.readings), not only
# the first; a file of format 1 is ignored and the index read from the register.
FORMAT = 2
FILENAME = "names-index.bin"
MAGIC = b"YILIAN-NAME-INDEX\n"
_LENGTH = struct.Struct("<I")
# The arrays written, in order, with their type codes (a bytearray is "B").
_ARRAYS = (("_blob", "B"), ("_offsets", "Q"), ("_uscc", "B"), ("_authority", "H"),
           ("_industry", "H"), ("_split", "L"))


@dataclass(frozen=True)
class Stamp:
    """What a snapshot covers in the register (企业登记簿)."""

    mark: int  # the highest Enterprise id read
    rows: int  # register rows with an id up to ``mark`` when written
    last_uscc: str  # the USCC of the row with id ``mark`` ("" when mark is 0)
    database: str  # vendor, name, host and port of the database read


def path() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / FILENAME


def keying() -> str:
    """A digest of everything that decides the keys a name is filed under: a snapshot
    keyed otherwise would miss clashes, so it is ignored instead."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    for module in ("index", "parse", "similarity", "words"):
        digest.update(resources.files("yilian.names").joinpath(f"{module}.py").read_bytes())
    for table in ("names.json", "polyphones.json"):
        digest.update(resources.files("yilian.names").joinpath(f"data/{table}").read_bytes())
    # The catalogue's name_forms are organization forms the parser knows (words.org_forms);
    # only they, so that another change to the catalogue does not force a rebuild.
    from yilian.names import words

    digest.update(json.dumps(words.org_forms(), ensure_ascii=False).encode("utf-8"))
    digest.update(resources.files("yilian.codes").joinpath("divisions.py").read_bytes())
    for package in ("pypinyin", "opencc-python-reimplemented"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{package} {metadata.version(package)}".encode())
    return digest.hexdigest()


def _machine() -> dict:
    """Arrays are written in machine order and item size; another machine reads none."""
    return {"byteorder": sys.byteorder,
            "itemsizes": {code: array(code).itemsize for code in "BHLQ"}}


def _sections(built: index_module.NameIndex) -> Iterator[tuple[str, memoryview]]:
    for name, _ in _ARRAYS:
        yield name, memoryview(getattr(built, name)).cast("B")
    lengths = array("Q", (len(b) if b is not None else 0 for b in built._buckets))
    yield "bucket_lengths", memoryview(lengths).cast("B")
    for bucket in built._buckets:
        if bucket:
            yield "bucket", memoryview(bucket).cast("B")


def save(built: index_module.NameIndex, stamp: Stamp, target: Path | None = None) -> Path:
    """Write ``built`` (covering ``stamp``) to ``target`` (the data dir's file) atomically."""
    target = Path(target or path())
    crc, sizes = 0, {}
    for name, view in _sections(built):
        crc = zlib.crc32(view, crc)
        sizes[name] = sizes.get(name, 0) + view.nbytes
    header = json.dumps({
        "format": FORMAT, "keying": keying(), **_machine(), "stamp": asdict(stamp),
        "names": len(built), "industry_codes": built._industry_codes,
        "sizes": sizes, "crc32": crc,
    }, ensure_ascii=False).encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC + _LENGTH.pack(len(header)) + header)
            for _, view in _sections(built):
                out.write(view)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target


class _Unusable(Exception):
    """The file is not a snapshot this code can use (the reason is logged)."""


def load(source: Path | None = None) -> tuple[index_module.NameIndex, Stamp] | None:
    """The index in ``source`` (the data dir's file) and what it covers, or None when
    there is no file or it cannot be used (old format, other keying, damaged)."""
    source = Path(source or path())
    try:
        with source.open("rb") as data:
            return _read(data)
    except FileNotFoundError:
        return None
    except (_Unusable, OSError, ValueError, KeyError, TypeError) as error:
        log.warning("name index snapshot %s not used: %s", source, error)
        return None


def _read(data) -> tuple[index_module.NameIndex, Stamp]:
    if data.read(len(MAGIC)) != MAGIC:
        raise _Unusable("not a name index snapshot")
    (length,) = _LENGTH.unpack(_exactly(data, _LENGTH.size))
    header = json.loads(_exactly(data, length).decode("utf-8"))
    if header.get("format") != FORMAT:
        raise _Unusable(f"format {header.get('format')}, this code reads {FORMAT}")
    if header["keying"] != keying():
        raise _Unusable("written by other name rules or word tables")
    if {k: header[k] for k in ("byteorder", "itemsizes")} != _machine():
        raise _Unusable("written on another kind of machine")
    built = index_module.NameIndex()
    sizes, crc = header["sizes"], 0
    for name, code in _ARRAYS:
        section, crc = _fill(data, code, sizes[name], crc)
        setattr(built, name, section)
    lengths, crc = _fill(data, "Q", sizes["bucket_lengths"], crc)
    if len(lengths) != len(built._buckets):
        raise _Unusable("bucket count differs")
    for i, count in enumerate(lengths):
        if count:
            built._buckets[i], crc = _fill(data, "Q", count * 8, crc)
    if data.read(1):
        raise _Unusable("trailing bytes")
    if crc != header["crc32"]:
        raise _Unusable("checksum mismatch (damaged file)")
    built._industry_codes = list(header["industry_codes"])
    built._industry_numbers = {code: i for i, code in enumerate(built._industry_codes)}
    if len(built) != header["names"] or len(built._offsets) != len(built) + 1:
        raise _Unusable("array lengths disagree")
    return built, Stamp(**header["stamp"])


def _fill(data, code: str, nbytes: int, crc: int) -> tuple[bytearray | array, int]:
    """A ``code`` array (``B``: a bytearray) of ``nbytes`` read straight from ``data``,
    with no second copy of a large array; and the CRC carried on over it."""
    itemsize = array(code).itemsize
    if nbytes < 0 or nbytes % itemsize:
        raise _Unusable("section size is not a whole number of items")
    if code == "B":
        section: bytearray | array = bytearray(nbytes)
        view = memoryview(section)
    else:
        section = array(code, [0]) * (nbytes // itemsize)
        view = memoryview(section).cast("B")
    if data.readinto(view) != nbytes:
        raise _Unusable("truncated")
    return section, zlib.crc32(view, crc)


def _exactly(data, size: int) -> bytes:
    chunk = data.read(size)
    if len(chunk) != size:
        raise _Unusable("truncated")
    return chunk


@contextlib.contextmanager
def exclusive(target: Path | None = None) -> Iterator[None]:
    """Hold the data dir's build lock: of the processes starting together (gunicorn
    workers, Celery children), one reads the register and saves; the others wait, then
    load its file. Without ``fcntl`` or a writable data dir, no lock (each builds)."""
    target = Path(target or path())
    try:
        import fcntl

        target.parent.mkdir(parents=True, exist_ok=True)
        handle = open(target.with_suffix(".lock"), "a")  # noqa: SIM115 - held to the end
    except (ImportError, OSError):
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
