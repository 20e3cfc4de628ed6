"""The decision function: pure, over plain facts and the catalogues in force.

Rules are data (``data/rules.json``, with an edition): each names a *check* from
:data:`CHECKS`, its parameters, the outcome it leads to and its legal basis. Every rule
whose check finds something contributes a finding; the decision's outcome is the most
severe among them (:data:`SEVERITY`), and the decision lists every finding with its rule,
the catalogue edition and the basis, so an examiner and the applicant see why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from yilian.rules.facts import Catalogues, Facts, ScopeItem

SEVERITY = ["approve", "pledge", "manual_review", "wait_permit", "refuse"]


@dataclass(frozen=True)
class Finding:
    rule: str
    outcome: str
    basis: str
    subject: str = ""  # the scope text (or field) the finding is about
    department: str = ""
    permit: str = ""
    edition: str = ""
    permit_number: str = ""  # the number the applicant gave, when the finding is about it

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class Decision:
    outcome: str
    findings: tuple[Finding, ...]
    editions: dict[str, str] = field(default_factory=dict)
    #: Every permit given, as checked (许可核验): number, department, how it was checked.
    permits: tuple[dict[str, Any], ...] = ()

    @property
    def post_verification(self) -> list[Finding]:
        """Pledges whose conditions the department must check afterwards (事后核查)."""
        return [f for f in self.findings if f.outcome == "pledge"]

    def as_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "editions": self.editions,
                "findings": [f.as_dict() for f in self.findings],
                "permits": list(self.permits)}


@dataclass(frozen=True)
class Rule:
    id: str
    check: str
    outcome: str
    basis: str
    params: dict[str, Any] = field(default_factory=dict)
    # How people read it (the engine does not use these): a title and the basis in
    # both languages, which facts the examiner's page shows ("scope", "permit", "form",
    # "none") and the one form's paths the rule looked at (``investors[*].amount``).
    title: str = ""
    title_en: str = ""
    basis_en: str = ""
    facts: str = "none"
    looks_at: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    edition: str
    rules: tuple[Rule, ...]


@cache
def shipped_rules() -> RuleSet:
    raw = json.loads(resources.files("yilian.rules").joinpath("data/rules.json")
                     .read_text(encoding="utf-8"))
    rules = tuple(Rule(r["id"], r["check"], r["outcome"], r["basis"], r.get("params", {}),
                       r.get("title", ""), r.get("title_en", ""), r.get("basis_en", ""),
                       r.get("facts", "none"), tuple(r.get("looks_at", ())))
                  for r in raw["rules"])
    for rule in rules:
        if rule.check not in CHECKS or rule.outcome not in SEVERITY:
            raise ValueError(f"rule {rule.id}: unknown check or outcome")
    return RuleSet(raw["edition"], rules)


# A check returns the subjects it found (scope texts, or a field name) with the scope
# item when there is one, and optionally what else the finding must say (appended to
# the basis: the reason reads whole in the review queue).
Check = Callable[[Facts, Catalogues, dict], list[tuple]]


def _matched(facts: Facts, catalogues: Catalogues):
    for text in facts.scope:
        yield text, catalogues.scope.get(normalize(text))


def _prohibited(facts, catalogues, params):
    found = []
    for text, item in _matched(facts, catalogues):
        ids = [item.negative_list_id] if item else []
        ids += [i for term, i in catalogues.prohibited_terms.items() if term in text]
        if any(getattr(catalogues.negative_list.get(i), "kind", "") == "prohibited"
               for i in ids):
            found.append((text, item))
    return found


def needs_pre_permit(item: ScopeItem | None, catalogues: Catalogues) -> bool:
    """A permit before registration (前置许可): on the pre-registration catalogue."""
    return bool(item and item.kind == "licensed" and
                (item.timing == "pre" or item.id in catalogues.pre_registration))


def _pledge_allowed(item: ScopeItem, catalogues: Catalogues) -> bool:
    """告知承诺: as the scope entry says, unless the negative-list item it falls under
    (as amended) says for all its entries."""
    listed = catalogues.negative_list.get(item.negative_list_id)
    if listed is not None and listed.commitment is not None:
        return listed.commitment
    return item.commitment


def _pledged(item: ScopeItem, facts: Facts, catalogues: Catalogues) -> bool:
    return _pledge_allowed(item, catalogues) and item.id in facts.pledges


def _pre_permit_missing(facts, catalogues, params):
    return [(text, item) for text, item in _matched(facts, catalogues)
            if needs_pre_permit(item, catalogues) and item.id not in facts.permits
            and not _pledged(item, facts, catalogues)]


def _pre_permit_pledged(facts, catalogues, params):
    """A pledge stands in for a permit the department has not confirmed."""
    return [(text, item) for text, item in _matched(facts, catalogues)
            if needs_pre_permit(item, catalogues) and item.id not in facts.verified_permits
            and _pledged(item, facts, catalogues)]


def _pre_permit_unverified(facts, catalogues, params):
    """A permit number was given, but its department did not confirm it for this
    enterprise and activity today: an examiner looks, with the department's answer."""
    found = []
    for text, item in _matched(facts, catalogues):
        if (needs_pre_permit(item, catalogues) and item.id in facts.permits
                and item.id not in facts.verified_permits
                and not _pledged(item, facts, catalogues)):
            answer = facts.permit_answers.get(item.id, "未经发证部门核验")
            number = facts.permits[item.id]
            found.append((text, item, f"许可证件“{number}”：{answer}", number))
    return found


def _unlisted(facts, catalogues, params):
    prohibited = {text for text, _ in _prohibited(facts, catalogues, params)}
    return [(text, None) for text, item in _matched(facts, catalogues)
            if item is None and text not in prohibited]


def _post_permit(facts, catalogues, params):
    return [(text, item) for text, item in _matched(facts, catalogues)
            if item and item.kind == "licensed" and not needs_pre_permit(item, catalogues)]


def _corporate_investors_over(facts, catalogues, params):
    return [("investors", None)] if facts.corporate_investors > params["count"] else []


def _capital_over(facts, catalogues, params):
    capital = facts.registered_capital
    return [("registered_capital", None)] if capital and capital > Decimal(params["yuan"]) \
        else []


def _always(facts, catalogues, params):
    return [("", None)]


CHECKS: dict[str, Check] = {
    "scope_prohibited": _prohibited,
    "scope_pre_permit_missing": _pre_permit_missing,
    "scope_pre_permit_pledged": _pre_permit_pledged,
    "scope_pre_permit_unverified": _pre_permit_unverified,
    "scope_unlisted": _unlisted,
    "scope_post_permit": _post_permit,
    "corporate_investors_over": _corporate_investors_over,
    "registered_capital_over": _capital_over,
    "always": _always,
}


def normalize(text: str) -> str:
    """Scope texts compare without spaces and with Chinese parentheses."""
    return "".join(text.split()).replace("(", "（").replace(")", "）")


def decide(facts: Facts, catalogues: Catalogues, rules: RuleSet | None = None) -> Decision:
    """The admission decision for ``facts`` under ``catalogues`` and ``rules``."""
    rules = rules or shipped_rules()
    findings: list[Finding] = []
    for rule in rules.rules:
        for subject, item, *more in CHECKS[rule.check](facts, catalogues, rule.params):
            note, number = (*more, "", "")[:2]
            findings.append(Finding(
                rule=rule.id, outcome=rule.outcome,
                basis=f"{rule.basis}。{note}" if note else rule.basis, subject=subject,
                department=item.department if item else "",
                permit=item.permit if item else "",
                edition=catalogues.editions.get("scope", "") if item else rules.edition,
                permit_number=number,
            ))
    outcome = max((f.outcome for f in findings), key=SEVERITY.index, default="approve")
    if outcome != "approve":  # the plain approval says nothing when something else rules
        plain = {rule.id for rule in rules.rules if rule.check == "always"}
        findings = [f for f in findings if f.rule not in plain]
    return Decision(outcome, tuple(findings),
                    {**catalogues.editions, "rules": rules.edition})
