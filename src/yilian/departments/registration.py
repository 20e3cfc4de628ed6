"""设立登记 — registration by market regulation (市场监管).

Registration comes first: it allocates the unified social credit code that every other
department keys on, enters the enterprise in the register, and issues the electronic
business license. It refuses a name that clashes with the register by then (see
:meth:`RegistrationStep._check_name_is_free`). The USCC's serial is the ledger row's own
serial, allocated in the same transaction that records the registration;
``Enterprise.uscc`` is unique, so parallel registrations can never share a code.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from yilian.codes import uscc
from yilian.db import prepared
from yilian.departments.base import Outcome, PermanentError, StepRequest, person
from yilian.departments.simulator import SimulatedDepartment, local_today, stamp
from yilian.forms import particulars
from yilian.refdata import kinds
from yilian.registry import history


class RegistrationStep(SimulatedDepartment):
    """设立登记 — company registration; returns the USCC and enters the register."""

    code = "registration"
    name_zh = gettext_noop("设立登记")
    name_en = "Registration"
    after = ()

    def build_payload(self, application) -> dict[str, Any]:
        legal_rep = person(application, "legal_representative")
        return {
            "name": application.name,
            "org_form": application.org_form,
            "division_code": application.division_code,
            "industry_code": application.industry_code,
            "registered_capital": str(application.registered_capital),
            "legal_representative": legal_rep.name if legal_rep else "",
            # The kind's own particulars (经营者, 执行事务合伙人, 负责人 and 隶属企业 …).
            **particulars.for_registration(application),
        }

    def perform(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        """The register acts on every purpose in :meth:`act` itself."""
        return self.act(request, serial)

    def act(self, request: StepRequest, serial: int) -> tuple[str, dict[str, Any]]:
        payload = request.payload
        if payload.get("purpose", "establish") != "establish":
            # 变更 / 备案 / 注销: the register entry exists; its code stays.
            from yilian.registry import afterwards

            data = afterwards.apply(payload["purpose"], payload, request.application_id)
            return f"{payload['purpose'][:2].upper()}{stamp(serial)}", data
        self._check_name_is_free(payload)
        code = uscc.make(payload["division_code"], serial,
                         entity_type=kinds.entity_class(payload["org_form"]))
        established = local_today()
        enterprise_id = history.establish(
            code, payload["name"], payload["org_form"], payload["division_code"],
            payload["industry_code"], established, request.application_id)
        return code, {"uscc": code, "enterprise_id": enterprise_id,
                      "established": established.isoformat()}

    @staticmethod
    def _check_name_is_free(payload: dict[str, Any]) -> None:
        """The register is the last word: a name that now clashes with an enterprise in
        it (under any rule) is not entered twice. Checked under the name's lock, held
        until this transaction commits the new enterprise, so two registrations of
        clashing names cannot both pass; retrying will not help, a person must look."""
        from yilian.names import services as names

        if not payload["name"]:
            return  # an individual business may go without a name: nothing to clash
        conflicts = names.registered_conflicts(payload["name"], payload["division_code"],
                                               payload.get("industry_code", ""))
        if conflicts:
            first = conflicts[0]
            raise PermanentError(f"名称不予登记：{first.message_zh} / name not registered: "
                                 f"{first.message_en}")

    def finish(self, application_id, outcome: Outcome) -> None:
        """The register's code on the application, its name reservation released, the
        license issued — in SQL where the ORM cost more than the work: this runs in
        every chain (docs/BENCHMARKS.md)."""
        from yilian.forms.models import Application
        from yilian.forms.services import release_name
        from yilian.licenses.services import issue_registered

        application = Application(pk=Application._meta.pk.to_python(application_id))
        if "event" in outcome.data:  # a change, a filing or a closing
            from yilian.registry import afterwards

            afterwards.finish(application.pk, outcome.data)
            release_name(application, "registered")
            return
        with prepared.cursor() as cursor:
            cursor.execute(_REGISTERED, [
                outcome.data["uscc"], connection.ops.adapt_datetimefield_value(timezone.now()),
                Application._meta.pk.get_db_prep_value(application.pk, connection)])
        # The name is in the register now: the reservation has done its work.
        release_name(application, "registered")
        issue_registered(application.pk)


_REGISTERED = "UPDATE forms_application SET uscc = %s, updated_at = %s WHERE id = %s"
