"""Issuing the electronic business license (电子营业执照) and pointing at its files.

:func:`issue_license` runs inside the chain engine's registration transaction, so it only
builds the content, signs it and saves one row (a few milliseconds); the PDF is rendered
later, on first download (:mod:`yilian.licenses.pdf`). The license exists exactly when the
registration does: if the transaction rolls back, so does the license.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from yilian.audit import services as audit
from yilian.codes import divisions
from yilian.db import prepared
from yilian.forms import particulars
from yilian.licenses import rows, signing
from yilian.licenses.models import License, LicenseStatus
from yilian.refdata import kinds

SCHEMA = signing.LICENSE_SCHEMA
# The layout by kind lives in rows; its names are re-exported for the callers of old.
LABELS = rows.LABELS
labels_for = rows.labels_for


def format_capital(amount: Decimal | None) -> str:
    """Registered capital in 万元 (ten thousand yuan), as licenses print it: "50万元"."""
    if amount is None:
        return ""
    wan = (Decimal(amount) / Decimal(10000)).normalize()
    return f"{wan:f}万元"


def format_date(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28) + dt.timedelta(days=1)


def operating_term(start: dt.date, years: int | None) -> str:
    """营业期限: from the date of establishment, for ``years`` or for good (长期)."""
    if not years:
        return f"{format_date(start)} 至 长期"
    end = _add_years(start, years) - dt.timedelta(days=1)
    return f"{format_date(start)} 至 {format_date(end)}"


def registration_authority(division_code: str) -> str:
    """登记机关: the market regulation bureau (市场监督管理局) of the division."""
    return f"{divisions.name(division_code) if division_code else ''}市场监督管理局"


def build_fields(application, enterprise, issued_on: dt.date,
                 legal_representative: str | None = None,
                 shareholders: list[kinds.Shareholder] | None = None) -> dict[str, str]:
    """The license content, from the application and its register entry (and the legal
    representative's name and the shareholders, when the caller has read them already:
    :func:`kinds.type_label`): the rows of the
    application's kind (:mod:`yilian.licenses.rows`), who issued it and when, and the
    kind itself, which says how to lay it out."""
    kind = rows.kind_of({"kind": application.org_form})
    established = enterprise.established or issued_on
    scope = application.business_scope or []

    def legal_rep() -> str:
        if legal_representative is not None:
            return legal_representative
        return (application.people.filter(role="legal_representative")
                .order_by("position", "id").values_list("name", flat=True).first() or "")

    values = {
        "uscc": lambda: enterprise.uscc,
        "name": lambda: enterprise.name or application.name,
        "type": lambda: (kinds.type_label(application, shareholders).zh if kind else
                         application.get_org_form_display() if application.org_form
                         else enterprise.org_form),
        "legal_representative": legal_rep,
        "registered_capital": lambda: format_capital(application.registered_capital),
        "established": lambda: format_date(established),
        "operating_term": lambda: operating_term(established,
                                                 application.operating_term_years),
        "domicile": lambda: application.domicile,
        "premises": lambda: application.domicile,
        "business_scope": lambda: "；".join(str(item).strip() for item in scope
                                           if str(item).strip()),
        "operator": lambda: particulars.operator(application),
        "investor": lambda: particulars.operator(application),
        "composition": lambda: particulars.composition(application),
        "managing_partner": lambda: particulars.managing_partner_line(application),
        "person_in_charge": lambda: particulars.responsible(application),
        "registration_authority": lambda: registration_authority(
            enterprise.division_code or application.division_code),
        "issued": lambda: format_date(issued_on),
    }
    printed = rows.labels_for({"kind": kind.code} if kind else {})
    fields = {key: values[key]() for key in printed}
    if kind is not None:
        fields["kind"] = kind.code
    return fields


def issue_license(application, enterprise) -> License:
    """Build, sign and save the license; call inside the registration transaction.
    Issuing twice for one application returns the license already issued. An enterprise
    that has a license already gets the next version (变更换照), and the one in force
    until now is superseded in the same transaction."""
    existing = License.objects.filter(application=application).first()
    if existing is not None:
        return existing
    now = timezone.now()
    older = License.objects.select_for_update().filter(enterprise=enterprise)
    version = 1 + max((lic.version for lic in older), default=0)
    older.filter(status=LicenseStatus.CURRENT).update(status=LicenseStatus.SUPERSEDED,
                                                      ended_at=now)
    return _issue(application, enterprise, version=version, issued_at=now)


def revoke(enterprise, at: dt.datetime | None = None) -> int:
    """注销: the enterprise's license in force is revoked from ``at`` (its closing); call in
    the transaction that closes it. Returns how many rows changed (0 when none is in
    force, as for an imported enterprise)."""
    return (License.objects.filter(enterprise=enterprise, status=LicenseStatus.CURRENT)
            .update(status=LicenseStatus.REVOKED, ended_at=at or timezone.now()))


# What the license of a registration that just finished needs, in one statement: the
# registration's finish runs in every chain, where the ORM's query compilation cost more
# than the reads (docs/BENCHMARKS.md).
_FOR_LICENSE_ANY = """
SELECT a.name, a.org_form, a.registered_capital, a.operating_term_years, a.domicile,
       a.business_scope, a.division_code, a.composition, a.parent_uscc,
       e.id, e.uscc, e.name, e.org_form, e.established, e.division_code,
       (SELECT p.name FROM forms_person p
         WHERE p.application_id = a.id AND p.role = 'legal_representative'
         ORDER BY p.position, p.id LIMIT 1),
       (SELECT l.id FROM licenses_license l WHERE l.application_id = a.id),
       {shareholders}
  FROM forms_application a JOIN registry_enterprise e ON e.application_id = a.id
 WHERE a.id = %s
"""
# The shareholders in form order, as JSON pairs [kind, uscc] (the type rules' input).
_SHAREHOLDERS = {
    "postgresql": "(SELECT json_agg(json_build_array(i.kind, i.uscc) ORDER BY i.position, "
                  "i.id) FROM forms_investor i WHERE i.application_id = a.id)",
    "sqlite": "(SELECT json_group_array(json_array(kind, uscc)) FROM (SELECT i.kind, i.uscc "
              "FROM forms_investor i WHERE i.application_id = a.id ORDER BY i.position, "
              "i.id))",
}
_FOR_LICENSE = {vendor: _FOR_LICENSE_ANY.format(shareholders=sql)
                for vendor, sql in _SHAREHOLDERS.items()}


def issue_registered(application_id) -> None:
    """:func:`issue_license` for the application ``application_id``, registered (its
    enterprise is in the register): the same license, read in one statement."""
    from yilian.forms.models import Application
    from yilian.registry.models import Enterprise

    pk = Application._meta.pk.to_python(application_id)
    with prepared.cursor() as cursor:
        cursor.execute(_FOR_LICENSE[connection.vendor],
                       [Application._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        raise Enterprise.DoesNotExist(f"application {pk} has no registered enterprise")
    (name, org_form, capital, term, domicile, scope, division, composition, parent_uscc,
     enterprise_id, uscc, e_name, e_org_form, established, e_division,
     legal_rep, existing, shareholders) = row
    if existing is not None:
        return
    if isinstance(shareholders, str):  # SQLite's JSON is text
        shareholders = json.loads(shareholders)
    capital_field = Application._meta.get_field("registered_capital")
    application = Application(
        pk=pk, name=name, org_form=org_form, domicile=domicile, division_code=division,
        composition=composition, parent_uscc=parent_uscc,
        registered_capital=capital_field.from_db_value(capital, None, connection),
        operating_term_years=term,
        business_scope=json.loads(scope) if isinstance(scope, str) else scope)
    enterprise = Enterprise(
        pk=enterprise_id, uscc=uscc, name=e_name, org_form=e_org_form,
        division_code=e_division, application_id=pk,
        established=dt.date.fromisoformat(established) if isinstance(established, str)
        else established)
    _issue(application, enterprise, legal_rep or "",
           shareholders=[kinds.Shareholder(*pair) for pair in shareholders or ()])


_INSERT = ("INSERT INTO licenses_license (application_id, enterprise_id, uscc, version, status, "
           "fields, signed, key_id, issued_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
           "RETURNING id")


def _issue(application, enterprise, legal_representative: str | None = None, *,
           version: int = 1, issued_at: dt.datetime | None = None,
           shareholders: list[kinds.Shareholder] | None = None) -> License:
    issued_at = issued_at or timezone.now()
    fields = build_fields(application, enterprise, timezone.localdate(issued_at),
                          legal_representative, shareholders)
    signed = signing.sign({"schema": SCHEMA, **fields, "issued_at": issued_at.isoformat()})
    lic = License(application=application, enterprise=enterprise, uscc=enterprise.uscc,
                  version=version, status=LicenseStatus.CURRENT, fields=fields, signed=signed,
                  key_id=signed["signature"]["key_id"],
                  issued_at=issued_at)
    with prepared.cursor() as cursor:
        # The JSON as the ORM would have written it (json.dumps' defaults).
        cursor.execute(_INSERT, [
            type(application)._meta.pk.get_db_prep_value(application.pk, connection),
            enterprise.pk, lic.uscc, version, lic.status, json.dumps(fields),
            json.dumps(signed), lic.key_id,
            connection.ops.adapt_datetimefield_value(issued_at)])
        lic.pk = cursor.fetchone()[0]
    lic._state.adding = False
    audit.record(audit.stream_for_application(application.pk), "license.issued",
                 actor_label="registration",
                 data={"uscc": lic.uscc, "key_id": lic.key_id, "name": fields["name"],
                       **({"version": version} if version > 1 else {})})
    return lic


def _path(name: str, uscc: str) -> str:
    try:
        return reverse(name, kwargs={"uscc": uscc})
    except NoReverseMatch:  # routes not wired (e.g. a trimmed URLconf): the documented path
        return f"/api/v1/licenses/{uscc}/{name.rsplit('-', 1)[-1]}/"


def license_links(application, request=None) -> dict[str, str] | None:
    """Where the owner downloads the license, or None before it is issued. URLs are
    absolute when ``request`` is given."""
    uscc = (License.objects.filter(application_id=application.pk)
            .values_list("uscc", flat=True).first())
    if uscc is None:
        return None
    links = {"pdf_url": _path("license-pdf", uscc), "json_url": _path("license-json", uscc)}
    if request is not None:
        links = {key: request.build_absolute_uri(url) for key, url in links.items()}
    return links


def version_links(lic: License, request=None) -> dict[str, str]:
    """Where to download this very version of a license (``…/v{n}/pdf/``)."""
    links = {}
    for kind in ("pdf", "json"):
        try:
            links[f"{kind}_url"] = reverse(f"license-version-{kind}",
                                           kwargs={"uscc": lic.uscc, "version": lic.version})
        except NoReverseMatch:  # a trimmed URLconf: the documented path
            links[f"{kind}_url"] = f"/api/v1/licenses/{lic.uscc}/v{lic.version}/{kind}/"
    if request is not None:
        links = {key: request.build_absolute_uri(url) for key, url in links.items()}
    return links


def can_download(lic: License, user) -> bool:
    """The owner of the application and the roles that handle it
    (:func:`yilian.forms.access.can_read_license`); nobody else."""
    from yilian.forms.access import can_read_license

    return can_read_license(user, lic.application)
