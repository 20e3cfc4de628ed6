"""Importing existing enterprises (企业登记簿) from CSV: ``yilian import-registry FILE``.

The file has a header row; ``name`` and ``uscc`` are required, ``division``, ``industry``
(GB/T 4754 code) and ``established`` (YYYY-MM-DD) optional, in any order. The encoding is
detected: UTF-8 (with or without BOM), else GB18030 (a superset of GBK). Every bad row is
reported with its line number and reason — nothing is dropped silently — and importing the
same file again changes nothing (rows are keyed by USCC).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from yilian.codes import divisions, uscc
from yilian.codes.errors import InvalidCode, fold_width
from yilian.progress import Progress

REQUIRED = ("name", "uscc")
OPTIONAL = ("division", "industry", "established")
BATCH = 5000
_INDUSTRY = re.compile(r"\A(?:[A-T]|[A-T]?[0-9]{2,4})\Z")


@dataclass
class ImportReport:
    encoding: str
    rows: int = 0
    imported: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)


class ImportFailed(Exception):
    """The file as a whole cannot be read (no header, missing required columns)."""


def detect_encoding(path: Path, sample_size: int = 1 << 20) -> str:
    sample = path.open("rb").read(sample_size)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the sample is still UTF-8.
        if error.start < len(sample) - 4:
            return "gb18030"
    return "utf-8"


def _rows(path: Path, encoding: str) -> Iterator[tuple[int, dict[str, str]]]:
    # surrogateescape keeps undecodable bytes visible, so such rows are reported, not lost.
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:
            raise ImportFailed("the file is empty / 文件为空")
        columns = {c.strip().lower() for c in reader.fieldnames}
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise ImportFailed(f"missing column(s) / 缺少列: {', '.join(missing)}")
        for row in reader:
            clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()
                     if k is not None}
            yield reader.line_num, clean


def parse_row(row: dict[str, str]) -> dict:
    """One CSV row as Enterprise fields; ``ValueError`` with the reason when it is bad."""
    if any("\udc80" <= ch <= "\udcff" for value in row.values() for ch in value):
        raise ValueError("undecodable bytes in the row / 含无法解码的字节")
    if any("\x00" in value for value in row.values()):
        raise ValueError("a NUL character in the row / 含空字符（NUL）")
    name = row.get("name", "")
    if not name:
        raise ValueError("name is empty / 名称为空")
    if len(name) > 100:
        raise ValueError("name is longer than 100 characters / 名称超过100字")
    try:
        code = uscc.validate(row.get("uscc", "")).code
    except InvalidCode as error:
        raise ValueError(f"uscc: {error.message_en} / {error.message_zh}") from None
    division = fold_width(row.get("division", ""))
    if division:
        try:
            divisions.validate(division)
        except InvalidCode as error:
            raise ValueError(f"division: {error.message_en} / {error.message_zh}") from None
    industry = fold_width(row.get("industry", "")).upper()
    if industry and not _INDUSTRY.match(industry):
        raise ValueError(f"industry {industry!r} is not a GB/T 4754 code / 行业代码无效")
    established = None
    if row.get("established"):
        try:
            established = dt.date.fromisoformat(row["established"])
        except ValueError:
            raise ValueError(f"established {row['established']!r} is not YYYY-MM-DD "
                             "/ 成立日期格式应为 YYYY-MM-DD") from None
    return {"uscc": code, "name": name, "division_code": division or code[2:8],
            "industry_code": industry, "established": established}


def import_file(path: str | Path, show_progress: bool = True) -> ImportReport:
    from yilian.registry.store import upsert

    path = Path(path)
    encoding = detect_encoding(path)
    report = ImportReport(encoding=encoding.replace("-sig", " (BOM)"))
    with path.open("rb") as handle:
        total = max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20),
                                                                 b"")) - 1)
    progress = Progress(total, "importing", force=False) if show_progress else None
    batch: dict[str, dict] = {}
    first_seen: dict[str, int] = {}
    for line, row in _rows(path, encoding):
        report.rows += 1
        if progress:
            progress.advance()
        try:
            fields = parse_row(row)
        except ValueError as error:
            report.bad.append((line, str(error)))
            continue
        if fields["uscc"] in first_seen:
            report.bad.append((line, f"uscc repeats line {first_seen[fields['uscc']]} "
                                     "/ 统一社会信用代码与前面的行重复"))
            continue
        first_seen[fields["uscc"]] = line
        batch[fields["uscc"]] = fields
        if len(batch) >= BATCH:
            report.imported += upsert(list(batch.values()))
            batch.clear()
    if batch:
        report.imported += upsert(list(batch.values()))
    if progress:
        progress.close()
    return report
