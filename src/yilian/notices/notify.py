"""Milestone texts (办理进度短信): the applicant is told at every milestone.

Each function is called by the service that makes the transition, inside its
transaction (a one-line hook), so a text exists exactly when the milestone committed.
Each milestone has an idempotency key — (application, milestone, n) — so a retried step,
a worker that reclaims one, or a re-run of the same transition never texts twice; ``n``
tells apart milestones that may come again (the n-th return for correction is keyed by
the submission it answers; a party's confirmation by the version of the form it binds).

What a text says (docs/DECISIONS.md, "Milestone texts"): Yilian's own words, our
reference numbers and a link to the applicant's page under ``YILIAN_PUBLIC_URL`` —
never anything an applicant typed (no company name: the application is named by its
number, the tail of its acceptance notice's). The one exception is staff text: a return
for correction or a refusal carries the start of the examiner's reason (written by an
accountable, audited member of staff) and links to the whole of it.

Who is told: the applicant's own number — the account's, when it signed in by phone
(applicant accounts are their mobile number); for an account without one (a password
account such as the demo's), the application's liaison (联络员) once the identity
service has checked their number (they were invited or confirmed). Nobody else.

Texts are written in Chinese only: they go to mainland mobile numbers, and the page the
link opens speaks the reader's language.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from yilian.db import prepared
from yilian.notices import outbox

PREFIX = "【一链】"
REASON_CHARS = 40  # of the examiner's reason; the link shows the whole of it


# --- the milestones ---------------------------------------------------------------------

def decided(application) -> None:
    """Whatever a submission or a review decided: accepted, returned or rejected (in
    review is not a milestone: the applicant is on the page that says so)."""
    handler = {"accepted": accepted, "returned": returned,
               "rejected": rejected}.get(str(application.status))
    if handler is not None:
        handler(application)


def accepted(application) -> None:
    """受理 — the chain starts; the promise runs from now."""
    _send(application, "accepted", "accepted",
          f"{_about(application)}已受理，各部门正在一链办理，预计{_promise()}内办结。"
          f"查看进度：{_link(application)}")


def returned(application) -> None:
    """退回补正 — with the start of the reason, once per submission it answers."""
    _send(application, "returned", f"returned:{_stamp(application.submitted_at)}",
          f"{_about(application)}需要补正：{_reason(application)}请修改后重新提交："
          f"{_link(application)}")


def rejected(application) -> None:
    """不予受理 — final, with the start of the reason."""
    _send(application, "rejected", "rejected",
          f"{_about(application)}不予受理：{_reason(application)}详情：{_link(application)}")


def party_confirmed(party) -> None:
    """实名确认 — a person named in the application confirmed it (told to the applicant;
    not when it is the applicant confirming their own part, nor at the counter, where
    the clerk saw the ID cards with the applicant there)."""
    from yilian.forms import parties as party_rules

    application = party.application
    to = recipient(application)
    if not to or _same_number(party.phone, to) or party.confirmed_via == "in_person":
        return
    states = [state for _p, state in party_rules.parties_of(application)]
    done, total = states.count("confirmed"), len(states)
    tail = (f"全部{total}人均已确认，可以提交申请了：" if done == total
            else f"已确认{done}/{total}人，查看：")
    _send(application, "party_confirmed",
          f"confirmed:{party.pk}:{party.form_digest[:16]}",
          f"{_about(application)}："
          f"{party_rules.role_labels(party.roles, application.org_form)}已完成实名确认，"
          f"{tail}{_link(application)}", to=to)


def step_done(application_id, code: str, outcome) -> None:
    """A department finished: the license, the seals and the bank appointment are the
    ones the applicant acts on (the rest are told once, when everything is done)."""
    handler = _STEP_DONE.get(code)
    if handler is not None:
        application = _application(application_id)
        handler(application, outcome.reference, outcome.data or {})


def _license_issued(application, reference: str, data: dict) -> None:
    _send(application, "license", "license",
          f"{_about(application)}已核准登记，统一社会信用代码{data.get('uscc', reference)}，"
          f"电子营业执照已签发。下载执照、添加到电子营业执照小程序：{_link(application)}")


def _seals_ready(application, reference: str, data: dict) -> None:
    count = len(data.get("seals") or [])
    if data.get("delivery") == "post":
        how = (f"已寄出，运单号{data['tracking_no']}" if data.get("tracking_no")
               else "将邮寄到住所")
    else:
        how = "请法定代表人凭身份证到刻章单位领取"
    _send(application, "seals", "seals",
          f"{_about(application)}：{count}枚印章已刻制并备案，{how}。详情：{_link(application)}")


def _bank_booked(application, reference: str, data: dict) -> None:
    when = " ".join(str(data[k]) for k in ("date", "time") if data.get(k))
    when = f"，{when}" if when else ""
    _send(application, "bank", "bank",
          f"{_about(application)}：银行开户已预约{when}，预约号{reference}。"
          f"请法定代表人携带身份证原件按时前往，网点见：{_link(application)}")


_STEP_DONE = {"registration": _license_issued, "seals": _seals_ready,
              "bank": _bank_booked}


def step_failed(application_id, step) -> None:
    """A step that stopped and waits for a person: the applicant learns of the delay
    (once per failure: a retry that fails again is a new one)."""
    from yilian.departments import registry

    application = _application(application_id)
    _send(application, "step_failed", f"failed:{step.code}:{step.attempts}",
          f"{_about(application)}：{registry.get(step.code).name_zh}暂未办成，已转工作人员处理，"
          f"如需您补充会另行通知。查看：{_link(application)}")


def completed(application_id) -> None:
    """办结 — every step done: the result page lists what to do next."""
    application = _application(application_id)
    _send(application, "completed", "completed",
          f"{_about(application)}已全部办结。执照、印章、发票、社保、公积金等办理结果和下一步："
          f"{_link(application)}")


# --- who, what, where -------------------------------------------------------------------

# Who is told, in one statement: milestone texts go out inside the chain's steps, where
# the ORM's query compilation cost more than the reads (docs/BENCHMARKS.md).
_ADDRESSEES = """
SELECT u.username, p.roles, p.phone, p.invited_at IS NOT NULL OR p.confirmed_at IS NOT NULL
  FROM forms_application a
  JOIN auth_user u ON u.id = a.owner_id
  LEFT JOIN forms_party p ON p.application_id = a.id
 WHERE a.id = %s
 ORDER BY p.position, p.id
"""


_read_once = threading.local()


@contextmanager
def texts_together() -> Iterator[None]:
    """Within the block (one transaction, which changes no party: a chain's steps
    recorded together), each application's recipient is read once, not once a text,
    and the texts are written together at its end (:func:`outbox.gathered`)."""
    if getattr(_read_once, "memo", None) is not None:
        yield
        return
    _read_once.memo = {}
    try:
        with outbox.gathered():
            yield
    finally:
        _read_once.memo = None


def recipient(application) -> str:
    """The number milestone texts go to, or ``""`` (see the module's docstring)."""
    memo = getattr(_read_once, "memo", None)
    if memo is None:
        return _recipient(application)
    if application.pk not in memo:
        memo[application.pk] = _recipient(application)
    return memo[application.pk]


def _recipient(application) -> str:
    from yilian.accounts.services import MOBILE

    with prepared.cursor() as cursor:
        cursor.execute(_ADDRESSEES, [outbox.db_id(application)])
        rows = cursor.fetchall()
    if not rows:
        return ""
    username = rows[0][0]
    if MOBILE.fullmatch(username):
        return username
    for _user, roles, phone, checked in rows:
        roles = json.loads(roles) if isinstance(roles, str) else roles or []
        if "contact" in roles and phone and checked:
            return phone.strip()
    return ""


def reference(application) -> str:
    """申请编号 — the tail of the acceptance notice's number (:mod:`yilian.forms.notice`),
    shown on the application's page too."""
    return application.pk.hex[:8].upper()


def link(application) -> str:
    """The applicant's page for this application, under the public URL."""
    from yilian.forms.notice import status_url

    return status_url(application)


def _send(application, kind: str, milestone: str, text: str, to: str = "") -> None:
    to = to or recipient(application)
    if to:
        outbox.put(to, PREFIX + text, application=application, kind=kind,
                   key=f"{application.pk}:{milestone}")


def _about(application) -> str:
    return f"您的企业开办申请（编号{reference(application)}）"


_link = link


def _reason(application) -> str:
    text = " ".join((application.review_comment or "").split())
    if len(text) > REASON_CHARS:
        text = text[:REASON_CHARS] + "…"
    return f"{text}。" if text and text[-1] not in "。.…！？" else text


def _promise() -> str:
    minutes = settings.SLA_SECONDS // 60
    return f"{minutes // 60}小时" if minutes % 60 == 0 else f"{minutes}分钟"


def _stamp(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y%m%d%H%M%S%f") if moment else "0"


def _same_number(a: str, b: str) -> bool:
    return "".join(ch for ch in a or "" if ch.isdigit())[-11:] == b[-11:]


def _application(application_id):
    """The application as a text needs it: its id, which names it (a text never carries
    what the applicant typed) and finds its page and its recipient."""
    from yilian.forms.models import Application

    return Application(pk=uuid.UUID(str(application_id)))
