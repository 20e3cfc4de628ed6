"""Drawing text in Yilian's PDFs, each character in a font that has it (see
:mod:`yilian.licenses.fonts`). The license and the acceptance notice (受理通知书) draw
every string through these helpers, never with a bare ``Canvas.setFont``.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from yilian.licenses.fonts import FontChain

# ReportLab keeps per-font subsetting state while a document is written, and the fonts
# are shared by every kind of document: one render at a time in the process.
_render_lock = threading.Lock()


def pdf(pagesize: tuple[float, float], draw: Callable[[Canvas], None], *, title: str,
        subject: str = "", author: str = "") -> bytes:
    """One page drawn by ``draw``, as PDF bytes (byte-identical for the same input)."""
    out = io.BytesIO()
    with _render_lock:
        c = Canvas(out, pagesize=pagesize, invariant=True)
        c.setTitle(title)
        c.setSubject(subject)
        c.setAuthor(author)
        c.setCreator("Yilian 一链")
        draw(c)
        c.showPage()
        c.save()
    return out.getvalue()


def draw_string(c: Canvas, fonts: FontChain, x: float, y: float, text: str, size: float,
                align: Literal["left", "centre", "right"] = "left") -> None:
    """``text`` on one line at baseline ``y``, starting, centred or ending at ``x``."""
    if align != "left":
        width = fonts.width(text, size)
        x -= width / 2 if align == "centre" else width
    for name, piece in fonts.runs(text):
        c.setFont(name, size)
        c.drawString(x, y, piece)
        x += c.stringWidth(piece, name, size)


def markup(fonts: FontChain, text: str) -> str:
    """Paragraph markup for plain ``text``: escaped, each run in its own ``<font>``."""
    return "".join(f"<font name={quoteattr(name)}>{escape(piece)}</font>"
                   for name, piece in fonts.runs(text))


def paragraph(fonts: FontChain, text: str, style: ParagraphStyle) -> Paragraph:
    """A wrapping paragraph of plain ``text`` (CJK line breaking)."""
    style = ParagraphStyle(style.name, parent=style, fontName=fonts.base, wordWrap="CJK")
    return Paragraph(markup(fonts, text), style)
