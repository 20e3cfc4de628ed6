"""Where the enterprise is (住所与行政区划): the division code follows from the place.

The applicant picks province → city → district or zone → street (乡镇/街道) and types
the street address; :func:`domicile` joins them into the domicile (住所) the form keeps,
and the division code (行政区划代码, GB/T 2260) is the picked district's or zone's — never
typed. The code decides the registration authority (登记机关), the name's conflict
index and the zone's statistics, so a code that disagrees with the domicile (the city's
371000 for an address in the zone, 371071) moved companies out of the zone:
:func:`check_domicile` refuses it wherever a code still arrives typed (the API).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from yilian.refdata import divisions


def zone() -> str:
    """The zone this deployment serves (``YILIAN_ZONE_DIVISION``): new forms start there."""
    return settings.ZONE_DIVISION


def prefix(division_code: str, street_code: str = "") -> str:
    """The domicile's picked part: 山东省威海市威海火炬高技术产业开发区怡园街道."""
    if not divisions.division(division_code):
        return ""
    street = divisions.street(street_code)
    street_name = street.name if street and street.county == division_code else ""
    return divisions.full_name(division_code) + street_name


def domicile(division_code: str, street_code: str, address: str) -> str:
    """住所: the picked divisions and the typed street address, as one string. An
    address that already starts with the picked part (pasted whole) is not doubled."""
    address = (address or "").strip()
    head = prefix(division_code, street_code)
    if not address or not head:
        return address
    picked = prefix(division_code)
    if address.startswith(head):
        return address
    if address.startswith(picked):
        return address
    return head + address


@dataclass(frozen=True)
class Parts:
    """A saved domicile taken apart again, to re-show the picker: the street picked (or
    "") and the address typed after it."""

    street: str
    address: str


def parts(division_code: str, saved: str) -> Parts:
    saved = saved or ""
    picked = prefix(division_code)
    if not picked or not saved.startswith(picked):
        return Parts("", saved)
    rest = saved[len(picked):]
    for street in divisions.streets(division_code):
        if rest.startswith(street.name):
            return Parts(street.code, rest[len(street.name):])
    return Parts("", rest)


def check_domicile(division_code: str, domicile_: str) -> list[dict]:
    """The division code against the divisions the domicile names: each district or
    zone named (else the most specific division named) must be the code's own division
    or one above it. Empty when they agree,
    or when either says nothing checkable (an unknown code is reported elsewhere)."""
    code = (division_code or "").strip()
    if not divisions.division(code):
        return []
    named = divisions.named_in(domicile_ or "")
    if not named:
        return []
    own = {d.code for d in divisions.ancestry(code)}
    specific = [d for d in named if d.level in ("county", "zone")] or [named[0]]
    elsewhere = [d for d in specific if d.code not in own]
    if not elsewhere:
        return []
    place = elsewhere[0]
    return [{"field": "division_code", "code": "division_code.domicile",
             "message_zh": f"住所位于{place.name}，行政区划代码应为{place.code}"
                           f"（{divisions.full_name(place.code)}），而不是{code}"
                           f"（{divisions.full_name(code)}）",
             "message_en": f"the domicile is in {place.name}, whose division code is "
                           f"{place.code}, not {code} ({divisions.full_name(code)})"}]
