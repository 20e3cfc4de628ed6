"""Where the enterprise is: the domicile built from the picked place, taken apart again,
and a division code checked against it."""

from __future__ import annotations

from yilian.forms import industry, places


def test_the_domicile_is_the_picked_place_and_the_address():
    built = places.domicile("371071", "371071004", "火炬路213号")
    assert built == "山东省威海市威海火炬高技术产业开发区怡园街道火炬路213号"
    assert places.parts("371071", built) == places.Parts("371071004", "火炬路213号")
    pasted = "山东省威海市威海火炬高技术产业开发区火炬路1号"
    assert places.domicile("371071", "371071004", pasted) == pasted  # not doubled
    assert places.parts("371071", "威海市某路") == places.Parts("", "威海市某路")


def test_a_code_the_domicile_contradicts_is_refused_with_the_right_one():
    example = "山东省威海市火炬高技术产业开发区火炬路213号创新创业基地A座501室"
    assert places.check_domicile("371071", example) == []
    [error] = places.check_domicile("371000", example)
    assert error["field"] == "division_code" and error["code"] == "division_code.domicile"
    assert "371071" in error["message_zh"] and "371071" in error["message_en"]
    assert places.check_domicile("371071", "山东省威海市环翠区某路1号")
    assert places.check_domicile("371071", "山东省威海市某路1号") == []  # the city only
    assert places.check_domicile("371071", "某路1号") == []  # nothing to judge
    assert places.check_domicile("999999", example) == []  # unknown: reported elsewhere


def test_the_industry_is_the_main_scope_entrys_and_is_found_by_name():
    assert industry.main_class(["目录外的表述", "软件开发", "信息技术咨询服务"]) == "6513"
    assert industry.main_class([]) == "" and industry.main_class(None) == ""
    found = industry.search("软件")
    assert found and all("软件" in c.name for c in found)
    assert str(industry.choice("6513")) == "应用软件开发 6513"
    assert industry.search("65")[0].code.startswith("65")
