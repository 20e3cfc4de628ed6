"""The catalogue of market-entity kinds (refdata/data/kinds.json): complete, consistent with
the credit-code standard and the offices file, every requirement with its legal basis."""

from __future__ import annotations

import pytest

from yilian.forms.models import OrgForm
from yilian.refdata import kinds, offices
from yilian.refdata._files import read_json

ISSUE_12_KINDS = {"individual_business", "partnership_general", "partnership_limited",
                  "partnership_special", "joint_stock", "llc_single_natural",
                  "llc_single_corporate", "llc_multi", "branch", "cooperative",
                  "sole_proprietorship"}
STEPS = {"registration", "seals", "tax", "social_security", "medical_insurance",
         "housing_fund", "bank"}


def test_every_kind_of_issue_12_and_every_form_registered_today_is_described():
    assert set(kinds.all_kinds()) == ISSUE_12_KINDS
    assert {f.value for f in OrgForm} <= set(kinds.all_kinds())
    assert kinds.edition() == "market-entities-2026.1"


@pytest.mark.parametrize("code", sorted(ISSUE_12_KINDS))
def test_gb_32100_the_credit_code_starts_with_the_entity_class(code):
    """GB 32100-2015: 9 + 1 enterprise / 2 individual business / 3 cooperative."""
    kind = kinds.get(code)
    assert kind.uscc_prefix == kinds.USCC_PREFIX_BY_FAMILY[kind.family]
    assert kind.zh and kind.en


@pytest.mark.parametrize("code", sorted(ISSUE_12_KINDS))
def test_every_requirement_names_its_basis(code):
    kind = kinds.get(code)
    cited = kind.bases()
    assert cited, code
    for where, basis, _checked, _read_in in cited:
        # A law or standard and an article (条) or clause, not a bare assertion.
        assert any(word in basis for word in ("法", "条例", "办法", "规定", "GB", "申请书")), where
    # Offices: a reference into offices.json resolves, inline ones have counts and a basis.
    ref = kind.spec.get("offices")
    if isinstance(ref, str):
        assert ref.startswith("offices.json#")
        assert ref.split("#", 1)[1] in read_json("offices.json")["forms"]
        assert offices.for_form(ref.split("#", 1)[1])
    else:
        for role, office in ref.items():
            assert office["counts"] and office["basis"], (code, role)


def _every_basis():
    return kinds.catalogue_bases() + [b for k in kinds.all_kinds().values() for b in k.bases()]


def _sibling(where: str, key: str):
    """The value next to the basis at ``where`` (``x.name_basis`` → ``x.name_<key>``)."""
    node: dict = read_json("kinds.json")
    parts = where.split(".")
    if parts[0] in node["kinds"]:
        node = node["kinds"]
    for part in parts[:-1]:
        node = node[part]
    return node.get(parts[-1][:-len("basis")] + key)


def test_a_checked_basis_says_which_published_text_it_was_read_in():
    """Issue 12: from the law in force, not guessed — a basis is ``checked`` only with the
    text it was read against (``read_in``: keys of ``texts``, each a repository, commit and
    path or an address); one left unchecked records what was searched."""
    texts = kinds.texts()
    for text in texts.values():
        assert text["title"]
        assert ({"repo", "commit", "path"} <= set(text) and len(text["commit"]) == 40
                or "url" in text or "code_index_id" in text), text
    for basis in _every_basis():
        assert set(basis.read_in) <= set(texts), basis.where
        if basis.checked:
            assert basis.read_in, basis.where
        else:
            assert _sibling(basis.where, "searched"), basis.where


def test_the_repealed_registration_rules_are_no_basis():
    """市场主体登记管理条例实施细则第82条 repealed 个体工商户登记管理办法 and 个人独资企业登记
    管理办法, 市场主体登记管理条例第55条 the 农民专业合作社登记管理条例: none is a checked
    basis any more."""
    for basis in _every_basis():
        if basis.checked:
            for repealed in ("个体工商户登记管理办法", "个人独资企业登记管理办法",
                             "农民专业合作社登记管理条例"):
                assert repealed not in basis.text, basis.where


@pytest.mark.parametrize("code", sorted(ISSUE_12_KINDS))
def test_registration_and_tax_are_always_steps_and_steps_are_known(code):
    kind = kinds.get(code)
    assert {"registration", "tax"} <= set(kind.required_steps)
    assert set(kind.required_steps) | set(kind.optional_steps) <= STEPS
    assert not set(kind.required_steps) & set(kind.optional_steps)


def test_member_limits_the_law_sets():
    """Company Law 42 (LLC 1-50) and 92 (promoters 1-200), Partnership Enterprise Law 14
    and 61 (2+, limited 2-50), Cooperatives Law (5+ members): the counts as written."""
    counts = {code: k.member_counts for code, k in kinds.all_kinds().items()}
    assert counts["llc_multi"] == (2, 50)
    assert counts["joint_stock"] == (1, 200)
    assert counts["partnership_general"] == (2, None)
    assert counts["partnership_limited"] == (2, 50)
    assert counts["cooperative"] == (5, None)
    assert counts["individual_business"] == (1, 1)  # the operator (经营者)
    assert counts["branch"] is None


def test_names_carry_each_kinds_form_words():
    assert kinds.get("partnership_limited").name_forms == ("（有限合伙）",)
    assert kinds.get("partnership_general").name_forms == ("（普通合伙）",)
    assert kinds.get("cooperative").name_forms == ("专业合作社",)
    individual = kinds.get("individual_business")
    assert individual.spec["name_optional"] is True
    assert {"店", "馆", "工作室"} <= set(individual.name_forms)
    assert {"公司", "企业"} <= set(individual.spec["name_forbids"])


@pytest.mark.django_db
@pytest.mark.parametrize(("org_form", "prefix"), [("individual_business", "92"),
                                                  ("cooperative", "93"), ("llc_multi", "91")])
def test_registration_gives_the_credit_code_of_the_kinds_entity_class(org_form, prefix):
    """GB 32100: the code a registration issues starts with the kind's class."""
    from tests import factories
    from yilian.chain import engine
    from yilian.chain.services import start_chain
    from yilian.codes import uscc

    app = factories.application()
    app.org_form = org_form
    app.save()
    start_chain(app)
    engine.drain()
    app.refresh_from_db()
    assert app.uscc.startswith(prefix + "371071")
    uscc.validate(app.uscc)


def test_the_offices_file_says_where_each_article_was_read():
    """refdata/data/offices.json holds its bases to the same rule as the kinds."""
    texts = kinds.texts()
    for form, spec in read_json("offices.json")["forms"].items():
        for role, office in spec.items():
            where = (form, role)
            assert set(office.get("read_in", ())) <= set(texts), where
            assert office["read_in"] if office["checked"] else office["searched"], where
