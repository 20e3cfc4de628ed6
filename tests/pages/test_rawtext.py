"""The checker itself: it catches what it must, and lets data through."""

from tests.pages.rawtext import problems


def test_it_catches_field_names_rule_ids_alone_and_codes():
    assert problems("<p>registered_capital</p>", "en")
    assert problems("<td><code>R-LARGE-CAPITAL</code></td>", "zh-hans")
    assert problems("<span class=badge>manual_review</span>", "zh-hans")
    assert problems("<span class=badge>failed</span>", "zh-hant")
    assert problems("<p>已提交</p>", "en")
    assert problems('<input placeholder="部门业务编号">', "en")


def test_it_lets_through_data_words_beside_ids_and_the_language_switch():
    assert not problems("<p>Name: 威海一链科技有限公司</p>", "en", data=("威海一链科技有限公司",))
    assert not problems("<h3>注册资本超过一亿元 <small>R-LARGE-CAPITAL</small></h3>", "zh-hans")
    assert not problems('<select name="language"><option>English</option>'
                        '<option>简体中文</option></select>', "en")
    assert not problems("<p>下载 PDF · <code>91371000MA3C8X7Y2K</code></p>", "zh-hans")
    assert not problems("<script>var a_b = 1</script><p>好</p>", "zh-hans")
