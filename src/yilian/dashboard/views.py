"""双创统计 — the zone administrator's dashboard: one page of statistics for a year and a
division, and each of its tables as CSV (UTF-8 with a byte-order mark, which is what
makes Excel read the Chinese correctly)."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render

from yilian.accounts import roles
from yilian.accounts.permissions import role_required
from yilian.dashboard import report
from yilian.dashboard.filters import read_scope


@role_required(roles.ADMIN)
def index(request):
    form, scope = read_scope(request.GET)
    sections = report.build(scope)
    return render(request, "dashboard/index.html", {
        "form": form, "scope": scope, "sections": sections,
        "kpis": report.kpis(sections),
        "export_query": urlencode({"year": scope.year, "division": scope.division}),
        "division_name": dict(form.fields["division"].choices)[scope.division],
    })


@role_required(roles.ADMIN)
def export(request, table: str):
    make = report.SECTIONS.get(table)
    if make is None:
        raise Http404(table)
    _form, scope = read_scope(request.GET)
    data = make(scope).table
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"yilian-{data.name}-{scope.year}-{scope.division or 'all'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(data.header())
    writer.writerows(data.csv_rows())
    return response
