"""The page and its CSV exports: who may open them, what they hold."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests import factories
from tests.dashboard.build import enterprise
from yilian.accounts import roles
from yilian.dashboard import report

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year


def signed_in(client, role: str | None):
    user = factories.user()
    if role:
        roles.grant(user, role)
    client.force_login(user)
    return client


@pytest.fixture
def admin(client):
    return signed_in(client, roles.ADMIN)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(reverse("dashboard:export", args=["monthly"]))
    assert response.status_code == 302


@pytest.mark.parametrize("role", [None, roles.APPLICANT, roles.CLERK, roles.EXAMINER,
                                  roles.officer_group("tax")])
def test_no_one_but_the_zone_administrator(client, role):
    signed_in(client, role)
    assert client.get(reverse("dashboard:index")).status_code == 403
    assert client.get(reverse("dashboard:export", args=["monthly"])).status_code == 403


def test_the_administrator_sees_every_section_with_a_chart_and_a_table(admin):
    enterprise(dt.date(THIS_YEAR, 1, 10))
    response = admin.get(reverse("dashboard:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in report.SECTIONS:
        assert f'id="section-{name}"' in html
        assert reverse("dashboard:export", args=[name]) in html
    # monthly has the growth line too; changes the net growth; changes-kinds two charts
    assert html.count("<svg") == len(report.SECTIONS) + 3
    assert html.count('<table class="data dash-table">') == len(report.SECTIONS)
    assert "双创统计" in html and "威海火炬高技术产业开发区" in html


def test_every_chart_on_the_page_is_well_formed_svg(admin):
    enterprise(dt.date(THIS_YEAR, 1, 10))
    html = admin.get(reverse("dashboard:index")).content.decode()
    pieces = html.split("<svg")[1:]
    for piece in pieces:
        ET.fromstring("<svg" + piece.split("</svg>")[0] + "</svg>")


def test_the_picker_chooses_year_and_division(admin):
    enterprise(dt.date(THIS_YEAR - 1, 3, 1), division="371002")
    response = admin.get(reverse("dashboard:index"), {"year": THIS_YEAR - 1,
                                                      "division": "371000"})
    assert response.context["scope"].year == THIS_YEAR - 1
    assert response.context["scope"].division == "371000"
    monthly = response.context["sections"]["monthly"].table
    assert monthly.rows[2][1] == 1 and monthly.total[1] == 1


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": "1900"}, {"division": "999999"}])
def test_a_bad_query_falls_back_to_this_year_in_the_zone(admin, query):
    response = admin.get(reverse("dashboard:index"), query)
    assert response.status_code == 200
    assert (response.context["scope"].year, response.context["scope"].division) == (
        THIS_YEAR, "371071")


def read_csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_export_of_the_monthly_table(admin):
    for day in (dt.date(THIS_YEAR - 1, 1, 3), dt.date(THIS_YEAR - 1, 1, 4),
                dt.date(THIS_YEAR - 2, 1, 5)):
        enterprise(day)
    response = admin.get(reverse("dashboard:export", args=["monthly"]),
                         {"year": THIS_YEAR - 1})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="yilian-monthly-{THIS_YEAR - 1}-371071.csv"')
    rows = read_csv(response)
    assert rows[0] == ["月份", f"{THIS_YEAR - 1}年", f"{THIS_YEAR - 2}年同期", "同比增长（%）"]
    assert rows[1] == ["1月", "2", "1", "100.0"]
    assert rows[2] == ["2月", "0", "0", ""]
    assert rows[-1] == ["合计", "2", "1", "100.0"]
    assert len(rows) == 1 + 12 + 1


@pytest.mark.parametrize("table", list(report.SECTIONS))
def test_every_table_exports_what_the_page_shows(admin, table):
    enterprise(dt.date(THIS_YEAR, 1, 10), industry="1499")
    rows = read_csv(admin.get(reverse("dashboard:export", args=[table])))
    page = admin.get(reverse("dashboard:index")).context["sections"][table].table
    assert rows[0] == page.header()
    assert len(rows) == 1 + len(page.rows) + (1 if page.total else 0)


def test_csv_of_sections_has_raw_numbers(admin):
    enterprise(dt.date(THIS_YEAR, 1, 10), industry="1499")
    rows = read_csv(admin.get(reverse("dashboard:export", args=["sections"])))
    assert ["C 制造业", "1", "100.0"] in rows
    assert ["A 农、林、牧、渔业", "0", "0.0"] in rows


def test_an_unknown_table_is_not_found(admin):
    assert admin.get("/dashboard/export/nothing.csv").status_code == 404


def test_the_page_in_english(admin, settings):
    enterprise(dt.date(THIS_YEAR, 1, 10), industry="1499")
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        html = admin.get(reverse("dashboard:index")).content.decode()
        rows = read_csv(admin.get(reverse("dashboard:export", args=["sections"])))
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the test client leaves it active
    assert "New market entities" in html and "C Manufacturing" in html
    assert "新设" not in html.split("<main")[1].split("</main>")[0]
    assert rows[0] == ["Industry section", "Enterprises", "Share (%)"]


def test_new_entities_by_kind_apart_and_together(admin):
    for form, n in [("individual_business", 7), ("llc_single_natural", 2), ("cooperative", 1)]:
        for _ in range(n):
            enterprise(dt.date(THIS_YEAR, 1, 10), org_form=form)
    response = admin.get(reverse("dashboard:index"))
    sections = response.context["sections"]
    classes = sections["entity-classes"].table
    assert classes.header() == ["月份", "企业", "个体工商户", "农民专业合作社", "市场主体合计"]
    assert classes.rows[0][1:] == [2, 7, 1, 10]
    assert classes.total[1:] == [2, 7, 1, 10] and classes.total[-1] == \
        sections["monthly"].table.total[1]
    by_kind = {row[0]: row[1:] for row in sections["kinds"].table.rows}
    assert by_kind["个体工商户"] == ["个体工商户", 7, 70.0]
    assert by_kind["有限责任公司（自然人独资）"] == ["企业", 2, 20.0]
    assert by_kind["股份有限公司"] == ["企业", 0, 0.0]
    html = response.content.decode()
    assert 'id="chart-entity-classes"' in html and 'id="chart-kinds"' in html
    cards = {k.label: (k.value, k.note) for k in response.context["kpis"]}
    assert cards["个体工商户"] == ("7", "占 70.0%") and cards["企业"] == ("2", "占 20.0%")
    rows = read_csv(admin.get(reverse("dashboard:export", args=["entity-classes"])))
    assert rows[1] == ["1月", "2", "7", "1", "10"] and rows[-1] == ["合计", "2", "7", "1", "10"]
    rows = read_csv(admin.get(reverse("dashboard:export", args=["kinds"])))
    assert ["个体工商户", "个体工商户", "7", "70.0"] in rows
