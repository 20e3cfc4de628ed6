"""Charts drawn on the server as inline SVG (统计图): no JavaScript, no chart library.

Every chart is an ``<svg role="img">`` whose ``<title>`` and ``<desc>`` say what it shows
(screen readers read them; the page puts the same numbers in a table below), whose bars
are ``<rect class="bar">`` each with its own ``<title>`` (a tooltip, and a label for
assistive technology), and whose values and categories are real ``<text>``. The numbers
are the caller's: these functions only draw, so they are tested without a database.

- :func:`columns` — vertical bars, one or several series side by side (year on year);
- :func:`bar_chart` and :func:`histogram` — one series, as bars or as touching bins;
- :func:`horizontal_bars` — one bar per row, for long category names (industry sections);
- :func:`line_chart` — a rate over the months, around a zero line (year-on-year growth);
- :func:`gantt` — one bar per step of a chain on a shared clock from acceptance (进度图).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

INK, MUTED, GRID = "#1d2330", "#5b6475", "#d9dee7"
BLUE, PALE_BLUE, AMBER = "#1f5fbf", "#9db8e0", "#c77700"
GREEN, RED = "#1e7d32", "#b3261e"
STATUS_COLORS = {"done": GREEN, "running": BLUE, "retrying": AMBER, "failed": RED,
                 "pending": GRID, "waiting": PALE_BLUE}
FONT = 12


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    color: str = BLUE


def number(value: float) -> str:
    """A value as a chart label: whole numbers plainly, others to one decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def text_width(text: str, size: float = FONT) -> float:
    """Roughly how wide ``text`` sets: CJK a full em, anything else about half."""
    return sum(size if ord(c) > 0x2E80 else size * 0.58 for c in text)


def _clip(text: str, width: float, size: float = FONT) -> str:
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(chart_id: str, width: int, height: int, title: str, desc: str,
         body: list[str]) -> SafeString:
    cid = escape(chart_id)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" id="{cid}" class="chart-svg" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-labelledby="{cid}-title {cid}-desc" font-size="{FONT}" fill="{INK}">'
            f'<title id="{cid}-title">{escape(title)}</title>'
            f'<desc id="{cid}-desc">{escape(desc)}</desc>')
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 — every text escaped


def _empty(width: int, height: int, message: str) -> str:
    return (f'<text class="no-data" x="{width / 2}" y="{height / 2}" text-anchor="middle" '
            f'fill="{MUTED}">{escape(message)}</text>')


def columns(chart_id: str, labels: Sequence[str], series: Sequence[Series], *, title: str,
            desc: str, highlight: Sequence[int] = (), highlight_color: str = AMBER,
            value_labels: Sequence[str] | None = None, gap: float = 0.28,
            width: int = 640, height: int = 260, empty: str = "—") -> SafeString:
    """Vertical bars: one group per label, one bar per series in each group.

    Heights are proportional to the values (the axis starts at zero, so a bar twice as
    tall means twice as many). Categories whose index is in ``highlight`` are drawn in
    ``highlight_color`` (single series: bins past a promise, say). ``value_labels``
    (single series) replaces the numbers printed over the bars."""
    legend = 18 if len(series) > 1 else 0
    top, bottom, side = 18 + legend, 24, 6
    plot_h = height - top - bottom
    body = [f'<line x1="{side}" y1="{top + plot_h}" x2="{width - side}" y2="{top + plot_h}" '
            f'stroke="{GRID}"/>']
    if legend:
        x = side
        for s in series:
            body.append(f'<rect class="legend-key" x="{_f(x)}" y="2" width="12" height="12" '
                        f'fill="{s.color}"/>'
                        f'<text x="{_f(x + 16)}" y="12.5">{escape(s.name)}</text>')
            x += 28 + text_width(s.name)
    top_value = max((v for s in series for v in s.values), default=0)
    if not labels or top_value <= 0:
        body.append(_empty(width, top + plot_h / 2 + 6, empty))
    slot = (width - 2 * side) / max(len(labels), 1)
    bar_w = slot * (1 - gap) / max(len(series), 1)
    for i, label in enumerate(labels):
        x0 = side + i * slot + slot * gap / 2
        for k, s in enumerate(series):
            value = s.values[i]
            h = plot_h * value / top_value if top_value > 0 else 0
            x, y = x0 + k * bar_w, top + plot_h - h
            color = highlight_color if i in highlight else s.color
            shown = value_labels[i] if value_labels is not None else number(value)
            name = f"{label} {s.name}".strip() if len(series) > 1 else label
            body.append(f'<rect class="bar" x="{_f(x)}" y="{_f(y)}" width="{_f(bar_w)}" '
                        f'height="{_f(h)}" fill="{color}" data-value="{value}">'
                        f'<title>{escape(name)}: {escape(shown)}</title></rect>')
            if top_value > 0 and (len(series) == 1 or bar_w >= 16):
                body.append(f'<text class="bar-value" x="{_f(x + bar_w / 2)}" y="{_f(y - 4)}" '
                            f'text-anchor="middle" font-size="{10 if len(series) > 1 else 11}">'
                            f'{escape(shown)}</text>')
        body.append(f'<text class="axis-label" x="{_f(side + i * slot + slot / 2)}" '
                    f'y="{height - 7}" text-anchor="middle" fill="{MUTED}">{escape(label)}</text>')
    return _svg(chart_id, width, height, title, desc, body)


def bar_chart(chart_id: str, labels: Sequence[str], values: Sequence[float], *, title: str,
              desc: str, name: str = "", **options) -> SafeString:
    """One series of vertical bars (per month, say)."""
    return columns(chart_id, labels, [Series(name, values)], title=title, desc=desc,
                   **options)


def histogram(chart_id: str, labels: Sequence[str], counts: Sequence[int], *, title: str,
              desc: str, **options) -> SafeString:
    """A distribution: touching bins, labelled by their ranges."""
    return columns(chart_id, labels, [Series("", counts)], title=title, desc=desc,
                   gap=0.06, **options)


def horizontal_bars(chart_id: str, labels: Sequence[str], values: Sequence[float], *,
                    title: str, desc: str, value_labels: Sequence[str] | None = None,
                    max_value: float | None = None, width: int = 440, row: int = 24,
                    color: str = BLUE, empty: str = "—") -> SafeString:
    """One bar per row, label on the left, value at the bar's end; ``max_value`` fixes
    the scale (100 for percentages) instead of the largest value."""
    label_w = min(max((text_width(label) for label in labels), default=0) + 8, width * 0.42)
    value_w = max((text_width(v) for v in value_labels or ()), default=40) + 10
    plot_w = width - label_w - value_w - 4
    height = max(len(labels), 1) * row + 8
    top_value = max_value if max_value is not None else max(values, default=0)
    body: list[str] = []
    if not labels or top_value <= 0:
        body.append(_empty(width, height / 2 + 4, empty))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 4 + i * row
        w = plot_w * min(value, top_value) / top_value if top_value > 0 else 0
        shown = value_labels[i] if value_labels is not None else number(value)
        body.append(f'<text class="axis-label" x="{_f(label_w - 8)}" y="{_f(y + row / 2 + 4)}" '
                    f'text-anchor="end">{escape(_clip(label, label_w - 8))}</text>'
                    f'<rect class="bar" x="{_f(label_w)}" y="{_f(y + 3)}" width="{_f(w)}" '
                    f'height="{row - 6}" fill="{color}" data-value="{value}">'
                    f'<title>{escape(label)}: {escape(shown)}</title></rect>'
                    f'<text class="bar-value" x="{_f(label_w + w + 4)}" y="{_f(y + row / 2 + 4)}" '
                    f'fill="{MUTED}">{escape(shown)}</text>')
    return _svg(chart_id, width, height, title, desc, body)


def line_chart(chart_id: str, labels: Sequence[str], values: Sequence[float | None], *,
               title: str, desc: str, name: str = "",
               value_labels: Sequence[str] | None = None, color: str = BLUE,
               width: int = 640, height: int = 190, empty: str = "—") -> SafeString:
    """Points joined by a line, around a zero line (growth rates go below it); a value of
    None leaves a gap — a month with nothing to compare against. ``name`` is shown as
    the line's legend."""
    known = [v for v in values if v is not None]
    high, low = max([0.0, *known]), min([0.0, *known])
    # Room for the labels: above the highest point, below the lowest when it is negative.
    top, bottom, side = (36 if name else 18), (40 if low < 0 else 24), 6
    plot_h = height - top - bottom
    span = (high - low) or 1.0
    slot = (width - 2 * side) / max(len(labels), 1)

    def y_of(value: float) -> float:
        return top + plot_h * (high - value) / span

    zero = y_of(0)
    body = [f'<line class="zero" x1="{side}" y1="{_f(zero)}" x2="{width - side}" '
            f'y2="{_f(zero)}" stroke="{GRID}"/>']
    if name:
        body.append(f'<line class="legend-key" x1="{side}" y1="8" x2="{side + 14}" y2="8" '
                    f'stroke="{color}" stroke-width="2"/><text x="{side + 18}" y="12.5">'
                    f'{escape(name)}</text>')
    if not known:
        body.append(_empty(width, top + plot_h / 2, empty))
    segment: list[str] = []
    points: list[str] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = side + i * slot + slot / 2
        body.append(f'<text class="axis-label" x="{_f(x)}" y="{height - 7}" '
                    f'text-anchor="middle" fill="{MUTED}">{escape(label)}</text>')
        if value is None:
            if len(segment) > 1:
                body.append(_polyline(segment, color))
            segment = []
            continue
        y = y_of(value)
        segment.append(f"{_f(x)},{_f(y)}")
        shown = value_labels[i] if value_labels is not None else number(value)
        above = value >= 0
        points.append(f'<circle class="point" cx="{_f(x)}" cy="{_f(y)}" r="3.5" fill="{color}" '
                      f'data-value="{value}"><title>{escape(label)}: {escape(shown)}</title>'
                      f'</circle><text class="bar-value" x="{_f(x)}" '
                      f'y="{_f(y - 7 if above else y + 15)}" text-anchor="middle" '
                      f'font-size="11">{escape(shown)}</text>')
    if len(segment) > 1:
        body.append(_polyline(segment, color))
    return _svg(chart_id, width, height, title, desc, body + points)


def _polyline(points: list[str], color: str) -> str:
    return (f'<polyline class="line" points="{" ".join(points)}" fill="none" '
            f'stroke="{color}" stroke-width="2"/>')


@dataclass(frozen=True)
class Span:
    """One bar of a :func:`gantt`: seconds from the common start; ``end`` None = open."""

    label: str
    start: float | None
    end: float | None
    status: str
    note: str = ""


def seconds(value: float) -> str:
    """A short duration label: ``420 ms``, ``1.5 s``, ``12 s``, ``3.5 min``, ``1.2 h``."""
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 10:
        return f"{value:.1f} s"
    if value < 120:
        return f"{value:.0f} s"
    if value < 7200:
        return f"{value / 60:.1f} min"
    return f"{value / 3600:.1f} h"


def gantt(chart_id: str, spans: Sequence[Span], *, span: float, title: str, desc: str,
          width: int = 340, row: int = 22) -> SafeString:
    """Bars on one clock: where each step started and ended after the common start
    (acceptance), so a reader sees at once which department took the time. ``span`` is
    the clock's length (now, or the last end); open bars run to it."""
    label_w = min(max((text_width(s.label) for s in spans), default=0) + 8, width * 0.4)
    plot_w = width - label_w - 8
    height = len(spans) * row + 22
    scale = plot_w / span if span > 0 else 0
    body: list[str] = []
    for i, s in enumerate(spans):
        y = 4 + i * row
        body.append(f'<text class="axis-label" x="{_f(label_w - 8)}" y="{_f(y + row / 2 + 4)}" '
                    f'text-anchor="end">{escape(_clip(s.label, label_w - 8))}</text>')
        if s.start is None:
            continue
        end = span if s.end is None else s.end
        x, w = label_w + s.start * scale, max((end - s.start) * scale, 2)
        body.append(f'<rect class="bar {escape(s.status)}" x="{_f(x)}" y="{_f(y + 4)}" '
                    f'width="{_f(w)}" height="{row - 8}" rx="2" '
                    f'fill="{STATUS_COLORS.get(s.status, MUTED)}">'
                    f'<title>{escape(s.label)}: {escape(s.note)}</title></rect>')
    axis_y = len(spans) * row + 8
    body.append(f'<line x1="{_f(label_w)}" x2="{_f(label_w + plot_w)}" y1="{axis_y}" '
                f'y2="{axis_y}" stroke="{GRID}"/>')
    for fraction in (0, 0.5, 1):
        anchor = "start" if fraction == 0 else "end" if fraction == 1 else "middle"
        body.append(f'<text class="tick" x="{_f(label_w + plot_w * fraction)}" '
                    f'y="{axis_y + 13}" text-anchor="{anchor}" fill="{MUTED}">'
                    f'{escape(seconds(span * fraction))}</text>')
    return _svg(chart_id, width, height, title, desc, body)
