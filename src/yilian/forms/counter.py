"""一窗受理 — the window clerk fills in and submits the one form for an applicant at the
counter, online and offline together.

The application stays the applicant's own: it is created for (and owned by) the
applicant's account, found or made from their mobile number, and edited and submitted
through :mod:`yilian.forms.services` as the applicant — the owner check there is not
loosened. The clerk operates on their behalf, so every step here first writes an entry
with the clerk as the actor (``application.counter_*``, naming the applicant), in the
same transaction as the change it records: the trail holds both identities.

The clerk fills the form in the applicant's own step pages (the portal's, in counter mode:
:class:`yilian.portal.editors.CounterEditor`), parties included: a person present at the
counter shows their ID card and the clerk records it (现场核验身份证, audited); anyone
absent is sent their code as online — invitations are the applicant's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from yilian.accounts import roles
from yilian.accounts.permissions import has_role
from yilian.accounts.services import applicant_account, check_not_staff, normalize_phone
from yilian.audit.services import record, stream_for_application
from yilian.forms import consent, declaration, services
from yilian.forms.models import Application, Party, Status

CHANNEL = "counter"


def check_clerk(actor) -> None:
    if not has_role(actor, roles.CLERK, roles.EXAMINER):
        raise PermissionDenied("only window staff may act at the counter")


def applicant_for_phone(phone: str, clerk):
    """The applicant account for a mobile number, created (as an applicant, with no
    password: they sign in by phone later) the first time the number comes to the
    counter. Raises :class:`yilian.accounts.services.CodeError` for a bad number."""
    check_clerk(clerk)
    phone = normalize_phone(phone)
    with transaction.atomic():
        user, created = applicant_account(phone)
        if created:
            record(f"account:{user.pk}", "account.created_at_counter", actor=clerk,
                   data={"phone": phone})
    return user


def find_applicant(phone: str, clerk):
    """The applicant account of a mobile number, or ``None`` — a pure lookup, nothing is
    made. Raises :class:`~yilian.accounts.services.CodeError` for a bad number or a staff
    account's number (staff are never served as applicants)."""
    check_clerk(clerk)
    user = get_user_model().objects.filter(username=normalize_phone(phone)).first()
    check_not_staff(user)
    return user


def open_applications(applicant) -> QuerySet[Application]:
    """What the clerk can finish for this applicant: drafts and returned applications."""
    return applicant.applications.filter(status__in=[Status.DRAFT, Status.RETURNED])


def start(clerk, applicant, data: Mapping[str, Any]) -> Application:
    """Save a new draft for ``applicant`` from the clerk's (already parsed) input."""
    check_clerk(clerk)
    with transaction.atomic():
        application = services.create_draft(applicant, data)
        _audit(application, clerk, "application.counter_draft_created",
               fields=sorted(data))
    return application


def open_change(clerk, enterprise) -> Application:
    """变更 at the counter: open a change of ``enterprise`` for its owner (the applicant
    who registered it), pre-filled with what is registered. Raises
    :class:`~yilian.forms.afterwards.CannotOpen` as opening one online does."""
    from yilian.forms import afterwards

    check_clerk(clerk)
    with transaction.atomic():
        application = afterwards.open_change(enterprise, clerk)
        _audit(application, clerk, "application.counter_change_opened", uscc=enterprise.uscc)
    return application


def update(clerk, application: Application, data: Mapping[str, Any],
           version=None) -> Application:
    """Change the applicant's draft (or returned application) at the counter
    (``version``: as :func:`yilian.forms.services.update_draft`)."""
    check_clerk(clerk)
    with transaction.atomic():
        _audit(application, clerk, "application.counter_draft_updated", fields=sorted(data))
        return services.update_draft(application, application.owner, data, version=version)


def submit(clerk, application: Application,
           pledge: declaration.Pledge | None = None) -> Application:
    """Submit on the applicant's behalf. The pledge (承诺书) is the applicant's, signed on
    paper at the counter; the clerk records that it was (``pledge`` defaults to that:
    made ``counter``, recorded by the clerk). Raises what submission raises
    (:class:`~yilian.forms.services.InvalidApplication` with every field error, …)."""
    check_clerk(clerk)
    pledge = pledge or declaration.Pledge(via=declaration.DeclarationVia.COUNTER, by=clerk)
    with transaction.atomic():
        _audit(application, clerk, "application.counter_submitted", pledge=pledge.via)
        return services.submit_application(application, application.owner, pledge)


def invite(clerk, party: Party, client: str = "") -> Party:
    """Send a party their code and link for the applicant (the code goes to the party's
    phone, counted against the applicant's account). Raises what
    :func:`yilian.forms.consent.invite` raises."""
    check_clerk(clerk)
    with transaction.atomic():
        _audit(party.application, clerk, "application.counter_party_invited", party=party.pk)
        return consent.invite(party, party.application.owner, client)


def confirm_in_person(clerk, party: Party) -> Party:
    """现场核验身份证 — the clerk records that they saw this party's ID card at the counter
    and the party confirmed in person; the identity service is asked as for any party."""
    check_clerk(clerk)
    with transaction.atomic():
        _audit(party.application, clerk, "application.counter_identity_checked",
               party=party.pk, method="id_card_seen", roles=party.roles)
        return consent.confirm_in_person(party, clerk)


def confirm_everyone_present(clerk, application: Application) -> None:
    """Everyone the form names came to the counter together: record each ID card seen
    (each one audited on its own, as if the clerk pressed each button)."""
    from yilian.forms import parties

    for party, state in parties.parties_of(application):
        if state != "confirmed":
            confirm_in_person(clerk, party)


def _audit(application: Application, clerk, action: str, **data) -> None:
    owner = application.owner
    record(stream_for_application(application.pk), action, actor=clerk,
           data={"channel": CHANNEL, "on_behalf_of": owner.get_username(),
                 "applicant_id": owner.pk, **data})
