"""Deciding on an application (准入决定) and acting on the decision at submission."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yilian.rules import catalogues
from yilian.rules.engine import Decision, decide
from yilian.rules.facts import Facts
from yilian.rules.models import AdmissionDecision, PostVerification

POST_VERIFICATION_DAYS = 60  # a department checks a pledge within two months


def facts_of(application) -> Facts:
    investors = list(application.investors.all())
    return Facts(
        scope=tuple(application.business_scope or ()),
        registered_capital=application.registered_capital,
        org_form=application.org_form,
        corporate_investors=sum(1 for i in investors if i.kind == "corporate"),
        permits=dict(application.permits or {}),
        pledges=frozenset(application.pledges or ()),
    )


def decide_application(application, on: dt.date | None = None) -> Decision:
    """The decision under the catalogues in force today (or ``on``), stored with the
    application so that it keeps the editions it used whatever changes later."""
    on = on or timezone.localdate()
    decision = decide(facts_of(application), catalogues.in_force(on))
    AdmissionDecision.objects.create(application=application, outcome=decision.outcome,
                                     findings=[f.as_dict() for f in decision.findings],
                                     editions=decision.editions)
    return decision


def open_post_verifications(application, decision: Decision) -> list[PostVerification]:
    """One task per pledge, for the department that would have issued the permit."""
    due = timezone.localdate() + dt.timedelta(days=POST_VERIFICATION_DAYS)
    return PostVerification.objects.bulk_create([
        PostVerification(application=application, department=f.department,
                         subject=f.subject, permit=f.permit, rule=f.rule, due_on=due)
        for f in decision.post_verification
    ])


def summary(decision: Decision) -> str:
    """A comment for the applicant, in Chinese, one line per finding that matters."""
    lines = []
    for f in decision.findings:
        if f.outcome == decision.outcome:
            what = f"「{f.subject}」" if f.subject else ""
            need = f"（{f.department}：{f.permit}）" if f.permit else ""
            lines.append(f"{f.rule} {what}{need} {f.basis}")
    return "\n".join(lines)
