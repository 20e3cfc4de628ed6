"""Local data (属地数据) says, entry by entry, whether it was confirmed and from where: an
entry marked verified must name the document or page it was read in, and the loader must
report the file's flags as they are."""

from __future__ import annotations

import datetime as dt

from yilian.refdata import local
from yilian.refdata._files import read_json

NOTICE_FIELDS = ("issuer", "title", "document_number", "date", "url")


def _is_date(value) -> bool:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _base_problems(code: str, base: dict) -> list[str]:
    """What keeps an insurance-base entry from meeting the file's rule."""
    if not isinstance(base.get("verified"), bool):
        return [f"{code}: 'verified' is not true or false"]
    provenance = base.get("provenance") or {}
    if not base["verified"]:
        note = base.get("verification_note") or ""
        ok = note.startswith("UNVERIFIED") and provenance.get("checked")
        return [] if ok else [f"{code}: unverified without a note and a check date"]
    missing = [f for f in NOTICE_FIELDS if not provenance.get(f)]
    problems = [f"{code}: verified but its notice lacks {', '.join(missing)}"] if missing else []
    if provenance.get("date") and not _is_date(provenance["date"]):
        problems.append(f"{code}: the notice's date is not YYYY-MM-DD")
    if not str(provenance.get("url") or "https://").startswith(("https://", "http://")):
        problems.append(f"{code}: the notice's url is not a web address")
    return problems


def _branch_problems(bank: str, branch: dict) -> list[str]:
    """What keeps a branch entry from meeting the file's rule."""
    name = f"{bank} {branch.get('name')}"
    if not isinstance(branch.get("verified"), bool):
        return [f"{name}: 'verified' is not true or false"]
    if not branch["verified"]:
        return []
    source = branch.get("source") or {}
    if not (source.get("title") and source.get("url") and _is_date(source.get("read"))):
        return [f"{name}: verified but its source lacks a title, url or read date"]
    return []


def test_each_insurance_base_is_verified_only_with_its_notice():
    bases = read_json("social_insurance.json")["bases"]
    assert [p for code, base in bases.items() for p in _base_problems(code, base)] == []


def test_each_branch_is_verified_only_with_its_source():
    data = read_json("banks.json")
    branches = [(b["bank"], br) for banks in data["divisions"].values() for b in banks
                for br in b["branches"]]
    assert [p for bank, br in branches for p in _branch_problems(bank, br)] == []
    # The file as a whole is verified only if every branch is.
    assert data["verified"] is all(br["verified"] for _, br in branches)


def test_the_rules_catch_a_claim_without_its_source():
    claimed = {"verified": True, "provenance": {"issuer": "山东省人力资源和社会保障厅",
                                                "date": "2024-13-01", "url": "hrss"}}
    problems = _base_problems("370000", claimed)
    assert "title, document_number" in problems[0] and len(problems) == 3
    assert _base_problems("370000", {"verified": False}) != []
    assert _branch_problems("中国银行", {"name": "某支行", "verified": True, "source": None})
    assert _branch_problems("中国银行", {"name": "某支行", "verified": "yes"})


def test_the_loader_reports_the_files_flags():
    base = local.insurance_base("371071")
    assert base.verified is read_json("social_insurance.json")["bases"][base.division]["verified"]
    listed = read_json("banks.json")["divisions"]["371071"]
    for bank, row in zip(local.banks("371071"), listed, strict=True):
        assert bank.branches == tuple(br["name"] for br in row["branches"])
        assert bank.verified == {br["name"] for br in row["branches"] if br["verified"]}
