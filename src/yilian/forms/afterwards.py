"""After registration: a change (变更登记, or a filing 备案) or a closing (注销登记) of an
enterprise in the register, through the same one form (docs/changes-and-closing.md).

Opening one copies the form that put the enterprise's current particulars in the register
— its establishment's, or its latest change's — into a new application of that purpose,
and keeps a snapshot of it (``Application.registered``): *what changes* is the difference
between the form as submitted and that snapshot, particular by particular. An enterprise
has one open change or closing at a time (``Application.open_on``, unique).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from yilian.audit.services import record, stream_for_application
from yilian.forms.models import ROW_FIELDS, Application, Purpose, Role
from yilian.registry.models import Enterprise, EnterpriseStatus, EventKind

#: The form's own particulars, as the register keeps them (the tables follow).
SCALARS = ("name", "org_form", "registered_capital", "domicile", "division_code",
           "industry_code", "business_scope", "operating_term_years", "composition",
           "parent_uscc", "audit_committee", "seals", "invoices", "bank_appointment",
           "permits", "pledges")

#: Particulars whose change is a change of registration (变更登记) and reissues the
#: license; a change of anything else only is a filing (备案: 市场主体登记管理条例第九条).
REGISTERED = frozenset({
    "name", "org_form", "registered_capital", "domicile", "division_code", "industry_code",
    "business_scope", "operating_term_years", "composition", "parent_uscc", "investors",
    f"people.{Role.LEGAL_REPRESENTATIVE}", f"people.{Role.PERSON_IN_CHARGE}",
    f"people.{Role.FAMILY_MEMBER}"})


class CannotOpen(Exception):
    """The enterprise cannot take a change or closing now; ``code`` names why."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def snapshot(application: Application) -> dict[str, Any]:
    """The form's particulars as plain JSON: each scalar, the investors and employees as
    lists of rows, and the people by role (``people.<role>``), so that a change of
    directors (filed) is told apart from a change of legal representative (registered)."""
    content: dict[str, Any] = {field: _plain(getattr(application, field)) for field in SCALARS}
    for table in ("investors", "employees"):
        content[table] = [{f: _plain(getattr(row, f)) for f in ROW_FIELDS[table]}
                          for row in _in_order(getattr(application, table).all())]
    by_role: dict[str, list] = {}
    for row in _in_order(application.people.all()):
        by_role.setdefault(f"people.{row.role}", []).append(
            {f: _plain(getattr(row, f)) for f in ROW_FIELDS["people"] if f != "role"})
    content.update(by_role)
    return content


def _in_order(rows) -> list:
    return sorted(rows, key=lambda row: (row.position, row.pk))


def changes(application: Application) -> dict[str, list]:
    """What a change application changes: each particular whose value differs from the
    register's, as ``[before, after]`` (empty for an establishment)."""
    if application.purpose != Purpose.CHANGE:
        return {}
    before, after = application.registered, snapshot(application)
    keys = sorted(set(before) | set(after))
    return {key: [before.get(key), after.get(key)] for key in keys
            if before.get(key) != after.get(key) and (before.get(key) or after.get(key))}


def is_filing_only(changed: dict[str, list]) -> bool:
    """备案: nothing the license prints or the register registers changed."""
    return not (set(changed) & REGISTERED)


def registered_form(enterprise: Enterprise) -> Application | None:
    """The application whose form holds the enterprise's particulars now: the latest one
    that changed or established it in the register (None for an imported enterprise)."""
    latest = (enterprise.events.filter(kind__in=(EventKind.ESTABLISHED, EventKind.CHANGED,
                                                 EventKind.FILED),
                                       application__isnull=False)
              .order_by("-at", "-pk").values_list("application_id", flat=True).first())
    if latest is None:
        return enterprise.application
    return Application.objects.get(pk=latest)


def open_change(enterprise: Enterprise, actor) -> Application:
    """变更: a new application for ``enterprise``, pre-filled with what is registered."""
    return _open(enterprise, actor, Purpose.CHANGE)


def open_closing(enterprise: Enterprise, actor) -> Application:
    """注销: a new closing application for ``enterprise`` (its route and declarations
    are the closing's own: :mod:`yilian.closing`)."""
    return _open(enterprise, actor, Purpose.CLOSE)


@transaction.atomic
def _open(enterprise: Enterprise, actor, purpose: str) -> Application:
    from yilian.forms import parties

    if enterprise.status != EnterpriseStatus.ACTIVE:
        raise CannotOpen("enterprise.not_active", "该市场主体不在存续状态，不能办理",
                         "the enterprise is not active (存续): nothing can be applied for")
    source = registered_form(enterprise)
    if source is None:
        raise CannotOpen("enterprise.not_registered_here",
                         "该市场主体不是通过本系统登记的，请到窗口办理",
                         "the enterprise was not registered through Yilian; apply at the "
                         "counter")
    copy = Application(owner=source.owner, purpose=purpose, subject=enterprise,
                       uscc=enterprise.uscc, form_version=source.form_version,
                       **{field: getattr(source, field) for field in SCALARS})
    try:
        with transaction.atomic():
            copy.open_on = enterprise
            copy.save()
    except IntegrityError:
        raise CannotOpen("enterprise.open_application",
                         "该市场主体已有办理中的变更或注销申请",
                         "the enterprise already has a change or closing under way") from None
    for table in ROW_FIELDS:
        model = getattr(Application, table).rel.related_model
        model.objects.bulk_create([
            model(application=copy, position=row.position,
                  **{f: getattr(row, f) for f in ROW_FIELDS[table]})
            for row in _in_order(getattr(source, table).all())])
    copy.registered = snapshot(copy)
    copy.save(update_fields=["registered"])
    parties.sync(copy, actor)
    record(stream_for_application(copy.pk), f"application.{purpose}_opened", actor=actor,
           data={"uscc": enterprise.uscc, "from": str(source.pk)})
    return copy


def release(application: Application) -> None:
    """The enterprise may take another change or closing: this one ended (registered,
    withdrawn, rejected or expired)."""
    if application.open_on_id is None and application.purpose == Purpose.ESTABLISH:
        return  # an establishment holds no enterprise: no statement to spend
    Application.objects.filter(pk=application.pk, open_on__isnull=False).update(open_on=None)
    application.open_on = None


def departments_to_tell(application: Application) -> tuple[str, ...]:
    """A change's departments after registration: each that holds (``Department.reads``)
    a particular that changed and that the enterprise deals with — its kind's steps and
    those its form (as changed) chooses: a unit with no staff has no social insurance
    account to move — in the registry's order."""
    from yilian.departments import registry, steps

    changed = set(changes(application))
    dealt_with = set(steps.establishment_codes(application))
    return tuple(code for code, department in registry.departments().items()
                 if code != "registration" and code in dealt_with
                 and changed & set(department.reads))


def departments_to_close(application: Application) -> tuple[str, ...]:
    """A closing's departments before registration: every department the enterprise's
    establishment was registered with, in the registry's order."""
    from yilian.chain.models import Step
    from yilian.departments import registry

    enterprise = application.subject
    asked = set(Step.objects.filter(chain__application_id=enterprise.application_id)
                .values_list("code", flat=True)) if enterprise else set()
    return tuple(code for code in registry.departments()
                 if code != "registration" and code in asked)


def payload_extra(application: Application, code: str,
                  changed: dict[str, list] | None = None) -> dict[str, Any]:
    """What a change's or closing's payload adds to the department's own: the register's
    code and, for a change, the changed particulars this department holds (``changed``:
    :func:`changes`, when the caller has it for every department)."""
    from yilian.departments import registry

    extra: dict[str, Any] = {"uscc": application.uscc}
    if application.purpose == Purpose.CHANGE:
        changed = changes(application) if changed is None else changed
        reads = set(registry.get(code).reads)
        extra["changes"] = {key: value for key, value in changed.items()
                            if code == "registration" or key in reads}
    return extra


def needs_consent(application: Application, party) -> bool:
    """Whether ``party`` must confirm ``application`` before it is submitted: everyone
    for an establishment; for a change or a closing, those whose consent the law
    requires for it (:mod:`yilian.forms.changes`, :mod:`yilian.closing.services`)."""
    if application.purpose == Purpose.CHANGE:
        from yilian.forms import changes as change_rules

        return change_rules.needs_consent(application, party)
    if application.purpose == Purpose.CLOSE:
        from yilian.closing import services as closing

        return closing.needs_consent(application, party)
    return True


def accepted(application: Application, actor=None) -> None:
    """The application was accepted (受理): its chain starts — a closing's once its
    notice period allows (:func:`yilian.closing.services.accepted`)."""
    if application.purpose == Purpose.CLOSE:
        from yilian.closing import services as closing

        closing.accepted(application, actor)
        return
    from yilian.chain.services import start_chain

    start_chain(application, actor)
