"""The form's pickers (选择器): the place (province → city → district or zone → street)
and the industry in words, so that nobody types a GB/T 2260 or GB/T 4754 code.

Each picker works without JavaScript — its selects are submitted with the step's form
(an "update the choices" button, or "next") and the page comes back re-rendered — and,
with htmx, cascades live through the fragment views here. The codes are derived
(:mod:`yilian.forms.places`, :mod:`yilian.forms.industry`), shown, never typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yilian.accounts import roles
from yilian.accounts.permissions import role_required
from yilian.forms import industry, places
from yilian.refdata import divisions

_FILLERS = (roles.APPLICANT, roles.CLERK, roles.EXAMINER)
PICKED = ("province", "city", "county", "street")


@dataclass
class Place:
    """What the division picker shows: each level's options and choice, the derived
    code and the domicile's picked part."""

    provinces: list = field(default_factory=list)
    cities: list = field(default_factory=list)
    counties: list = field(default_factory=list)
    streets: list = field(default_factory=list)
    province: str = ""
    city: str = ""
    county: str = ""
    street: str = ""

    @property
    def levels(self) -> list[tuple[str, str, list, str]]:
        """(level, label, options, chosen) per select, province first."""
        return [("province", _("省"), self.provinces, self.province),
                ("city", _("市"), self.cities, self.city),
                ("county", _("区县或开发区"), self.counties, self.county),
                ("street", _("街道或乡镇"), self.streets, self.street)]

    @property
    def code(self) -> str:
        """行政区划代码: the deepest division picked (the street has no 6-digit code)."""
        return self.county or self.city or self.province

    @property
    def complete(self) -> bool:
        return bool(self.county) or (bool(self.city) and not self.counties)

    @property
    def prefix(self) -> str:
        return places.prefix(self.code, self.street) if self.code else ""


def _options(items) -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in items]


def resolve(province: str = "", city: str = "", county: str = "", street: str = "") -> Place:
    """The picker for these choices; a choice not under the one above it (the province
    changed) is dropped, with everything below it."""
    place = Place(provinces=_options(d for d in divisions.all_divisions()
                                     if d.level == "province"))
    if divisions.division(province) and divisions.division(province).level == "province":
        place.province = province
        place.cities = _options(divisions.children(province))
    if place.province and any(city == c for c, _ in place.cities):
        place.city = city
        place.counties = _options(divisions.children(city))
    if place.city and any(county == c for c, _ in place.counties):
        place.county = county
        place.streets = [(s.code, s.name) for s in divisions.streets(county)]
    if place.county and any(street == s for s, _ in place.streets):
        place.street = street
    return place


def from_code(code: str, street: str = "") -> Place:
    """The picker preset to a saved division code (or the zone's)."""
    levels = {d.level: d.code for d in divisions.ancestry(code or "")}
    return resolve(levels.get("province", ""), levels.get("prefecture", ""),
                   levels.get("county") or levels.get("zone", ""), street)


def from_post(data) -> Place:
    return resolve(*(data.get(f"division-{level}", "") for level in PICKED))


@require_GET
@role_required(*_FILLERS)
def division_options(request: HttpRequest) -> HttpResponse:
    """The division picker again for the levels chosen so far (htmx cascade)."""
    return render(request, "portal/_division_picker.html",
                  {"place": from_post(request.GET), "errors": {}})


@require_GET
@role_required(*_FILLERS)
def industry_search(request: HttpRequest) -> HttpResponse:
    """Industry classes whose names match ``iq``, each with a pick button."""
    query = request.GET.get("iq", "").strip()
    return render(request, "portal/_industry_results.html",
                  {"iq": query, "industry_results": industry.search(query) if query else []})
