"""Each outcome of the admission rules, by the rule that leads to it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yilian.rules.engine import SEVERITY, decide, normalize, shipped_rules
from yilian.rules.facts import Catalogues, Facts, NegativeItem, ScopeItem

SOFTWARE = ScopeItem("S-6513-01", "软件开发", "6513", "general")
FOOD = ScopeItem("S-5223-01", "食品销售", "5223", "licensed", "post", "市场监督管理部门",
                 "食品经营许可证", commitment=True, negative_list_id="N-L-100")
DANGEROUS = ScopeItem("S-2661-09", "危险化学品生产", "2661", "licensed", "pre",
                      "应急管理部门", "危险化学品安全生产许可证", commitment=False)
PRINTING = ScopeItem("S-2319-01", "出版物印刷", "2319", "licensed", "pre", "新闻出版部门",
                     "印刷经营许可证", commitment=True)
BANNED = ScopeItem("S-X-01", "象牙及其制品加工", "2439", "licensed", "pre", "林业部门", "",
                   negative_list_id="N-P-003")

CATALOGUES = Catalogues(
    scope={normalize(i.text): i for i in (SOFTWARE, FOOD, DANGEROUS, PRINTING, BANNED)},
    negative_list={"N-P-003": NegativeItem("N-P-003", "禁止象牙贸易", "prohibited"),
                   "N-L-100": NegativeItem("N-L-100", "食品经营许可", "licensed")},
    pre_registration=frozenset({"S-2661-09"}),
    editions={"scope": "test-scope-1", "negative_list": "2022", "pre_registration": "2017"},
)


def facts(*scope: str, **kw) -> Facts:
    base = {"registered_capital": Decimal("500000"), "org_form": "llc_multi",
            "corporate_investors": 0}
    return Facts(scope=scope, **{**base, **kw})


def rules_of(decision) -> set[str]:
    return {f.rule for f in decision.findings}


def test_general_items_only_are_approved_at_once():
    decision = decide(facts("软件开发"), CATALOGUES)
    assert decision.outcome == "approve"
    assert rules_of(decision) == {"R-GENERAL"}
    assert decision.editions["rules"] == shipped_rules().edition


def test_a_prohibited_item_is_refused_with_its_basis():
    decision = decide(facts("软件开发", "象牙及其制品加工"), CATALOGUES)
    assert decision.outcome == "refuse"
    refusal = next(f for f in decision.findings if f.rule == "R-PROHIBITED")
    assert refusal.subject == "象牙及其制品加工" and "负面清单" in refusal.basis
    assert "R-GENERAL" not in rules_of(decision)


def test_a_pre_registration_permit_must_exist_first():
    decision = decide(facts("危险化学品生产"), CATALOGUES)
    assert decision.outcome == "wait_permit"
    finding = next(f for f in decision.findings if f.rule == "R-PRE-PERMIT")
    assert finding.permit == "危险化学品安全生产许可证"
    assert finding.department == "应急管理部门"
    assert finding.edition == "test-scope-1"


def test_with_a_permit_the_department_confirmed_it_proceeds():
    permit = {"S-2661-09": "(鲁)WH安许证字[2026]001"}
    decision = decide(facts("危险化学品生产", permits=permit,
                            verified_permits=frozenset(permit)), CATALOGUES)
    assert decision.outcome == "approve"


def test_a_permit_number_alone_goes_to_an_examiner_with_the_answer():
    """Typed but not confirmed by its department: never approved on the applicant's word."""
    decision = decide(facts("危险化学品生产", permits={"S-2661-09": "伪造001"},
                            permit_answers={"S-2661-09": "发证部门查无此证件"}), CATALOGUES)
    assert decision.outcome == "manual_review"
    (finding,) = decision.findings
    assert finding.rule == "R-PERMIT-UNVERIFIED" and finding.permit_number == "伪造001"
    assert finding.basis.endswith("许可证件“伪造001”：发证部门查无此证件")


def test_a_pledge_still_stands_in_for_a_permit_the_department_did_not_confirm():
    decision = decide(facts("出版物印刷", permits={"S-2319-01": "伪造002"},
                            pledges=frozenset({"S-2319-01"})), CATALOGUES)
    assert decision.outcome == "pledge"


def test_a_pledge_lets_a_commitment_item_proceed_with_post_verification():
    unpledged = decide(facts("出版物印刷"), CATALOGUES)
    assert unpledged.outcome == "wait_permit"
    pledged = decide(facts("出版物印刷", pledges=frozenset({"S-2319-01"})), CATALOGUES)
    assert pledged.outcome == "pledge"
    assert [f.rule for f in pledged.post_verification] == ["R-PRE-PLEDGE"]
    assert pledged.post_verification[0].department == "新闻出版部门"


def test_a_pledge_does_not_help_where_commitment_is_not_allowed():
    decision = decide(facts("危险化学品生产", pledges=frozenset({"S-2661-09"})), CATALOGUES)
    assert decision.outcome == "wait_permit"


def test_post_registration_permits_do_not_hold_up_registration():
    decision = decide(facts("食品销售"), CATALOGUES)
    assert decision.outcome == "approve"
    assert "R-POST-PERMIT" in rules_of(decision)


@pytest.mark.parametrize(("kw", "rule"), [
    ({"corporate_investors": 1}, "R-CORPORATE-INVESTOR"),
    ({"registered_capital": Decimal("200000000")}, "R-LARGE-CAPITAL"),
])
def test_some_applications_go_to_an_examiner(kw, rule):
    decision = decide(facts("软件开发", **kw), CATALOGUES)
    assert decision.outcome == "manual_review"
    assert rule in rules_of(decision)


def test_wording_outside_the_catalogue_goes_to_an_examiner():
    decision = decide(facts("宇宙飞船维修"), CATALOGUES)
    assert decision.outcome == "manual_review"
    assert rules_of(decision) == {"R-UNLISTED-SCOPE"}


def test_scope_text_matches_despite_spaces_and_parentheses():
    assert normalize(" 道路货物运输(不含危险货物) ") == "道路货物运输（不含危险货物）"


@given(st.lists(st.sampled_from(["软件开发", "食品销售", "危险化学品生产", "出版物印刷",
                                 "象牙及其制品加工", "未知表述"]), max_size=5),
       st.frozensets(st.sampled_from(["S-2319-01", "S-2661-09"])))
def test_the_outcome_is_the_most_severe_finding(scope, pledges):
    decision = decide(facts(*scope, pledges=pledges), CATALOGUES)
    assert decision.outcome == max((f.outcome for f in decision.findings),
                                   key=SEVERITY.index)
    assert decision.findings  # a decision always says why


def test_a_negative_list_item_can_withhold_or_allow_the_pledge_for_its_entries():
    """R-PRE-PLEDGE needs the entry's own flag, unless the negative-list item it falls
    under (as amended) says otherwise for all its entries; then R-PRE-PERMIT rules."""
    linked = ScopeItem("S-2319-01", "出版物印刷", "2319", "licensed", "pre", "新闻出版部门",
                       "印刷经营许可证", commitment=True, negative_list_id="N-L-200")
    pledged = facts("出版物印刷", pledges=frozenset({"S-2319-01"}))
    for commitment, outcome, rule in [(None, "pledge", "R-PRE-PLEDGE"),
                                      (False, "wait_permit", "R-PRE-PERMIT"),
                                      (True, "pledge", "R-PRE-PLEDGE")]:
        catalogues = Catalogues(
            scope={normalize(linked.text): linked},
            negative_list={"N-L-200": NegativeItem("N-L-200", "印刷许可", "licensed",
                                                   commitment)},
            pre_registration=frozenset(), editions={})
        decision = decide(pledged, catalogues)
        assert (decision.outcome, rule in rules_of(decision)) == (outcome, True), commitment
    stricter = ScopeItem(**{**DANGEROUS.__dict__, "negative_list_id": "N-L-200"})
    allowing = Catalogues(scope={normalize(stricter.text): stricter},
                          negative_list={"N-L-200": NegativeItem("N-L-200", "", "licensed",
                                                                 True)},
                          pre_registration=frozenset({stricter.id}), editions={})
    assert decide(facts("危险化学品生产", pledges=frozenset({stricter.id})),
                  allowing).outcome == "pledge"


def test_a_withdrawn_negative_list_item_no_longer_refuses():
    """R-PROHIBITED looks the item up in the list in force; a withdrawn one is not there."""
    without = Catalogues(scope=CATALOGUES.scope,
                         negative_list={"N-L-100": CATALOGUES.negative_list["N-L-100"]},
                         pre_registration=CATALOGUES.pre_registration, editions={})
    decision = decide(facts("象牙及其制品加工"), without)
    assert "R-PROHIBITED" not in rules_of(decision)
    assert decision.outcome == "wait_permit"  # still a licensed pre-permit entry
