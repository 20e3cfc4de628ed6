"""Conflicts with the register, one test per comparison rule, and no false conflicts
across authorities or industries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.names.conftest import enterprise
from yilian.names import index, services, similarity
from yilian.names.parse import parse

pytestmark = pytest.mark.django_db


def conflicts(name: str, division: str = "371002", **kwargs) -> list[tuple[str, str]]:
    return [(c.rule, c.name) for c in index.get().conflicts(name, division, **kwargs)]


def test_identical(registered):
    assert conflicts("威海一链科技有限公司") == [("identical", "威海一链科技有限公司")]


def test_identical_core_other_org_form_and_division_position(registered):
    expected = [("identical_core", "威海一链科技有限公司")]
    assert conflicts("威海一链科技股份有限公司") == expected
    assert conflicts("一链科技（威海）有限公司") == expected
    assert conflicts("山东一链科技有限公司", "371071") == expected


def test_same_trade_name_same_industry(registered):
    assert conflicts("威海一链信息科技有限公司") == [
        ("same_trade_name_same_industry", "威海一链科技有限公司")]


def test_same_trade_name_same_industry_by_industry_code(registered):
    # 商贸 and 科技 share no division, but the recorded codes are both 65xx.
    assert conflicts("威海一链商贸有限公司") == []
    assert conflicts("威海一链商贸有限公司", industry_code="6520") == [
        ("same_trade_name_same_industry", "威海一链科技有限公司")]


def test_same_trade_name_in_another_industry_is_no_conflict(registered):
    assert conflicts("威海一链餐饮管理有限公司") == []
    assert conflicts("威海易链贸易有限公司") == []  # a homophone, but in trade


def test_homophone(registered):
    assert conflicts("威海易链科技有限公司") == [("homophone", "威海一链科技有限公司")]


def test_variant_traditional_and_simplified(registered):
    assert conflicts("威海华盛科技有限公司") == [("variant", "威海華盛科技有限公司")]
    assert conflicts("威海華盛科技有限公司") == [("identical", "威海華盛科技有限公司")]


def test_no_conflict_under_another_authority(registered):
    assert conflicts("烟台一链科技有限公司", "370602") == []
    assert conflicts("威海金鼎贸易有限公司") == []
    assert conflicts("烟台金鼎贸易有限公司", "370602") == [("identical", "烟台金鼎贸易有限公司")]


def test_the_zone_is_under_the_citys_authority(registered):
    assert conflicts("威海一链科技有限公司", "371071")[0][0] == "identical"


def test_conflict_names_the_enterprise_and_rule(registered):
    (conflict,) = index.get().conflicts("威海易链科技有限公司", "371002")
    assert conflict.uscc == registered[0].uscc
    assert conflict.code == "name.conflict.homophone"
    assert "威海一链科技有限公司" in conflict.message_zh
    assert registered[0].uscc in conflict.message_en


def test_add_makes_a_new_enterprise_visible_at_once(registered):
    assert conflicts("威海蓝峰科技有限公司") == []
    index.add(enterprise("威海蓝峰科技有限公司"))
    assert conflicts("威海蓝峰科技有限公司") == [("identical", "威海蓝峰科技有限公司")]


def test_unparsable_existing_names_still_count_as_identical():
    built = index.build([("某某某", "91371000MA0000000X", "371002", "")])
    assert [c.rule for c in built.conflicts("某某某", "371002")] == ["identical"]
    assert built.conflicts("某某乙", "371002") == []


def test_the_index_is_built_lazily_from_the_register():
    enterprise("威海鑫磊科技有限公司")
    assert conflicts("威海鑫磊科技有限公司") == [("identical", "威海鑫磊科技有限公司")]


def test_check_name_combines_format_and_conflicts(registered):
    verdict = services.check_name("威海易链科技股份有限公司", "371002", "llc_multi")
    assert not verdict.acceptable
    assert [p.rule for p in verdict.problems] == ["name.org_form.mismatch"]
    assert [c.rule for c in verdict.conflicts] == ["homophone"]
    codes = [e["code"] for e in verdict.errors()]
    assert codes == ["name.org_form.mismatch", "name.conflict.homophone"]
    assert services.check_name("威海蓝峰科技有限公司", "371002", "llc_multi").acceptable


def test_check_name_rejects_a_bad_division(registered):
    verdict = services.check_name("威海蓝峰科技有限公司", "99", "llc_multi")
    assert not verdict.acceptable and verdict.problems[0].rule == "division.format"


# Properties of the comparison itself, without the database.
TRADE = st.text(alphabet="华盛金鼎瑞远达嘉鸿佳宏明丰永恒昌隆鑫磊森淼焱晟睿哲蓝峰", min_size=2,
                max_size=4)
INDUSTRY = st.sampled_from(["科技", "信息技术", "贸易", "餐饮管理", "生物医药", "建筑工程"])


@given(TRADE, INDUSTRY, st.sampled_from(["有限公司", "股份有限公司", "有限责任公司"]))
def test_a_name_always_clashes_with_itself_in_other_clothes(trade, industry, form):
    existing = parse(f"威海{trade}{industry}有限公司")
    for other in (f"{trade}{industry}（威海）{form}", f"荣成{trade}{industry}{form}"):
        assert similarity.compare(parse(other), existing) in (
            similarity.IDENTICAL, similarity.IDENTICAL_CORE)


@given(TRADE, TRADE, INDUSTRY)
def test_compare_is_symmetric(a, b, industry):
    x, y = parse(f"威海{a}{industry}有限公司"), parse(f"威海{b}{industry}有限公司")
    assert similarity.compare(x, y) == similarity.compare(y, x)


def test_the_check_name_command_as_a_user_runs_it(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    yilian = str(Path(sys.executable).with_name("yilian"))
    env = {"YILIAN_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    csv_path = tmp_path / "r.csv"
    from yilian.codes import uscc

    code = uscc.make("371071", 0, body="16304424")
    csv_path.write_text(f"name,uscc\n威海一链科技有限公司,{code}\n", encoding="utf-8")
    subprocess.run([yilian, "import-registry", str(csv_path), "--quiet"], env=env, check=True,
                   capture_output=True)
    clash = subprocess.run([yilian, "check", "name", "威海一链科技有限公司"], env=env,
                           capture_output=True, text=True)
    assert clash.returncode == 1 and "name.conflict" in clash.stdout and code in clash.stdout
    fine = subprocess.run([yilian, "check", "name", "威海瑞博远达科技有限公司"], env=env,
                          capture_output=True, text=True)
    assert fine.returncode == 0, fine.stdout
