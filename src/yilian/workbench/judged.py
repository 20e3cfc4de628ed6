"""What each rule judged (审查要点): the facts beside each reason on the examiner's page.

A decision records the ids of the rules that found something; each rule says in its
data (``rules/data/rules.json``) how people read it — a title and its basis in both
languages, and which facts it judged: ``scope`` (each scope entry with its catalogue
status: general or licensed, before or after registration, the approving department),
``permit`` (the permit number given and what the issuing department answered),
``form`` (the values at the one form's paths it ``looks_at``, a table's rows side by
side) or ``none``. One small presenter per family (:data:`PRESENTERS`); the template
only lays out what they return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yilian import labels
from yilian.forms import returns
from yilian.forms.models import Application, InvestorKind
from yilian.portal import presenters
from yilian.refdata import scope as scope_catalogue
from yilian.rules import reading
from yilian.rules.engine import Rule, shipped_rules

#: The one form's fields as a person calls them (the last part of a path).
FIELD_LABELS = {
    "name": gettext_lazy("名称"),
    "registered_capital": gettext_lazy("注册资本（元）"),
    "kind": gettext_lazy("类型"),
    "uscc": gettext_lazy("统一社会信用代码"),
    "id_number": gettext_lazy("身份证号码"),
    "amount": gettext_lazy("认缴出资额（元）"),
    "contribution_date": gettext_lazy("出资期限"),
    "contribution_method": gettext_lazy("出资方式"),
    "business_scope": gettext_lazy("经营范围"),
    "domicile": gettext_lazy("住所"),
}
_MONEY = {"registered_capital", "amount", "monthly_wage"}
_CHOICES = {"kind": InvestorKind}


@dataclass
class Facts:
    """What one reason shows: label/value pairs, and at most one table."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    flags: list[presenters.Flag] = field(default_factory=list)


@dataclass
class JudgedReason:
    rule: str
    title: str
    basis: str
    subject: str
    edition: str
    facts: Facts


def _value(name: str, value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    if name in _MONEY:
        try:
            return f"{Decimal(str(value)):,.2f}"  # separators in every language
        except InvalidOperation:
            return str(value)
    if name in _CHOICES:
        return labels.choice(_CHOICES[name], value)
    if name == "contribution_method":
        return str(presenters.CONTRIBUTION_METHOD_LABELS.get(value, value))
    if isinstance(value, list):
        return "；".join(map(str, value))
    return str(value)


def _form_facts(rule: Rule, finding: dict, application: Application, data: dict) -> Facts:
    """The values at the rule's paths: plain fields as pairs, ``table[*].x`` as columns."""
    facts = Facts()
    table = ""
    for path in rule.looks_at:
        if returns.ROW_WILDCARD in path:
            table, rest = path.split(returns.ROW_WILDCARD, 1)
            facts.columns.append(str(FIELD_LABELS.get(rest.lstrip("."), rest)))
        else:
            facts.pairs.append((str(FIELD_LABELS.get(path, path)), _value(path, data.get(path))))
    if table:
        names = [p.split(returns.ROW_WILDCARD, 1)[1].lstrip(".") for p in rule.looks_at
                 if p.startswith(table + returns.ROW_WILDCARD)]
        facts.rows = [[_value(n, row.get(n)) for n in names] for row in data.get(table) or []]
    return facts


def _scope_facts(rule: Rule, finding: dict, application: Application, data: dict) -> Facts:
    """The scope entry judged and how the catalogue classes it."""
    text = finding.get("subject", "")
    entry = scope_catalogue.by_text(text) if text else None
    facts = Facts(pairs=[(_("经营范围条目"), text or "—")],
                  flags=presenters.scope_flags(entry))
    if entry is not None and entry.permit:
        facts.pairs.append((_("所需许可"), entry.permit))
    if entry is not None and entry.id in (data.get("pledges") or []):
        facts.pairs.append((_("告知承诺"), _("申请人已签署承诺")))
    return facts


def _permit_facts(rule: Rule, finding: dict, application: Application, data: dict) -> Facts:
    """The permit number given, and what the issuing department answered."""
    facts = _scope_facts(rule, finding, application, data)
    number = finding.get("permit_number", "")
    facts.pairs.append((_("证件编号"), number or "—"))
    decision = next(iter(application.decisions.all()), None)
    check = next((c for c in decision.permit_checks.all() if c.number == number), None) \
        if decision and number else None
    if check is not None:
        from yilian.rules.permits import MESSAGES

        zh, en = MESSAGES.get(check.answer, (check.answer, check.answer))
        facts.pairs.append((_("发证部门答复"), labels.bilingual(zh, en)))
    return facts


def _no_facts(rule: Rule, finding: dict, application: Application, data: dict) -> Facts:
    return Facts()


Presenter = Callable[[Rule, dict, Application, dict], Facts]
PRESENTERS: dict[str, Presenter] = {
    "scope": _scope_facts, "permit": _permit_facts, "form": _form_facts, "none": _no_facts,
}

outcome_label = reading.outcome_label
rule_title = reading.rule_title


def judged(application: Application, findings: list[dict]) -> list[JudgedReason]:
    """Each finding with its rule's title, basis and the facts it judged."""
    rules = {r.id: r for r in shipped_rules().rules}
    data = presenters.form_data(application)
    out = []
    for finding in findings:
        rule = rules.get(finding.get("rule", ""))
        if rule is None:  # a rule of an older edition: say what was stored
            out.append(JudgedReason(finding.get("rule", ""), finding.get("rule", ""),
                                    finding.get("basis", ""), finding.get("subject", ""),
                                    finding.get("edition", ""), Facts()))
            continue
        title, basis = rule_title(rule.id)
        facts = PRESENTERS.get(rule.facts, _no_facts)(rule, finding, application, data)
        out.append(JudgedReason(rule.id, title, basis, finding.get("subject", ""),
                                finding.get("edition", ""), facts))
    return out


def reasons_with_facts(application: Application) -> list[JudgedReason]:
    """The findings that decided the latest decision (those of its outcome), judged."""
    latest = next(iter(application.decisions.all()), None)
    if latest is None:
        return []
    return judged(application, [f for f in latest.findings
                                if f.get("outcome") == latest.outcome])


def return_reason_choices() -> list[tuple[str, str, str]]:
    """(code, text, step title) of every standard return reason, for the examiner."""
    from yilian.portal import steps

    return [(r.code, labels.bilingual(r.zh, r.en), str(steps.BY_SLUG[r.step].title))
            for r in returns.standard_reasons().reasons]
