"""A name's rules per kind of market entity, from the kinds catalogue: the form words each
kind's name ends in, the words it may not use, an individual business's optional name and
county, a branch's name derived from its parent's."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.names.conftest import enterprise
from yilian.names import index, services
from yilian.names.rules import check_format
from yilian.refdata import kinds as catalogue

KINDS_WITH_FORMS = [k for k in catalogue.all_kinds().values() if k.name_forms]


def rules(name: str, org_form: str, **kwargs) -> list[str]:
    return [p.rule for p in check_format(name, org_form, **kwargs)]


@pytest.mark.parametrize("kind", KINDS_WITH_FORMS, ids=lambda k: k.code)
def test_each_form_word_of_each_kind_is_accepted(kind):
    for form in kind.name_forms:
        assert rules(f"蓝峰咨询{form}", kind.code) == [], form


@pytest.mark.parametrize("kind", KINDS_WITH_FORMS, ids=lambda k: k.code)
def test_another_kinds_form_word_is_refused_naming_the_kinds_own(kind):
    wrong = next(form for other in KINDS_WITH_FORMS for form in other.name_forms
                 if form not in kind.name_forms and not form.endswith(kind.name_forms))
    (problem,) = [p for p in check_format(f"蓝峰咨询{wrong}", kind.code)
                  if p.rule != "name.org_form.forbidden"]  # 有限公司 for a 个体工商户
    assert problem.rule == "name.org_form.mismatch"
    for form in kind.name_forms:  # the requirement, in both languages
        assert form in problem.message_zh and form in problem.message_en
    assert kind.zh in problem.message_zh and problem.basis == kind.spec["name_basis"]


def test_a_name_with_no_form_word_at_all_is_missing_its_form():
    (problem,) = check_format("蓝峰咨询", "partnership_general")
    assert problem.rule == "name.org_form_missing" and "（普通合伙）" in problem.message_zh


@pytest.mark.parametrize(("name", "org_form", "expected"), [
    ("威海蓝峰咨询（普通合伙）", "partnership_general", []),
    ("威海蓝峰咨询合伙企业（有限合伙）", "partnership_limited", []),
    ("蓝峰会计师事务所（特殊普通合伙）", "partnership_special", []),
    ("蓝峰会计师事务所（普通合伙）", "partnership_special", ["name.org_form.mismatch"]),
    ("蓝峰咨询（特殊普通合伙）", "partnership_general", ["name.org_form.mismatch"]),
    ("威海蓝峰果蔬专业合作社", "cooperative", []),
    ("威海蓝峰果蔬有限公司", "cooperative", ["name.org_form.mismatch"]),
    ("威海蓝峰科技股份有限公司", "joint_stock", []),
    ("威海蓝峰科技股份公司", "joint_stock", []),
    # 股份有限公司 ends in 有限公司 too, but it is a joint-stock company's form.
    ("威海蓝峰科技股份有限公司", "llc_multi", ["name.org_form.mismatch"]),
    ("环翠区蓝峰理发馆", "individual_business", []),
    ("环翠区蓝峰餐饮工作室", "individual_business", []),
])
def test_form_words_by_kind(name, org_form, expected):
    assert rules(name, org_form) == expected


@pytest.mark.parametrize(("name", "org_form", "words"), [
    ("威海蓝峰科技有限公司", "sole_proprietorship", ["有限", "公司"]),
    ("威海蓝峰有限责任商店", "sole_proprietorship", ["有限责任"]),  # not 有限 as well
    ("环翠区蓝峰企业服务中心", "individual_business", ["企业"]),
    ("环翠区蓝峰农民专业合作社店", "individual_business", ["农民专业合作社"]),
])
def test_forbidden_words_by_kind(name, org_form, words):
    found = [p for p in check_format(name, org_form) if p.rule == "name.org_form.forbidden"]
    assert len(found) == 1
    for word in words:
        assert f"“{word}" in found[0].message_zh or f"{word}”" in found[0].message_zh
        assert word in found[0].message_en
    if words == ["有限责任"]:
        assert "“有限”" not in found[0].message_zh


def test_an_individual_business_names_its_county_not_its_city():
    assert rules("环翠区蓝峰餐饮店", "individual_business", division_code="371002") == []
    assert rules("蓝峰餐饮店", "individual_business", division_code="371002") == []
    assert rules("威海市蓝峰餐饮店", "individual_business", division_code="371002") == [
        "name.division.county"]
    # A county, but not the one it is in.
    assert rules("荣成蓝峰餐饮店", "individual_business", division_code="371002") == [
        "name.division.county"]
    # An enterprise may carry its city's name.
    assert rules("威海市蓝峰餐饮有限公司", "llc_multi", division_code="371002") == []


@pytest.mark.django_db
def test_an_individual_business_may_have_no_name(alice):
    verdict = services.check_name("", "371002", "individual_business", user=alice)
    assert verdict.acceptable and verdict.errors() == []
    assert services.reserve("", "371002", alice, org_form="individual_business") is None
    assert services.registered_conflicts("", "371002") == []
    # An enterprise may not.
    assert not services.check_name("", "371002", "llc_multi").acceptable


@pytest.mark.django_db
def test_nameless_individual_businesses_in_the_register_clash_with_nothing(alice):
    enterprise("", "371002")
    enterprise("", "371002")
    index.rebuild()
    assert len(index.get()) == 0
    assert services.check_name("", "371002", "individual_business").acceptable


@pytest.mark.django_db
def test_an_individual_business_name_is_checked_like_any_other(alice, bob):
    enterprise("环翠区老王餐饮店", "371002")
    index.rebuild()
    same = services.check_name("环翠区老王餐饮店", "371002", "individual_business")
    assert [c.rule for c in same.conflicts] == ["identical"]
    sounds = services.check_name("环翠区老汪餐饮店", "371002", "individual_business")
    assert [c.rule for c in sounds.conflicts] == ["homophone"]
    services.reserve("环翠区蓝峰餐饮店", "371002", alice, org_form="individual_business")
    held = services.check_name("环翠区兰峰餐饮店", "371002", "individual_business", user=bob)
    assert [(c.rule, c.reserved) for c in held.conflicts] == [("homophone", True)]


# --- branches: the parent's name + 分公司 ----------------------------------------------


@pytest.fixture
def parent(db):
    company = enterprise("威海蓝峰科技有限公司", "371002", "6513")
    index.rebuild()
    return company


def branch(name: str, parent_uscc: str, user=None):
    return services.check_name(name, "371002", "branch", parent_uscc=parent_uscc, user=user)


def test_a_branch_is_named_after_its_parent(parent):
    assert branch("威海蓝峰科技有限公司分公司", parent.uscc).acceptable
    assert branch("威海蓝峰科技有限公司环翠分公司", parent.uscc).acceptable
    # Not compared with the parent's 字号: it is the parent's own name.
    assert branch("威海蓝峰科技有限公司荣成分公司", parent.uscc).conflicts == []


def test_a_branch_name_that_is_not_its_parents(parent):
    (problem,) = branch("威海兰峰科技有限公司环翠分公司", parent.uscc).problems
    assert problem.rule == "name.branch.parent_name"
    assert parent.name in problem.message_zh and parent.name in problem.message_en
    (problem,) = branch("威海蓝峰科技有限公司环翠办事处", parent.uscc).problems
    assert problem.rule == "name.branch.suffix" and "分公司" in problem.message_zh
    # The place is any 地名 (a zone's short name too), not only a division's.
    assert branch("威海蓝峰科技有限公司火炬分公司", parent.uscc).acceptable


def test_a_branch_without_a_parent_in_the_register(parent):
    (problem,) = branch("威海蓝峰科技有限公司分公司", "").problems
    assert problem.rule == "name.branch.parent_unknown"
    assert problem.as_error()["field"] == "parent_uscc"
    (problem,) = branch("威海蓝峰科技有限公司分公司", "91371002MA0000000X").problems
    assert problem.rule == "name.branch.parent_unknown"


def test_a_branch_clashes_with_another_branch_of_the_same_name(parent, alice, bob):
    enterprise("威海蓝峰科技有限公司环翠分公司", "371002")
    index.rebuild()
    verdict = branch("威海蓝峰科技有限公司环翠分公司", parent.uscc)
    assert [(c.rule, c.name) for c in verdict.conflicts] == [
        ("identical", "威海蓝峰科技有限公司环翠分公司")]
    held = services.reserve("威海蓝峰科技有限公司荣成分公司", "371002", alice,
                            org_form="branch", parent_uscc=parent.uscc)
    assert held.normalized_key == "威海蓝峰科技有限公司荣成分公司"
    taken = branch("威海蓝峰科技有限公司荣成分公司", parent.uscc, user=bob)
    assert [(c.rule, c.reserved) for c in taken.conflicts] == [("identical", True)]
    with pytest.raises(services.NameTaken):
        services.reserve("威海蓝峰科技有限公司荣成分公司", "371002", bob, org_form="branch",
                         parent_uscc=parent.uscc)
    # The holder asking again gets its own reservation back.
    assert services.reserve("威海蓝峰科技有限公司荣成分公司", "371002", alice,
                            org_form="branch", parent_uscc=parent.uscc) == held
    assert branch("威海蓝峰科技有限公司文登分公司", parent.uscc, user=bob).acceptable


# --- the parser knows every kind's form words --------------------------------------------

TRADE = st.text(alphabet="蓝峰鑫磊森淼焱晟睿哲", min_size=2, max_size=5)


@given(TRADE, st.sampled_from([(k.code, f) for k in KINDS_WITH_FORMS for f in k.name_forms]))
def test_a_name_in_any_kinds_form_parses_and_fits_only_kinds_with_that_form(trade, pair):
    code, form = pair
    name = f"{trade}咨询{form}"
    for kind in KINDS_WITH_FORMS:
        fits = "name.org_form.mismatch" not in rules(name, kind.code)
        assert fits == (form in kind.name_forms), (kind.code, form)
    assert rules(name, code) == []


def test_the_check_name_command_takes_the_kind(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    yilian = str(Path(sys.executable).with_name("yilian"))
    env = {"YILIAN_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = lambda *args: subprocess.run([yilian, "check", "name", *args], env=env,  # noqa: E731
                                       capture_output=True, text=True)
    wrong = run("威海瑞博咨询有限公司", "--org-form", "partnership_general")
    assert wrong.returncode == 1 and "name.org_form.mismatch" in wrong.stdout
    assert "（普通合伙）" in wrong.stdout
    right = run("威海瑞博咨询（普通合伙）", "--org-form", "partnership_general")
    assert right.returncode == 0, right.stdout
    orphan = run("威海瑞博咨询有限公司分公司", "--org-form", "branch", "--parent-uscc", "x")
    assert orphan.returncode == 1 and "name.branch.parent_unknown" in orphan.stdout
