"""Streets (乡级) of the statistical division codes, and local data by division."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from yilian.refdata import divisions, local


def test_the_street_file_matches_its_manifest():
    manifest = divisions.streets_manifest()
    counts = Counter(s.county for c in manifest["counts"] if c != "streets"
                     for s in divisions.streets(c))
    assert sum(counts.values()) == manifest["counts"]["streets"]
    for county, n in manifest["counts"].items():
        if county != "streets":
            assert counts[county] == n and divisions.division(county)
    assert manifest["source"] and manifest["edition"]


def test_each_street_code_is_its_countys_code_and_three_digits():
    for county in ("371002", "371071", "371083"):
        for street in divisions.streets(county):
            assert street.code[:6] == county and len(street.code) == 9
            assert street.code.isdigit() and divisions.street(street.code) == street
    assert [s.name for s in divisions.streets("371071")] == ["怡园街道", "田和街道", "初村镇"]
    assert divisions.street("371071999") is None and divisions.streets("110101") == ()


def test_a_domicile_names_its_divisions_most_specific_first():
    named = divisions.named_in("山东省威海市火炬高技术产业开发区火炬路213号")
    assert [d.code for d in named] == ["371071", "371000", "370000"]
    assert divisions.named_in("某某路1号") == ()


def test_local_data_falls_back_from_the_zone_to_the_province():
    base = local.insurance_base("371071")
    assert base is not None and base.division == "370000"
    assert Decimal(0) < base.floor < base.ceiling and base.source
    assert local.insurance_base("110000") is None
    assert "中国工商银行" in [b.name for b in local.banks("371071")]
    assert local.banks("371002") == ()  # no list: free text there
