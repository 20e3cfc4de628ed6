"""Submission checks for the one form (一表填报): everything, at once.

A draft may hold anything its types allow; :func:`check_application` is the gate to
submission. It returns *every* problem, each a field error (a ``field`` path such as
``investors[1].amount``, a rule ``code``, the reason in Chinese and in English), so the
applicant fixes the whole form in one pass instead of one error per round trip.

One module per part of the form: :mod:`.enterprise` (name, scope, the enterprise's own
fields), :mod:`.parties` (investors, people, employees), :mod:`.choices` (seals,
invoices, bank, and the permits and pledges given for scope entries); :mod:`._common`
holds what they share. :func:`check_name` and :func:`check_scope` also serve the
portal's live checks.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yilian.forms.models import Application
from yilian.forms.validation._common import Errors, check_id, check_money
from yilian.forms.validation.choices import (
    check_bank,
    check_invoices,
    check_permits_and_pledges,
    check_seals,
)
from yilian.forms.validation.enterprise import check_enterprise, check_name, check_scope
from yilian.forms.validation.parties import check_employees, check_investors, check_people

__all__ = ["Errors", "check_application", "check_id", "check_money", "check_name",
           "check_scope"]


def check_application(application: Application, today: dt.date | None = None) -> list[dict]:
    """Every reason ``application`` cannot be submitted yet; empty when it can.

    ``today`` (the local date in Asia/Shanghai by default) anchors ages, deadlines and
    the catalogues in force.
    """
    today = today or timezone.localdate()
    errors = Errors()
    errors.extend(check_name(application.name, application.org_form,
                             division_code=application.division_code,
                             owner=application.owner, industry_code=application.industry_code,
                             parent_uscc=application.parent_uscc,
                             # 变更: the enterprise's own entry is not in its way.
                             own_uscc=application.uscc if application.purpose == "change"
                             else ""))
    check_enterprise(errors, application)
    errors.extend(check_scope(application.business_scope, application.industry_code))
    check_investors(errors, application, today)
    check_people(errors, application, today)
    check_employees(errors, application, today)
    check_seals(errors, application.seals)
    check_invoices(errors, application.invoices)
    check_bank(errors, application.bank_appointment, today, application.division_code)
    check_permits_and_pledges(errors, application.business_scope, application.permits,
                              application.pledges, today)
    return list(errors)
