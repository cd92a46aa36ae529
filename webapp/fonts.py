"""The font that prints Chinese in every PDF the server makes.

PDFs embed a subset of a CJK font so that any viewer shows the same glyphs. The font is found at
`ROUNDS_PDF_FONT` (a .ttf, .otf or .ttc file) or in the places Debian's fonts-noto-cjk and
fonts-wqy-microhei install to; docs/deployment.md says which package to install.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from fpdf import FPDF

FAMILY = "cjk"
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


class FontMissing(RuntimeError):
    pass


def font_path() -> Path:
    configured = current_app.config.get("PDF_FONT") if current_app else None
    for candidate in ([configured] if configured else []) + list(CANDIDATES):
        path = Path(candidate)
        if path.is_file():
            return path
    raise FontMissing(
        "No CJK font found: install fonts-noto-cjk or set ROUNDS_PDF_FONT to a font file."
    )


# Members of the Noto CJK collection: Simplified and Traditional glyph shapes differ.
NOTO_MEMBER = {"zh_Hant": 3}
NOTO_DEFAULT = 2


def add_cjk_font(pdf: FPDF, locale: str = "zh_Hans") -> str:
    """Register the CJK font on `pdf` (regular and bold share it) and return its family name."""
    path = font_path()
    number = 0
    if path.name.startswith("NotoSansCJK"):
        number = NOTO_MEMBER.get(locale, NOTO_DEFAULT)
    pdf.add_font(FAMILY, "", str(path), collection_font_number=number)
    pdf.add_font(FAMILY, "B", str(path), collection_font_number=number)
    return FAMILY
