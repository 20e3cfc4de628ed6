"""The font situations PDFs are tested in: a temp folder of links to real installed fonts,
given to Yilian as ``FONT_DIRS``, so a test decides what the machine "has" (the
``font_situation`` fixture in this folder's conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

DROID = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PACKAGES = {DROID: "fonts-droid-fallback", WQY: "fonts-wqy-microhei",
            NOTO_CJK: "fonts-noto-cjk", DEJAVU: "fonts-dejavu-core"}

SITUATIONS = {
    # The machine of issue 9: the only CJK font has no digits or Latin letters.
    "droid-only": (DROID,),
    # What CI installs (.ci/run): Noto CJK is CFF and cannot be embedded by ReportLab.
    "ci-fonts": (WQY, NOTO_CJK, DEJAVU, DROID),
    # No TrueType font at all: the built-in CID font prints everything.
    "no-truetype": (),
}


def font_dir(tmp_path: Path, files: tuple[Path, ...]) -> Path:
    """A folder holding links to ``files``; skips the test when one is not installed."""
    missing = [PACKAGES[f] for f in files if not f.exists()]
    if missing:
        pytest.skip(f"font package(s) not installed: apt-get install {' '.join(missing)}")
    folder = tmp_path / "fonts"
    folder.mkdir()
    for file in files:
        (folder / file.name).symlink_to(file)
    return folder

