"""An enterprise's history in the register (登记事项): what was registered, changed,
filed or closed, when, and through which application. Each event is written by the step
that makes it true, in that step's transaction; this module is the one place that
writes and reads them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from yilian.db import prepared
from yilian.registry.models import Enterprise, EnterpriseStatus, EventKind, RegistrationEvent

# The register's new entry and its first event in one statement (PostgreSQL): every
# chain's registration writes them, where the ORM's compilation of two inserts cost more
# than the database's work (docs/BENCHMARKS.md).
_ESTABLISH = f"""
WITH e AS (
INSERT INTO registry_enterprise (uscc, name, org_form, division_code, industry_code,
                                 established, application_id, source, status)
VALUES (%s, %s, %s, %s, %s, %s, %s, 'yilian', '{EnterpriseStatus.ACTIVE}')
RETURNING id)
INSERT INTO registry_registrationevent (enterprise_id, kind, at, application_id, changes)
SELECT e.id, '{EventKind.ESTABLISHED}', %s, %s, '{{}}' FROM e
RETURNING enterprise_id"""


def establish(uscc: str, name: str, org_form: str, division_code: str, industry_code: str,
              established: dt.date, application_id) -> int:
    """设立登记: enter a new enterprise registered through Yilian, with its first event;
    returns its id."""
    if connection.vendor != "postgresql":
        enterprise = Enterprise.objects.create(
            uscc=uscc, name=name, org_form=org_form, division_code=division_code,
            industry_code=industry_code, established=established,
            application_id=application_id)
        record_established(enterprise, application_id)
        return enterprise.pk
    with prepared.cursor() as cursor:
        cursor.execute(_ESTABLISH, [uscc, name, org_form, division_code, industry_code,
                                    established, application_id, timezone.now(),
                                    application_id])
        return cursor.fetchone()[0]


def record_established(enterprise: Enterprise, application_id, at: dt.datetime | None = None
                       ) -> RegistrationEvent:
    """设立登记: the first event of an enterprise registered through Yilian."""
    return RegistrationEvent.objects.create(
        enterprise=enterprise, kind=EventKind.ESTABLISHED, at=at or timezone.now(),
        application_id=application_id, changes={})


def record(enterprise: Enterprise, kind: str, application_id, changes: dict | None = None,
           at: dt.datetime | None = None) -> RegistrationEvent:
    """A change (变更), a filing (备案) or the closing (注销), with what changed."""
    return RegistrationEvent.objects.create(
        enterprise=enterprise, kind=kind, at=at or timezone.now(),
        application_id=application_id, changes=changes or {})


@dataclass(frozen=True)
class Entry:
    """One line of the history as shown: ``source`` says whether Yilian recorded it or
    it stands for what an imported register said (its establishment only)."""

    kind: str
    at: dt.datetime | dt.date | None
    application_id: Any
    changes: dict
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "kind_label": EventKind(self.kind).label,
                "at": self.at.isoformat() if self.at else None,
                "application": str(self.application_id) if self.application_id else None,
                "changes": self.changes, "source": self.source}


def timeline(enterprise: Enterprise) -> list[Entry]:
    """Every event, oldest first. An imported enterprise, whose earlier history Yilian
    never saw, starts with its establishment as the source register dated it."""
    entries = [Entry(e.kind, e.at, e.application_id, e.changes, "yilian")
               for e in enterprise.events.all()]
    if not any(e.kind == EventKind.ESTABLISHED for e in entries):
        entries.insert(0, Entry(EventKind.ESTABLISHED, enterprise.established, None, {},
                                enterprise.source))
    return entries
