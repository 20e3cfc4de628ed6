"""The license's QR code (二维码): it opens the public verification page, so anyone holding
a printed license can check it against the register."""

from __future__ import annotations

import io

import segno


def verify_url(uscc: str) -> str:
    """The public page for one license: ``{PUBLIC_URL}/verify/{uscc}/``."""
    from django.conf import settings

    return f"{settings.PUBLIC_URL.rstrip('/')}/verify/{uscc}/"


def encode(payload: str, scale: int = 10) -> bytes:
    """PNG bytes of a QR code for ``payload`` (error correction M: a worn or stamped-on
    printout still scans)."""
    code = segno.make(payload, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
