"""双创统计 in a real browser: the zone administrator opens the dashboard of the running
demo (its seeded history), the charts are drawn, the picker swaps the figures in place,
and a table downloads as CSV that Excel reads as UTF-8."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests.e2e.browser import screenshot

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def open_dashboard(site, page) -> None:
    site.sign_in(page, "demo-admin")
    page.goto(site.url("/dashboard/"))
    assert page.locator("h1").inner_text() == "双创统计"


def drawn_bars(page, chart: str) -> list[dict]:
    """The bars of one chart as the browser laid them out (CSS pixels)."""
    return page.locator(f"#{chart} rect.bar").evaluate_all(
        "bars => bars.map(b => { const r = b.getBoundingClientRect();"
        " return {w: r.width, h: r.height}; })")


def test_the_administrator_sees_the_charts_and_downloads_a_table(site, desktop):
    open_dashboard(site, desktop)
    charts = desktop.locator("svg.chart-svg")
    # The parties' confirmations (issue 8), the two by kind (issue 12) beside the seven, and
    # changes, net growth and the two of changes and closings by kind (issue 13).
    assert charts.count() == 13
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        # A one-row bar chart is 32 px high: the demo confirms every party in person.
        assert box["width"] > 200 and box["height"] >= 32, charts.nth(i).get_attribute("id")
        assert charts.nth(i).locator("title").first.text_content()
    # The demo's history: every month so far has new enterprises, and the bars show it.
    months = drawn_bars(desktop, "chart-monthly")
    assert len(months) == 2 * dt.date.today().month
    assert all(b["w"] > 5 and b["h"] > 1 for b in months)
    assert sum(b["h"] > 1 for b in drawn_bars(desktop, "chart-durations")) >= 5
    assert len(drawn_bars(desktop, "chart-departments")) >= 6
    assert desktop.locator("#section-sections table tbody tr").count() == 20
    # By kind: every kind of the catalogue in the table; per month, individual businesses
    # (the second of three series) outnumber enterprises in the demo's mix.
    assert desktop.locator("#section-kinds table tbody tr").count() == 11
    bars = drawn_bars(desktop, "chart-entity-classes")
    assert len(bars) == 3 * dt.date.today().month
    assert sum(b["h"] for b in bars[1::3]) > sum(b["h"] for b in bars[0::3]) > 0
    screenshot(desktop, "desktop-dashboard")

    with desktop.expect_download() as download:
        desktop.locator("#section-monthly a", has_text="导出 CSV").click()
    data = download.value
    assert data.suggested_filename.startswith("yilian-monthly-")
    raw = open(data.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "月份" and rows[-1][0] == "合计"
    assert int(rows[-1][1]) > 100


def test_the_picker_swaps_the_figures_in_place(site, desktop):
    open_dashboard(site, desktop)
    last_year = str(dt.date.today().year - 1)
    with desktop.expect_response(lambda r: "year=" in r.url):
        desktop.locator("#id_year").select_option(last_year)
    desktop.locator(".dash-scope", has_text=last_year).wait_for()
    assert f"year={last_year}" in desktop.url
    # A whole past year: twelve months, each drawn for both years.
    assert len(drawn_bars(desktop, "chart-monthly")) == 24
    href = desktop.locator("#section-sections a", has_text="导出 CSV").get_attribute("href")
    assert f"year={last_year}" in href


def test_the_dashboard_on_a_phone(site, phone):
    open_dashboard(site, phone)
    assert phone.locator("svg.chart-svg").count() == 13
    assert all(b["h"] > 1 for b in drawn_bars(phone, "chart-employees"))
    # Nothing but the charts' own scroll boxes is wider than the screen.
    overflow = phone.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 375
    screenshot(phone, "phone-dashboard")
