"""退回补正 on the applicant's pages: the examiner's reasons, each opening the step at fault
with its fields marked.

The reasons an examiner picked are stored with the application
(``Application.return_reasons``, :mod:`yilian.forms.returns`): a code, the step, the
fields (JSON paths) and the words in Chinese and English. Here they become links
(the step page, anchored at the first field) and, on that step page, field errors — so
each field at fault is marked beside its input, and listed in the page's error summary,
exactly as a submission check would be.
"""

from __future__ import annotations

from dataclasses import dataclass

from yilian import labels
from yilian.forms.models import Application, Status
from yilian.portal import steps


@dataclass(frozen=True)
class Correction:
    code: str
    text: str
    step_title: str
    url: str


def _stored(application: Application) -> list[dict]:
    if application.status != Status.RETURNED:
        return []
    return [r for r in application.return_reasons or [] if r.get("step") in steps.BY_SLUG]


def corrections(application: Application, editor) -> list[Correction]:
    """Each reason, in the reader's language, with the link that opens its step."""
    return [Correction(r["code"], labels.bilingual(r["zh"], r["en"]),
                       str(steps.BY_SLUG[r["step"]].title),
                       editor.step_url(application, r["step"]) + "#"
                       + steps.field_id((r.get("fields") or [""])[0]))
            for r in _stored(application)]


def first_url(application: Application, editor, fallback: str) -> str:
    """Where "correct and resubmit" goes: the first step at fault, else ``fallback``."""
    found = corrections(application, editor)
    return found[0].url if found else fallback


def field_errors(application: Application, slug: str) -> list[dict]:
    """The reasons' fields on step ``slug``, as field errors (code ``returned.<code>``)."""
    return [{"field": field, "code": f"returned.{r['code']}", "message_zh": r["zh"],
             "message_en": r["en"]}
            for r in _stored(application) if r["step"] == slug
            for field in r.get("fields") or []]


def review_note(application: Application, editor) -> dict:
    """What the page says about a decision a person must act on: the examiner's reasons
    (linked), the rules' findings in words (not their summary's ids), a person's
    comment."""
    from yilian.rules import reading

    summary = reading.is_rules_summary(application)
    return {"corrections": corrections(application, editor),
            "findings": reading.findings_read(application) if summary else [],
            "comment": reading.persons_comment(application)}
