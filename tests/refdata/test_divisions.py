"""GB/T 2260 divisions: the file matches its manifest and the published counts; codes
validate and round-trip; every parent exists."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yilian.codes.errors import InvalidCode
from yilian.refdata import divisions as dv
from yilian.refdata._files import read_csv

CODES = [d.code for d in dv.all_divisions()]


def _count(level, prefix=""):
    return sum(1 for d in dv.all_divisions() if d.level == level and d.code.startswith(prefix))


def test_counts_match_manifest_and_published_edition():
    m = dv.manifest()
    assert m["edition"] == dv.edition() == "2023"
    for level in ("province", "prefecture", "county", "zone"):
        assert _count(level) == m["counts"][level]
    assert _count("province") == m["published_counts"]["province"] == 34
    assert _count("prefecture") == m["published_counts"]["prefecture"] == 333
    assert _count("prefecture", "37") == m["counts"]["shandong_prefecture"] == 16
    assert _count("county", "37") == m["counts"]["shandong_county"] == 136
    assert _count("zone", "37") == m["counts"]["shandong_zone"] == \
        m["published_counts"]["shandong_zone"] == 17


# The Shandong rows of the NBS statistical division codes (统计用区划代码) that sit beside the
# county codes (71-79 under their city), as checked for the manifest's zone_check.
SHANDONG_ZONES = {
    "370171": "济南高新技术产业开发区", "370271": "青岛高新技术产业开发区",
    "370571": "东营经济技术开发区", "370572": "东营港经济开发区",
    "370671": "烟台高新技术产业开发区", "370672": "烟台经济技术开发区",
    "370772": "潍坊滨海经济技术开发区", "370871": "济宁高新技术产业开发区",
    "371071": "威海火炬高技术产业开发区", "371072": "威海经济技术开发区",
    "371073": "威海临港经济技术开发区", "371171": "日照经济技术开发区",
    "371371": "临沂高新技术产业开发区", "371471": "德州经济技术开发区",
    "371472": "德州运河经济开发区", "371771": "菏泽经济技术开发区",
    "371772": "菏泽高新技术开发区",
}


def test_shandong_zones_are_exactly_the_published_ones_and_verified():
    zones = {d.code: d.name for d in dv.all_divisions() if d.level == "zone"}
    assert zones == SHANDONG_ZONES
    check = dv.manifest()["zone_check"]
    assert set(check["verified"]) | set(check["corrected"]) | set(check["added"]) == set(zones)
    assert not set(check["removed"]) & (set(zones) - set(check["corrected"]))
    for code in ("370971", "371571", "371671", "370771"):
        assert dv.division(code) is None
    assert not [r["code"] for r in read_csv("divisions.csv") if "unverified" in r["note"]]


def test_special_administrative_regions_and_taiwan_are_provinces():
    for code, name in [("710000", "台湾省"), ("810000", "香港特别行政区"),
                       ("820000", "澳门特别行政区")]:
        assert dv.division(code) == dv.Division(code, name, "province", None)


def test_every_parent_exists_and_is_one_level_up():
    above = {"prefecture": "province", "county": "prefecture", "zone": "prefecture"}
    for d in dv.all_divisions():
        if d.level == "province":
            assert d.parent is None and d.code.endswith("0000")
            continue
        parent = dv.division(d.parent)
        assert parent is not None, d
        assert parent.level == above[d.level]
        assert d.code[:2] == parent.code[:2]


def test_shandong_counties_and_zones_sit_under_their_city():
    for d in dv.all_divisions():
        if d.code.startswith("37") and d.level in ("county", "zone"):
            assert d.parent == d.code[:4] + "00"
            assert d.code[4:] != "00"


def test_weihai_zones():
    assert [c.code for c in dv.children("371000")] == [
        "371002", "371003", "371071", "371072", "371073", "371082", "371083"]
    assert dv.validate("371071").level == "zone"
    assert dv.full_name("371071") == "山东省威海市威海火炬高技术产业开发区"
    assert dv.full_name("370000") == "山东省"
    assert dv.full_name("370614") == "山东省烟台市蓬莱区"


def test_children_of_unknown_code_is_empty():
    assert dv.children("999999") == ()
    assert len(dv.children("370000")) == 16


@pytest.mark.parametrize("bad", ["", "37100", "3710000", "37100a", "１２３４５６", "999999"])
def test_invalid_codes_raise(bad):
    with pytest.raises(InvalidCode):
        dv.validate(bad)


@given(st.one_of(st.text(), st.integers(), st.none(), st.binary()))
def test_validate_never_crashes(value):
    try:
        result = dv.validate(value)
    except InvalidCode as exc:
        assert exc.code.startswith("division.")
    else:
        assert result.code == value.strip()


@given(st.sampled_from(CODES))
def test_valid_codes_round_trip(code):
    d = dv.validate(code)
    assert d.code == code
    assert dv.division(code) is d
    assert dv.validate(f" {code} ") is d
    assert dv.full_name(code).endswith(d.name)
