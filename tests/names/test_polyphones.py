"""多音字: the homophone check compares every common reading of a character that has
several, in the index, in the reservations and in the snapshot — found both ways, bounded,
and no clash from a reading nobody uses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.names.conftest import enterprise
from yilian.names import index, services, similarity, snapshot, words

pytestmark = pytest.mark.django_db

# 长 reads zhang first (pypinyin), chang in 长青; 行 xing first, hang in 银行; 重 zhong
# first, chong in 重庆; 乐 le first, yue in 音乐.
PAIRS = [("长青", "常青"), ("银行", "银航"), ("重阳", "崇阳"), ("乐康", "悦康")]


def conflicts(name: str, division: str = "371002") -> list[tuple[str, str]]:
    return [(c.rule, c.name) for c in index.get().conflicts(name, division)]


@pytest.mark.parametrize(("polyphone", "other"), PAIRS)
def test_a_clash_in_a_second_reading_is_found_both_ways(polyphone, other):
    enterprise(f"威海{polyphone}科技有限公司")
    index.rebuild()
    assert conflicts(f"威海{other}科技有限公司") == [
        ("homophone", f"威海{polyphone}科技有限公司")]
    enterprise(f"威海{other}信息科技有限公司", "371071")
    index.rebuild()
    assert ("homophone", f"威海{other}信息科技有限公司") in conflicts(
        f"威海{polyphone}科技服务有限公司")


def test_the_first_reading_still_clashes():
    enterprise("威海长青科技有限公司")
    index.rebuild()
    assert conflicts("威海掌青科技有限公司") == [("homophone", "威海长青科技有限公司")]


def test_different_sounds_and_unused_readings_do_not_clash():
    enterprise("威海长青科技有限公司")
    enterprise("威海万达科技有限公司")  # 万 has the archaic reading mo (万俟) in pypinyin
    index.rebuild()
    assert conflicts("威海长春科技有限公司") == []
    assert conflicts("威海莫达科技有限公司") == []
    assert not similarity.sound_alike("万达", "莫达")


def test_a_reserved_polyphone_clashes_both_ways(alice, bob):
    services.reserve("威海长青科技有限公司", "371002", alice)
    verdict = services.check_name("威海常青科技有限公司", "371002", "llc_multi", user=bob)
    assert [(c.rule, c.reserved) for c in verdict.conflicts] == [("homophone", True)]
    with pytest.raises(services.NameTaken):
        services.reserve("威海常青科技有限公司", "371002", bob)
    services.reserve("威海银航科技有限公司", "371002", bob)
    verdict = services.check_name("威海银行科技有限公司", "371002", "llc_multi", user=alice)
    assert [(c.rule, c.reserved) for c in verdict.conflicts] == [("homophone", True)]


def test_a_snapshot_of_the_old_format_is_rebuilt_from_the_register(tmp_path, monkeypatch):
    enterprise("威海长青科技有限公司")
    target = tmp_path / snapshot.FILENAME
    index.save_snapshot(index.rebuild(), target)
    assert snapshot.load(target) is not None
    monkeypatch.setattr(snapshot, "FORMAT", 1)  # written by the code before 多音字
    index.save_snapshot(index.rebuild(), target)
    monkeypatch.undo()
    assert snapshot.FORMAT >= 2 and snapshot.load(target) is None


def test_the_readings_of_a_long_polyphone_name_are_capped():
    text = "行长重乐还都传藏朝"
    found = similarity.readings(text)
    assert len(found) == similarity.MAX_READINGS
    assert found[0] == similarity.pinyin(text)
    # Breadth first: every single change of reading is among them, before any pair.
    for i, char in enumerate(text):
        syllables = found[0].split(" ")
        syllables[i] = similarity._syllables(char)[1]
        assert " ".join(syllables) in found


POLYPHONES = "".join(sorted(words.polyphones()))


@given(st.text(alphabet=POLYPHONES + "一链华盛金鼎", min_size=1, max_size=8))
def test_readings_are_bounded_and_each_is_a_reading_of_every_character(text):
    found = similarity.readings(text)
    assert 1 <= len(found) <= similarity.MAX_READINGS
    assert len(set(found)) == len(found)
    assert found[0] == similarity.pinyin(text)
    for reading in found:
        syllables = reading.split(" ")
        assert len(syllables) == len(text)
        for char, syllable in zip(text, syllables, strict=True):
            assert syllable in similarity._syllables(char)


@given(st.text(alphabet=POLYPHONES[:30], min_size=1, max_size=4),
       st.text(alphabet=POLYPHONES[:30], min_size=1, max_size=4))
def test_sounding_alike_is_symmetric(a, b):
    assert similarity.sound_alike(a, b) == similarity.sound_alike(b, a)
