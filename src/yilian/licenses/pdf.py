"""The printable license (营业执照 PDF), laid out like the paper one.

A4 landscape: the title, the unified social credit code top left, the QR code top right,
two columns of the rows of the license's kind (:mod:`yilian.licenses.rows`: names, people
and the business scope left — 名称/类型/法定代表人/经营范围 for a company; capital, dates
and the place right — 注册资本/成立日期/营业期限/住所), the registration authority and date
of issue bottom right, and the signing key id in the footer. Rendering takes a few
hundred milliseconds, so it happens on the first download, not at issue, and kept in the
generated-files storage (:mod:`yilian.storage`).
"""

from __future__ import annotations

import hashlib
import io
from functools import partial
from typing import Any

from django.core.files.base import ContentFile, File
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from yilian.licenses import fonts, qr, rows, signing, typeset
from yilian.licenses.fonts import FontChain
from yilian.storage import generated

PAGE = landscape(A4)  # 842 x 595 pt
BORDER = HexColor("#9b1c1c")
INK = HexColor("#1f1f1f")
GREY = HexColor("#666666")


def _frame(c: Canvas) -> None:
    width, height = PAGE
    c.setStrokeColor(BORDER)
    c.setLineWidth(3)
    c.rect(24, 24, width - 48, height - 48)
    c.setLineWidth(0.8)
    c.rect(31, 31, width - 62, height - 62)


def _column(c: Canvas, font: FontChain, fields: dict[str, Any], labels: dict[str, str],
            keys: tuple[str, ...], x: float, top: float, width: float, bottom: float) -> None:
    """Label/value rows from ``top`` down; long values wrap (CJK rules) and the last row
    (经营范围 or 住所) shrinks its type until it fits above ``bottom``."""
    # Room for the longest label (执行事务合伙人 is seven characters) and a gap.
    label_width = max([78.0] + [font.width(labels[key], 12) + 12 for key in keys])
    y = top
    for i, key in enumerate(keys):
        value = str(fields.get(key, ""))
        last = i == len(keys) - 1
        for size in (12, 11, 10, 9, 8, 7, 6) if last else (12,):
            style = ParagraphStyle("v", fontSize=size, leading=size * 1.45, textColor=INK)
            para = typeset.paragraph(font, value, style)
            _, needed = para.wrap(width - label_width, 10_000)
            if not last or y - needed >= bottom:
                break
        c.setFillColor(INK)
        typeset.draw_string(c, font, x, y - 12, labels[key], 12)
        para.drawOn(c, x + label_width, y - 12 + size - needed)  # baselines align
        y -= max(needed, 17) + 14


def _draw(c: Canvas, font: FontChain, document: dict[str, Any]) -> None:
    fields: dict[str, Any] = document["license"]
    labels = rows.labels_for(fields)
    left, right = rows.columns(fields)
    width, height = PAGE
    _frame(c)

    write = partial(typeset.draw_string, c, font)
    c.setFillColor(INK)
    write(60, height - 70, f"{labels['uscc']}  {fields.get('uscc', '')}", 11)

    write(width / 2, height - 118, "营业执照", 42, "centre")
    c.setFillColor(GREY)
    write(width / 2, height - 142, "（电子营业执照 Electronic Business License）", 12, "centre")

    url = qr.verify_url(str(fields.get("uscc", "")))
    size = 92
    c.drawImage(ImageReader(io.BytesIO(qr.encode(url))), width - 60 - size, height - 58 - size,
                size, size)
    write(width - 60 - size / 2, height - 70 - size, "扫码核验 Scan to verify", 8, "centre")

    top, bottom = height - 190, 150
    _column(c, font, fields, labels, left, 70, top, 370, bottom)
    _column(c, font, fields, labels, right, 470, top, 320, bottom)

    c.setFillColor(INK)
    write(width - 60, 112, f"{labels['registration_authority']}  "
                           f"{fields.get('registration_authority', '')}", 12, "right")
    write(width - 60, 90, f"{labels['issued']}  {fields.get('issued', '')}", 12, "right")

    signature = document.get("signature", {})
    c.setFillColor(GREY)
    write(46, 48, f"电子签名 Ed25519 · 密钥编号 key id {_grouped(signature.get('key_id', ''))}"
                  f" · 核验 verify {url}", 8)


def _grouped(key_id: str) -> str:
    """A key id in groups of four (af1f 3122 …): a person compares it with the one the
    verification page names group by group, and a reader (or OCR) does not lose its place
    in sixteen hex digits run together."""
    return " ".join(key_id[i:i + 4] for i in range(0, len(key_id), 4))


def render(document: dict[str, Any], font: str | None = None) -> bytes:
    """PDF bytes for a signed license document. ``font`` is a preferred font path,
    ``"cid"`` for the built-in CID font alone, or None for the configured/installed
    choice; every character falls back to a font that has it (see fonts)."""
    chain = fonts.chain(font)
    fields = document["license"]
    return typeset.pdf(PAGE, partial(_draw, font=chain, document=document),
                       title=f"营业执照 {fields.get('name', '')}",
                       subject=f"统一社会信用代码 {fields.get('uscc', '')}",
                       author=str(fields.get("registration_authority", "")))


def cache_name(lic) -> str:
    """The PDF's name in the generated-files storage: the code and a digest of the signed
    document, so a reissued license never meets the file of the one before it."""
    digest = hashlib.sha256(signing.canonical(lic.signed)).hexdigest()[:16]
    return f"licenses/{lic.uscc}-{digest}.pdf"


def cached_pdf(lic) -> File:
    """The license's PDF, open for reading: from the generated-files storage
    (:mod:`yilian.storage`) if any host has stored it there, else rendered — the same
    bytes on every host (:func:`typeset.pdf` is invariant) — and stored."""
    store, name = generated(), cache_name(lic)
    if not store.exists(name):
        stored = store.save(name, ContentFile(render(lic.signed)))
        if stored != name:  # another process stored it meanwhile: theirs is the same
            store.delete(stored)
    return store.open(name, "rb")
