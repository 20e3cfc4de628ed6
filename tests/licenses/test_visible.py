"""Every PDF Yilian prints shows its codes, amounts and dates: each document is rendered to
an image (poppler's pdftoppm) and read back with OCR (Debian's tesseract-ocr, chi_sim), in
each font situation of :mod:`tests.licenses.fontsets` — among them the machine of issue 9,
whose only CJK font (Droid Sans Fallback) has no digits or Latin letters.

A control proves the check can fail: the credit code drawn in Droid Sans Fallback alone,
as the license used to be, reads back as nothing.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from rapidfuzz import fuzz
from reportlab.pdfgen.canvas import Canvas

from tests.licenses.fontsets import DROID
from yilian.forms import notice
from yilian.licenses import fonts, pdf
from yilian.licenses.keys import key_id

TOOLS = {"pdftoppm": "poppler-utils", "tesseract": "tesseract-ocr tesseract-ocr-chi-sim"}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.ocr,
    pytest.mark.skipif(not all(map(shutil.which, TOOLS)),
                       reason="OCR tests need: apt-get install " + " ".join(TOOLS.values())),
]

# One signing key for every run: the key id the license prints is read back, and a new
# random key each run made the check depend on the letters it drew (on the machine with
# Droid Sans Fallback alone, one run's "5f46edf61d93f132" read back as "5M6edf51d93人32").
_KEY_PEM = Ed25519PrivateKey.from_private_bytes(bytes(range(32))).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption()).decode()


@pytest.fixture(autouse=True)
def _one_signing_key(settings):
    settings.LICENSE_SIGNING_KEY = _KEY_PEM


# OCR may misread a character or two (1 for ], 9 for 5): a code counts as seen at this
# similarity (0-100) to the best matching part of the page; a blank code scores < 50.
SEEN = 85


def ocr(data: bytes, tmp_path: Path, *options: str) -> str:
    """The text OCR reads on the PDF's page (200 dpi, grey), whitespace removed;
    ``options`` go to tesseract (``--psm 4``: one column of lines, which reads short rows
    the default page segmentation drops)."""
    source, image = tmp_path / "page.pdf", tmp_path / "page"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "-singlefile", str(source),
                    str(image)], check=True, timeout=120)
    # One OCR thread: several tesseract threads on a shared machine are slower, not faster.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    read = subprocess.run(["tesseract", f"{image}.png", "-", "-l", "chi_sim", *options], env=env,
                          capture_output=True, text=True, timeout=300)
    if "chi_sim" in read.stderr and read.returncode:
        pytest.skip("OCR tests need: apt-get install tesseract-ocr-chi-sim")
    read.check_returncode()
    return re.sub(r"\s+", "", read.stdout)


def assert_seen(page: str, *expected: str) -> None:
    unseen = [e for e in expected if fuzz.partial_ratio(e, page) < SEEN]
    assert not unseen, f"not visible: {unseen}; OCR read: {page}"


def test_the_license_shows_its_code_capital_and_dates(lic, font_situation, tmp_path):
    assert lic.key_id == key_id(serialization.load_pem_private_key(
        _KEY_PEM.encode(), None).public_key())  # the same every run
    fields = lic.fields
    page = ocr(pdf.render(lic.signed), tmp_path)
    # The right column's labels and values are read as separate blocks.
    # A credit code has no letter O (GB 32100's alphabet), so a reader takes O for 0: the
    # CID font's zero is rendered by the viewer's substitute, where the two look alike.
    assert_seen(page.replace("O", "0"), f"统一社会信用代码{lic.uscc}")
    assert_seen(page, fields["registered_capital"],
                fields["established"], f"发照日期{fields['issued']}", lic.key_id,
                "营业执照", fields["name"], "ElectronicBusinessLicense")


def test_the_acceptance_notice_shows_its_number_and_dates(application, font_situation,
                                                          tmp_path):
    accepted = timezone.localtime(application.accepted_at)
    page = ocr(notice.render(application), tmp_path)
    assert_seen(page, notice.notice_number(application), f"{accepted:%Y年%m月%d日%H:%M}",
                "受理通知书", application.name, "NoticeofAcceptance")


def test_control_a_code_in_droid_sans_fallback_alone_is_not_seen(lic, tmp_path):
    """What issue 9 saw: the code drawn in the one CJK font, which lacks digits."""
    if not DROID.exists():
        pytest.skip("apt-get install fonts-droid-fallback")
    out = io.BytesIO()
    c = Canvas(out, invariant=True)
    droid = fonts.load(str(DROID)).name
    c.setFont(droid, 14)
    c.drawString(60, 700, f"统一社会信用代码 {lic.uscc}")
    c.showPage()
    c.save()
    page = ocr(out.getvalue(), tmp_path)
    assert fuzz.partial_ratio(lic.uscc, page) < 50, page
    assert_seen(page, "统一社会信用代码")  # the same page does show its Chinese
