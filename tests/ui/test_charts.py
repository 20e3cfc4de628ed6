"""The SVG charts: valid XML, accessible, proportional, labelled, and calm when empty."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from yilian import charts

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def bars(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//s:rect[@class='bar']", NS)


def texts(root: ET.Element, cls: str) -> list[str]:
    return [t.text for t in root.findall(f".//s:text[@class='{cls}']", NS)]


def test_a_bar_chart_is_accessible_svg_with_labels():
    root = parse(charts.bar_chart("c1", ["1月", "2月"], [3, 6], title="新设", desc="每月户数"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find("s:title", NS).text == "新设" and root.find("s:desc", NS).text == "每月户数"
    assert root.find("s:title", NS).get("id") == "c1-title"
    assert texts(root, "axis-label") == ["1月", "2月"]
    assert texts(root, "bar-value") == ["3", "6"]
    assert [b.find("s:title", NS).text for b in bars(root)] == ["1月: 3", "2月: 6"]


@pytest.mark.parametrize("values", [[10, 20, 40], [1, 1, 1], [0, 5, 2.5], [7, 700, 70]])
def test_bar_heights_are_proportional_to_the_values(values):
    root = parse(charts.bar_chart("c", list("abc"), values, title="t", desc="d"))
    heights = [float(b.get("height")) for b in bars(root)]
    top = max(values)
    assert max(heights) > 100
    for h, v in zip(heights, values, strict=True):
        assert h == pytest.approx(max(heights) * v / top, abs=0.1)
    # Every bar stands on the same baseline.
    bottoms = {round(float(b.get("y")) + float(b.get("height")), 1) for b in bars(root)}
    assert len(bottoms) == 1


def test_year_on_year_columns_draw_each_series_with_a_legend():
    root = parse(charts.columns("yoy", ["1月", "2月", "3月"],
                                [charts.Series("2025", [4, 8, 2]),
                                 charts.Series("2024", [2, 4, 0], charts.PALE_BLUE)],
                                title="t", desc="d"))
    drawn = bars(root)
    assert len(drawn) == 6
    assert [b.get("fill") for b in drawn[:2]] == [charts.BLUE, charts.PALE_BLUE]
    assert float(drawn[0].get("height")) == pytest.approx(2 * float(drawn[1].get("height")))
    assert float(drawn[5].get("height")) == 0
    assert "2025" in [t.text for t in root.findall(".//s:text", NS)]
    assert len(root.findall(".//s:rect[@class='legend-key']", NS)) == 2
    assert drawn[0].find("s:title", NS).text == "1月 2025: 4"


def test_a_histogram_highlights_the_bins_past_the_promise():
    root = parse(charts.histogram("h", ["≤1", "1–60", ">60"], [5, 10, 1], highlight=[2],
                                  title="t", desc="d"))
    assert [b.get("fill") for b in bars(root)] == [charts.BLUE, charts.BLUE, charts.AMBER]
    xs = [(float(b.get("x")), float(b.get("width"))) for b in bars(root)]
    assert xs[1][0] - (xs[0][0] + xs[0][1]) < 0.1 * xs[0][1]  # bins (nearly) touch


def test_horizontal_bars_widths_scale_and_long_labels_are_clipped():
    long = "I 信息传输、软件和信息技术服务业以及一个非常非常长的名字"
    root = parse(charts.horizontal_bars("s", ["C 制造业", long], [30, 60], title="t", desc="d"))
    widths = [float(b.get("width")) for b in bars(root)]
    assert widths[1] == pytest.approx(2 * widths[0], abs=0.1)
    labels = texts(root, "axis-label")
    assert labels[0] == "C 制造业" and labels[1].endswith("…") and len(labels[1]) < len(long)
    assert bars(root)[1].find("s:title", NS).text == f"{long}: 60"  # the full name stays


def test_horizontal_bars_on_a_fixed_scale_for_percentages():
    root = parse(charts.horizontal_bars("p", ["a", "b"], [50, 100], max_value=100,
                                        value_labels=["50.0%", "100.0%"], title="t", desc="d"))
    widths = [float(b.get("width")) for b in bars(root)]
    assert widths[0] == pytest.approx(widths[1] / 2, abs=0.1)
    assert texts(root, "bar-value") == ["50.0%", "100.0%"]


def test_a_line_chart_goes_below_zero_and_leaves_gaps():
    root = parse(charts.line_chart("g", ["1月", "2月", "3月", "4月", "5月"],
                                   [10.0, -10.0, None, 5.0, 20.0], name="同比",
                                   title="t", desc="d"))
    zero = float(root.find(".//s:line[@class='zero']", NS).get("y1"))
    points = root.findall(".//s:circle[@class='point']", NS)
    assert len(points) == 4
    ys = [float(p.get("cy")) for p in points]
    assert ys[0] < zero < ys[1]  # +10 above the zero line, -10 below
    assert zero - ys[0] == pytest.approx(ys[1] - zero, abs=0.1)
    assert len(root.findall(".//s:polyline", NS)) == 2  # the missing month breaks the line


@pytest.mark.parametrize("make", [
    lambda: charts.bar_chart("e", [], [], title="t", desc="d", empty="暂无数据"),
    lambda: charts.bar_chart("e", ["1月"], [0], title="t", desc="d", empty="暂无数据"),
    lambda: charts.horizontal_bars("e", [], [], title="t", desc="d", empty="暂无数据"),
    lambda: charts.line_chart("e", ["1月"], [None], title="t", desc="d", empty="暂无数据"),
])
def test_empty_data_says_so(make):
    root = parse(make())
    assert texts(root, "no-data") == ["暂无数据"]
    assert all(float(b.get("height")) == 0 or float(b.get("width")) == 0 for b in bars(root))


def test_text_is_escaped():
    root = parse(charts.bar_chart('x"<', ["<A&B>"], [1], title="a<b", desc="c&d"))
    assert texts(root, "axis-label") == ["<A&B>"]
    assert root.find("s:title", NS).text == "a<b"


def test_numbers_read_plainly():
    assert charts.number(1234) == "1,234" and charts.number(2.25) == "2.2"
    assert charts.number(3.0) == "3"


def test_gantt_places_each_step_on_one_clock():
    spans = [charts.Span("设立登记", 0.0, 1.0, "done"), charts.Span("印章刻制", 1.0, 3.0, "done"),
             charts.Span("社保登记", 1.0, None, "running"), charts.Span("公积金登记", None, None,
                                                                   "pending")]
    svg = ET.fromstring(str(charts.gantt("g", spans, span=4.0, title="t", desc="d")))
    bars = [e for e in svg.findall(".//s:rect", NS) if "bar" in e.get("class", "")]
    assert len(bars) == 3  # a step not started has a label and no bar
    x = [float(b.get("x")) for b in bars]
    w = [float(b.get("width")) for b in bars]
    assert x[1] == pytest.approx(x[0] + w[0])  # seals start where registration ended
    assert w[1] == pytest.approx(2 * w[0])
    assert x[2] + w[2] == pytest.approx(x[0] + 4 * w[0])  # open bar runs to the clock's end
    assert "4.0 s" in [t.text for t in svg.findall(".//s:text", NS)]


@pytest.mark.parametrize(("value", "shown"), [(0.42, "420 ms"), (1.5, "1.5 s"), (12, "12 s"),
                                              (210, "3.5 min"), (4.5 * 3600, "4.5 h")])
def test_seconds_labels(value, shown):
    assert charts.seconds(value) == shown
