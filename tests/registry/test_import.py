"""``yilian import-registry`` and ``gen-registry``: encodings, bad rows, idempotency."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yilian.codes import uscc
from yilian.registry import synthetic
from yilian.registry.importer import ImportFailed, detect_encoding, import_file, parse_row
from yilian.registry.models import Enterprise

pytestmark = pytest.mark.django_db

YILIAN = str(Path(sys.executable).with_name("yilian"))
GOOD = [("威海华盛科技有限公司", uscc.make("371071", 0, body="16304424"), "371071", "6513",
         "2015-03-02"),
        ("荣成海鸿贸易有限公司", uscc.make("371082", 0, body="26304428"), "", "", "")]


def _csv(rows, header=("name", "uscc", "division", "industry", "established")) -> str:
    out = io.StringIO()
    out.write(",".join(header) + "\n")
    for row in rows:
        out.write(",".join(row) + "\n")
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_every_supported_encoding_is_detected_and_read(tmp_path, encoding):
    path = tmp_path / "registry.csv"
    path.write_bytes(_csv(GOOD).encode(encoding))
    assert detect_encoding(path) == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig"}.get(
        encoding, "gb18030")
    report = import_file(path, show_progress=False)
    assert (report.rows, report.imported, report.bad) == (2, 2, [])
    assert set(Enterprise.objects.values_list("name", flat=True)) == {GOOD[0][0], GOOD[1][0]}
    # Without a division column value, the USCC's own division is used.
    assert Enterprise.objects.get(uscc=GOOD[1][1]).division_code == "371082"


def test_columns_in_any_order_and_only_the_required_ones(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("USCC,Name\n" + f"{GOOD[0][1]},{GOOD[0][0]}\n", encoding="utf-8")
    assert import_file(path, show_progress=False).imported == 1


def test_bad_rows_are_reported_with_line_numbers_and_the_rest_imported(tmp_path):
    rows = [GOOD[0],
            ("", GOOD[1][1], "", "", ""),                         # line 3: no name
            ("坏代码有限公司", "91371071MA00000000", "", "", ""),   # line 4: check digit
            ("日期有限公司", GOOD[1][1], "", "", "2020-13-01"),     # line 5: date
            ("区划有限公司", GOOD[1][1], "999999", "", ""),         # line 6: division
            ("行业有限公司", GOOD[1][1], "", "12x", ""),            # line 7: industry
            GOOD[1],                                               # line 8: good
            ("重复有限公司", GOOD[0][1], "", "", "")]               # line 9: repeat
    path = tmp_path / "r.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    report = import_file(path, show_progress=False)
    assert report.rows == 8 and report.imported == 2
    assert [line for line, _ in report.bad] == [3, 4, 5, 6, 7, 9]
    reasons = dict(report.bad)
    assert "name is empty" in reasons[3]
    assert "check character" in reasons[4]
    assert "YYYY-MM-DD" in reasons[5]
    assert "division" in reasons[6]
    assert "GB/T 4754" in reasons[7]
    assert "repeats line 2" in reasons[9]


def test_undecodable_bytes_are_a_bad_row_not_a_crash(tmp_path):
    path = tmp_path / "r.csv"
    body = _csv(GOOD).encode("utf-8") + b"\xff\xfe\xfa\xfb\xfc\xfd,"
    body += GOOD[0][1].encode() + b"\n"
    # Pad so the broken bytes sit past the detection sample's judgement point.
    path.write_bytes(body)
    report = import_file(path, show_progress=False)
    assert report.imported == 2
    assert len(report.bad) == 1


def test_reimport_changes_nothing(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(_csv(GOOD), encoding="utf-8")
    import_file(path, show_progress=False)
    before = list(Enterprise.objects.order_by("uscc").values())
    report = import_file(path, show_progress=False)
    assert report.imported == 2
    assert list(Enterprise.objects.order_by("uscc").values()) == before


def test_a_file_without_the_required_columns_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("name,division\nx,371071\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="uscc"):
        import_file(path, show_progress=False)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "uscc", "division", "industry",
                                        "established"]), st.text(max_size=30)))
def test_parsing_any_row_either_works_or_says_why(row):
    try:
        fields = parse_row(row)
    except ValueError as error:
        assert str(error)
    else:
        uscc.validate(fields["uscc"])
        assert fields["name"]


def test_synthetic_registry_is_valid_and_never_in_the_range_yilian_issues():
    rows = list(synthetic.generate(2000, seed=5))
    codes = [r["uscc"] for r in rows]
    assert len(set(codes)) == 2000
    for row in rows:
        code = uscc.validate(row["uscc"])
        assert not code.organization_code.startswith("MA")
        assert row["name"].endswith(("公司", "企业"))


def test_the_commands_as_a_user_runs_them(tmp_path):
    env = {"YILIAN_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    csv_path = tmp_path / "gen.csv"
    made = subprocess.run([YILIAN, "gen-registry", "300", "--csv", str(csv_path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    csv_path.write_text(csv_path.read_text(encoding="utf-8") + "坏行,123\n", encoding="utf-8")
    result = subprocess.run([YILIAN, "import-registry", str(csv_path)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "300 imported" in result.stdout and "line 302:" in result.stdout
    # The name index snapshot is refreshed for the processes that start next; a check in a
    # new process loads it and finds the imported name.
    assert "name index: 300 names written" in result.stdout
    assert (tmp_path / "data" / "names-index.bin").stat().st_size > 0
    existing = csv_path.read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    check = subprocess.run([YILIAN, "check", "name", existing, "--division", "371002"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 1 and existing in check.stdout, check.stdout + check.stderr
    assert "not used" not in check.stderr and "does not fit" not in check.stderr
