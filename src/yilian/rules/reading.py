"""How people read a decision (准入决定的表述): each rule's title and basis, and the
outcome, in the reader's language — from the rules' own data (``data/rules.json``
carries both languages), so pages never show a rule id or an outcome code alone."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from yilian import labels
from yilian.rules.engine import Decision, Finding, Rule, shipped_rules

OUTCOMES = {
    "approve": gettext_lazy("核准"),
    "pledge": gettext_lazy("告知承诺，先行登记"),
    "manual_review": gettext_lazy("转人工审查"),
    "wait_permit": gettext_lazy("待取得许可"),
    "refuse": gettext_lazy("不予受理"),
}


def outcome_label(outcome: str) -> str:
    return str(OUTCOMES.get(outcome, outcome))


def rule(rule_id: str) -> Rule | None:
    return next((r for r in shipped_rules().rules if r.id == rule_id), None)


def rule_title(rule_id: str) -> tuple[str, str]:
    """(title, basis) of a rule in the reader's language; the id when it is unknown."""
    found = rule(rule_id)
    if found is None:
        return rule_id, ""
    return (labels.bilingual(found.title, found.title_en),
            labels.bilingual(found.basis, found.basis_en))


def is_rules_summary(application) -> bool:
    """Is the application's comment the one the rules wrote at submission (their
    findings, for the record), rather than a person's words?"""
    from yilian.rules.services import summary

    latest = next(iter(application.decisions.all()), None)
    if latest is None or not application.review_comment:
        return False
    decision = Decision(latest.outcome, tuple(Finding(**f) for f in latest.findings),
                        latest.editions)
    return application.review_comment == summary(decision)


def persons_comment(application) -> str:
    """The review comment when a person wrote it; '' when it is the rules' summary
    (pages show the findings themselves, in words, instead)."""
    return "" if is_rules_summary(application) else application.review_comment


def findings_read(application) -> list[tuple[str, str, str, str]]:
    """(rule id, title, subject, basis) of each finding that decided the latest decision."""
    latest = next(iter(application.decisions.all()), None)
    if latest is None:
        return []
    out = []
    for f in latest.findings:
        if f.get("outcome") == latest.outcome:
            title, basis = rule_title(f.get("rule", ""))
            out.append((f.get("rule", ""), title, f.get("subject", ""), basis))
    return out
