"""Actions on the one form (一表填报): save drafts, edit them, submit.

Views (the REST API, the portal's htmx pages) parse input and call these; nothing else
changes an application. ``check_*`` functions raise when an action is not allowed; the
verbs change state in one transaction and write the audit trail (审计日志) in it.

Input is *already typed* (``Decimal``, ``date``, lists of dicts whose keys are model
fields): parsing belongs to the caller's serializer or form, rules to
:mod:`yilian.forms.validation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from yilian.audit.services import record, stream_for_application
from yilian.forms import changes, declaration, industry, parties, places, validation
from yilian.forms.models import Application, Employee, Investor, Person, Purpose, Seal, Status
from yilian.notices import notify

# Plain fields an applicant sets on a draft; JSON choices are normalized first.
SCALAR_FIELDS = ("name", "org_form", "registered_capital", "domicile", "division_code",
                 "industry_code", "operating_term_years", "composition", "parent_uscc",
                 "audit_committee")
JSON_FIELDS = ("business_scope", "seals", "invoices", "bank_appointment", "permits", "pledges")
# Nested lists, each replaced wholesale when present; the list index is kept as
# ``position`` so that error paths such as ``people[2].id_number`` point at the input.
PARTIES: dict[str, type[models.Model]] = {
    "investors": Investor, "people": Person, "employees": Employee,
}


class NotEditable(Exception):
    """Only drafts and applications returned for correction (退回补正) can change."""

    code = "application.not_editable"

    def __init__(self, application: Application) -> None:
        status = application.public_status()
        label = Status(application.status).label
        self.message_zh = f"申请已处于“{label}”状态，只有草稿或退回补正的申请可以修改或提交"
        self.message_en = (f"the application is {status}; only drafts and returned "
                           "applications can be edited or submitted")
        super().__init__(self.message_en)


class InvalidApplication(Exception):
    """Submission refused; ``errors`` lists every field error at once."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(f"{len(errors)} field error(s)")
        self.errors = errors


def application_queryset() -> QuerySet[Application]:
    """Applications with everything their representation reads, parties in form order."""
    return _with_parties(Application.objects.select_related("chain")).prefetch_related(
        "chain__steps")


def visible_to(user) -> QuerySet[Application]:
    """The applications ``user`` may read, by role: :mod:`yilian.forms.access`."""
    from yilian.forms import access

    return access.visible_to(user)


def check_can_edit(application: Application, user) -> None:
    """The owner alone edits and submits. Staff may read others' applications, but they
    act on them through the workbench's own actions (return, approve), never by editing
    the applicant's form."""
    if application.owner_id != user.pk:
        raise PermissionDenied("only the applicant may change this application")
    if not application.editable:
        raise NotEditable(application)


@transaction.atomic
def create_draft(owner, data: Mapping[str, Any]) -> Application:
    """Save a new draft (草稿); every part of the form is optional."""
    application = Application(owner=owner)
    _apply(application, data)
    application.save()
    _replace_parties(application, data)
    record(stream_for_application(application.pk), "application.draft_created", actor=owner,
           data={"fields": sorted(data)})
    _sync_parties(application, data, owner)
    return application


class ChangedElsewhere(Exception):
    """The form changed since the version an edit builds on (another tab, the counter,
    a button's save that overtook an autosave): the edit is refused, not merged."""

    code = "application.changed_elsewhere"
    message_zh = "表单已在别处修改，请刷新页面后再继续"
    message_en = "the form was changed elsewhere; reload the page to go on"


@transaction.atomic
def update_draft(application: Application, actor, data: Mapping[str, Any], *,
                 version: dt.datetime | None = None) -> Application:
    """Change the parts of a draft present in ``data``; lists present replace the old.
    With ``version`` (the ``updated_at`` the edit builds on), refuse with
    :class:`ChangedElsewhere` when the draft changed since — checked under the row lock."""
    application = _locked(application)
    check_can_edit(application, actor)
    if version is not None and application.updated_at != version:
        raise ChangedElsewhere()
    _apply(application, data)
    application.save()
    _replace_parties(application, data)
    record(stream_for_application(application.pk), "application.draft_updated", actor=actor,
           data={"fields": sorted(data)})
    _sync_parties(application, data, actor)
    return application


def submit_application(application: Application, actor,
                       pledge: declaration.Pledge | None = None) -> Application:
    """Submit (提交): check everything, decide admission, act on it — atomically.

    ``pledge`` is the confirmed pledge of truthfulness (承诺书,
    :mod:`yilian.forms.declaration`), recorded on the application; without one the
    submission itself is the pledge, made by ``actor`` through the API (``api``) — the
    pages ask for the checkbox first (:meth:`declaration.Pledge.confirmed`).

    Raises :class:`InvalidApplication` with every field error, :class:`NotEditable`, or
    ``PermissionDenied``. Otherwise the admission rules (:mod:`yilian.rules`) decide:
    approve or pledge → accepted (受理) and the chain starts (a pledge also opens the
    department's post-verification); manual review → in review (also when a permit given
    is not confirmed by its issuing department: :mod:`yilian.rules.permits`); a missing
    prior permit → returned for correction (补正) saying which; prohibited → rejected with
    the basis. The name is held only when the outcome is accepted or in review.
    """
    # Imported here: the chain and the rules import the forms app.
    from yilian.closing import services as closing
    from yilian.forms import afterwards
    from yilian.rules import services as rules

    # The permits given are put to their issuing departments first, outside the
    # transaction: a slow department must not hold the application's lock (or, on
    # SQLite, every writer). The decision uses only answers that still fit the form, so
    # the caller's copy serves (not read again: the checks below read the form afresh,
    # under the lock); a copy already out of date only costs a question for nothing.
    check_can_edit(application, actor)
    permit_answers = rules.ask_about_permits(application)
    with transaction.atomic():
        application = _locked(application)
        check_can_edit(application, actor)
        application.owner = actor  # the same account (checked): its row is not read again
        synced = parties.sync(application, actor)
        # A closing's form is what the register holds: what it must declare is its own.
        errors = [*(closing.submission_errors(application)
                    if application.purpose == Purpose.CLOSE
                    else validation.check_application(application)),
                  *parties.pending_errors(application, synced)]
        if application.purpose == Purpose.CHANGE:  # 变更: something must change
            errors += changes.submission_errors(application)
        # Asked last, and only of a form that is otherwise ready: an outside service,
        # never asked for a form that would be refused anyway.
        errors = errors or parties.identity_errors(application)
        if errors:
            raise InvalidApplication(errors)
        decision = (closing.decision() if application.purpose == Purpose.CLOSE else
                    rules.decide_application(application, permit_answers=permit_answers))
        status = _STATUS_FOR[decision.outcome]
        _hold_or_release_name(application, status)
        now = timezone.now()
        application.seals = application.seals or list(Seal.values)  # the free set of four
        application.status = status
        application.submitted_at = now
        application.review_comment = "" if application.status == Status.ACCEPTED else \
            rules.summary(decision)
        application.return_reasons = []  # the examiner's, answered by this resubmission
        if application.status == Status.ACCEPTED:
            application.accepted_at = now
        pledge = pledge or declaration.Pledge(via=declaration.DeclarationVia.API, by=actor)
        pledged = declaration.record(application, pledge)
        application.save(update_fields=["seals", "status", "submitted_at", "accepted_at",
                                        "review_comment", "return_reasons", "updated_at",
                                        *pledged])
        record(stream_for_application(application.pk), "application.submitted", actor=actor,
               data={"status": application.status, "name": application.name,
                     "pledge": {"via": pledge.via, "by": getattr(pledge.by, "pk", None),
                                "edition": application.declaration_edition},
                     "org_form": application.org_form,
                     "registered_capital": str(application.registered_capital),
                     "form_version": application.form_version,
                     "decision": decision.as_dict()})
        if application.status == Status.ACCEPTED:
            rules.open_post_verifications(application, decision)
            afterwards.accepted(application, actor)
        notify.decided(application)
    return application


# A name is held only while a person or the chain is working on the application.
HOLDS_NAME = frozenset({Status.ACCEPTED, Status.IN_REVIEW})


def _hold_or_release_name(application: Application, status: str) -> None:
    """Reserve the name for this application while it is examined and registered, so that
    of any names that clash (every rule, the applicant's own other applications
    included) only one proceeds, however many are submitted at once; a submission that
    ends returned or rejected holds nothing."""
    from yilian.names import services as names

    if application.purpose == Purpose.CLOSE:
        return  # a closing holds no name: it stays the enterprise's (names freed later)
    if status not in HOLDS_NAME:
        release_name(application, status)
        return
    if not _new_name(application):  # a change keeping its name: the register holds it
        names.release_for(application, names.ReleaseReason.REPLACED)
        return
    try:
        names.reserve(application.name, application.division_code, application.owner,
                      application=application, industry_code=application.industry_code,
                      org_form=application.org_form, parent_uscc=application.parent_uscc,
                      own_uscc=application.uscc if application.purpose == Purpose.CHANGE
                      else "")
    except names.NameUnavailable as exc:
        raise InvalidApplication(exc.check.errors("name")) from exc


def _new_name(application: Application) -> bool:
    """Whether the application asks for a name: an establishment always; a change only
    when it changes the name (the registered one is the enterprise's already)."""
    if application.purpose != Purpose.CHANGE:
        return True
    return (application.registered or {}).get("name") != application.name


def release_name(application: Application, why: str) -> int:
    """Release the name ``application`` holds (``why``: the status it moved to, or
    ``registered``). Every transition out of accepted / in review calls this."""
    from yilian.forms import afterwards
    from yilian.names import services as names

    if why in ENDS_OPEN_APPLICATION:
        afterwards.release(application)
    return names.release_for(application, why)


#: The ends of a change or closing after which its enterprise may take another.
ENDS_OPEN_APPLICATION = frozenset({"registered", Status.WITHDRAWN, Status.REJECTED,
                                   Status.EXPIRED})


_STATUS_FOR = {
    "approve": Status.ACCEPTED,
    "pledge": Status.ACCEPTED,
    "manual_review": Status.IN_REVIEW,
    "wait_permit": Status.RETURNED,
    "refuse": Status.REJECTED,
}


def _locked(application: Application) -> Application:
    """Re-read the row under a lock (PostgreSQL; SQLite's IMMEDIATE transactions already
    serialize writers) so two submissions of one form cannot both pass the checks."""
    # The parties are read once here for the checks, the chain's payloads and the
    # answer alike (in form order, as the representation lists them); the chain too
    # (none, unless the form had one before), locking the application's row only.
    return (_with_parties(Application.objects.select_for_update(of=("self",)))
            .select_related("chain").get(pk=application.pk))


def _with_parties(queryset):
    in_order = ("position", "id")
    return queryset.prefetch_related(
        Prefetch("investors", Investor.objects.order_by(*in_order)),
        Prefetch("people", Person.objects.order_by(*in_order)),
        Prefetch("employees", Employee.objects.order_by(*in_order)))


def _apply(application: Application, data: Mapping[str, Any]) -> None:
    for field in SCALAR_FIELDS:
        if field in data:
            setattr(application, field, data[field])
    for field in JSON_FIELDS:
        if field in data:
            setattr(application, field, _jsonable(data[field]))
    _derive_industry(application, data)
    if "division_code" in data or "domicile" in data:
        errors = places.check_domicile(application.division_code, application.domicile)
        if errors:
            raise InvalidApplication(errors)


def _derive_industry(application: Application, data: Mapping[str, Any]) -> None:
    """行业代码 follows the main (first) business-scope entry's industry class when it is
    given: when the scope changes without a code, or nothing set one yet. A code sent
    (even blank) is kept as sent; the submission checks judge it."""
    if "industry_code" in data:
        return
    if "business_scope" in data or not application.industry_code:
        derived = industry.main_class(application.business_scope)
        if derived:
            application.industry_code = derived


def _replace_parties(application: Application, data: Mapping[str, Any]) -> None:
    for key, model in PARTIES.items():
        if key not in data:
            continue
        model.objects.filter(application=application).delete()
        model.objects.bulk_create([
            model(application=application, position=i, **dict(item))
            for i, item in enumerate(data[key])
        ])


def _sync_parties(application: Application, data: Mapping[str, Any], actor) -> None:
    """The people the form names are its parties (实名确认): after their rows change."""
    if "investors" in data or "people" in data:
        # Fresh rows: a prefetched list (update_draft's lock) would be the old one.
        parties.sync(Application.objects.get(pk=application.pk), actor)


def _jsonable(value: Any) -> Any:
    """Typed input back to JSON values (dates as ISO strings) for the JSON columns."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
