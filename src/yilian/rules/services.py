"""Deciding on an application (准入决定) and acting on the decision at submission."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils import timezone

from yilian.rules import catalogues, permits
from yilian.rules.engine import Decision, decide
from yilian.rules.facts import Facts
from yilian.rules.models import AdmissionDecision, PermitCheck, PostVerification

POST_VERIFICATION_DAYS = 60  # a department checks a pledge within two months


def facts_of(application, checked: list[permits.PermitAnswer] = ()) -> Facts:
    investors = list(application.investors.all())
    return Facts(
        scope=tuple(permits.scope_to_decide(application)),
        registered_capital=application.registered_capital,
        org_form=application.org_form,
        corporate_investors=sum(1 for i in investors if i.kind == "corporate"),
        permits=dict(application.permits or {}),
        pledges=frozenset(application.pledges or ()),
        verified_permits=frozenset(a.entry_id for a in checked if a.ok),
        permit_answers={a.entry_id: a.message_zh for a in checked if not a.ok},
    )


def ask_about_permits(application, on: dt.date | None = None
                      ) -> dict[str, permits.PermitAnswer]:
    """Ask the issuing departments about the permits ``application`` gives (许可核验).
    Call it *outside* the submission's transaction (a department may be slow) and hand
    the answers to :func:`decide_application`."""
    if not isinstance(application.permits, dict) or not application.permits:
        return {}  # no permit given, none to ask about: the catalogues need not be read
    on = on or timezone.localdate()
    return permits.ask(application, catalogues.in_force(on), on)


def decide_application(application, on: dt.date | None = None,
                       permit_answers: dict[str, permits.PermitAnswer] | None = None
                       ) -> Decision:
    """The decision under the catalogues in force today (or ``on``), stored with the
    application so that it keeps the editions it used whatever changes later.

    A permit counts only as its issuing department confirmed it in ``permit_answers``
    (from :func:`ask_about_permits`); one not asked about, or asked about for other
    particulars, is unchecked and goes to an examiner. Every permit given is recorded
    with the decision (:class:`~yilian.rules.models.PermitCheck`)."""
    on = on or timezone.localdate()
    in_force = catalogues.in_force(on)
    checked = permits.relied_on(application, in_force, on, permit_answers or {})
    decision = decide(facts_of(application, checked), in_force)
    stored = AdmissionDecision.objects.create(
        application=application, outcome=decision.outcome,
        findings=[f.as_dict() for f in decision.findings], editions=decision.editions)
    rows = PermitCheck.objects.bulk_create([
        PermitCheck(decision=stored, entry_id=a.entry_id, subject=a.subject[:100],
                    permit=a.item.permit[:100], number=a.number[:100],
                    department=a.item.department[:64], answer=a.reason,
                    answer_data=a.data, asked_at=a.asked_at,
                    checked_by=PermitCheck.CheckedBy.DEPARTMENT if a.ok else "")
        for a in checked])
    permits_seen = tuple(r.as_dict() for r in rows)
    # What latest_shown() would read back: the submission's answer shows it unread.
    application.latest_decision_shown = _shown(stored, sorted(
        permits_seen, key=lambda p: p["entry_id"]))  # PermitCheck's order
    return dataclasses.replace(decision, permits=permits_seen)


def latest_shown(application) -> dict | None:
    """The application's latest decision as its representation shows it: outcome,
    findings, editions, when, and every permit given with how it was checked — the one
    :func:`decide_application` just stored on this very object, else read."""
    if "latest_decision_shown" in application.__dict__:
        return application.latest_decision_shown
    latest = application.decisions.first()
    if latest is None:
        return None
    return _shown(latest, [p.as_dict() for p in latest.permit_checks.all()])


def _shown(decision: AdmissionDecision, permits: list[dict]) -> dict:
    return {"outcome": decision.outcome, "findings": decision.findings,
            "editions": decision.editions, "decided_at": decision.decided_at,
            "permits": list(permits)}


def record_examiner_check(decision: AdmissionDecision | None, examiner) -> list[PermitCheck]:
    """An examiner approved (核准) an application whose decision holds permits the
    department did not confirm: from now on they are relied on as *checked by that
    examiner*. Call inside the approval's transaction; returns the permits so marked."""
    if decision is None:
        return []
    unchecked = list(decision.permit_checks.filter(checked_by=""))
    now = timezone.now()
    for row in unchecked:
        row.checked_by, row.examiner, row.examined_at = (
            PermitCheck.CheckedBy.EXAMINER, examiner, now)
    PermitCheck.objects.bulk_update(unchecked, ["checked_by", "examiner", "examined_at"])
    return unchecked


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
