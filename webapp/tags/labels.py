"""Printing tags: A4 label sheets as PDF, single labels as PNG and SVG.

Each label carries the QR code of the tag's URL (error correction M, a four-module quiet zone of
white label around it), the name of the device or location, its code (or short id) and the site.
In the PDF the code is drawn as vectors, one filled path per code, so it stays sharp at any
printer resolution. Layouts match common A4 label stock (docs/tags.md).
"""

from __future__ import annotations

import io
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import qrcode
from flask_babel import lazy_gettext as _l
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from ..fonts import NOTO_DEFAULT, NOTO_MEMBER, add_cjk_font, font_path
from ..models import Equipment, Location, Site, Tag

QUIET = 4  # modules of white around the code, as the QR standard asks
ELLIPSIS = "…"
PT = 25.4 / 72  # millimetres per point


@dataclass(frozen=True)
class Layout:
    """A sheet of labels: the grid, the label size and where the first label starts (mm)."""

    key: str
    title: Any
    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    pitch_x: float  # from one label's left edge to the next one's
    pitch_y: float
    name_pt: float
    small_pt: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def origin(self, index: int) -> tuple[float, float]:
        """Top-left corner of label `index` (0-based) on its page."""
        row, column = divmod(index % self.per_page, self.columns)
        return self.left + column * self.pitch_x, self.top + row * self.pitch_y


# Grids of common A4 label stock (mm): label size, first label's corner, pitch, type sizes.
LAYOUTS: dict[str, Layout] = {
    layout.key: layout
    for layout in (
        Layout(
            key="3x8", title=_l("24 per sheet, 70 × 37 mm"), columns=3, rows=8,
            width=70, height=37, left=0, top=0.5, pitch_x=70, pitch_y=37,
            name_pt=10, small_pt=7.5,
        ),
        Layout(
            key="3x7", title=_l("21 per sheet, 63.5 × 38.1 mm"), columns=3, rows=7,
            width=63.5, height=38.1, left=7.21, top=15.15, pitch_x=66.04, pitch_y=38.1,
            name_pt=9, small_pt=7,
        ),
        Layout(
            key="2x7", title=_l("14 per sheet, 99.1 × 38.1 mm"), columns=2, rows=7,
            width=99.1, height=38.1, left=4.65, top=15.15, pitch_x=101.6, pitch_y=38.1,
            name_pt=11, small_pt=8,
        ),
        Layout(
            key="4x10", title=_l("40 per sheet, 48.5 × 25.4 mm"), columns=4, rows=10,
            width=48.5, height=25.4, left=8, top=21.5, pitch_x=48.5, pitch_y=25.4,
            name_pt=7, small_pt=5.5,
        ),
    )
}  # fmt: skip
DEFAULT_LAYOUT = "3x8"


@dataclass(frozen=True)
class Label:
    url: str
    name: str
    code: str
    site: str


# --- what goes on a label ------------------------------------------------------------------------


def tag_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/t/{token}"


def short_id(value: uuid.UUID | str) -> str:
    return str(value).replace("-", "")[:8].upper()


def clean(text: str) -> str:
    """One line of printable text: control characters and line breaks become spaces."""
    return " ".join(
        "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text or "").split()
    )


def label_for(tag: Tag, target: Equipment | Location, site: Site, base_url: str) -> Label:
    code = clean(getattr(target, "code", "") or "") or short_id(target.id)
    if tag.serial > 1:  # a reissued label says so, to tell it from the one it replaced
        code = f"{code}  #{tag.serial}"
    return Label(tag_url(base_url, tag.token), clean(target.name), code, clean(site.name))


def labels_for(tags: Sequence[Tag], base_url: str) -> list[Label]:
    """Labels for tags, in the order given; tags whose target has been removed are left out."""
    by_kind: dict[str, list] = {"equipment": [], "location": []}
    for tag in tags:
        by_kind.setdefault(tag.target_entity, []).append(tag.target_id)
    targets: dict[Any, Any] = {}
    for kind, model in (("equipment", Equipment), ("location", Location)):
        ids = by_kind.get(kind) or []
        for start in range(0, len(ids), 500):
            for row in model.live().where(model.id.in_(ids[start : start + 500])):
                targets[row.id] = row
    site_ids = {t.site_id for t in targets.values()}
    sites = {s.id: s for s in Site.select().where(Site.id.in_(list(site_ids)))}
    labels = []
    for tag in tags:
        target = targets.get(tag.target_id)
        if target is not None:
            labels.append(label_for(tag, target, sites[target.site_id], base_url))
    return labels


# --- the QR code ---------------------------------------------------------------------------------


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of the code (True = dark), without quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def dark_runs(matrix: list[list[bool]]) -> Iterable[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (row, first column, length)."""
    for y, row in enumerate(matrix):
        x, size = 0, len(row)
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                yield y, start, x - start
            else:
                x += 1


# --- fitting text --------------------------------------------------------------------------------


def fit_lines(text: str, width: float, measure, max_lines: int) -> list[str]:
    """Break `text` into at most `max_lines` lines no wider than `width`; the last line ends in
    an ellipsis when the text does not fit. Chinese breaks anywhere, other text at spaces when
    it can."""
    lines: list[str] = []
    rest = text
    while rest and len(lines) < max_lines:
        if measure(rest) <= width:
            lines.append(rest)
            rest = ""
            break
        cut = _longest_prefix(rest, width, measure)
        space = rest.rfind(" ", 0, cut + 1)
        if space > cut // 2 and len(lines) < max_lines - 1:
            cut = space
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest and lines:
        lines[-1] = truncate(lines[-1] + rest, width, measure)
    return lines


def truncate(text: str, width: float, measure) -> str:
    if measure(text) <= width:
        return text
    cut = _longest_prefix(text, width - measure(ELLIPSIS), measure)
    return text[:cut].rstrip() + ELLIPSIS


def _longest_prefix(text: str, width: float, measure) -> int:
    """Length of the longest prefix of `text` that fits in `width` (at least one character)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


# --- PDF sheets ----------------------------------------------------------------------------------


def sheet_pdf(
    labels: Sequence[Label],
    layout: Layout,
    *,
    skip: int = 0,
    locale: str = "zh_Hans",
    title: str = "QR tags",
) -> bytes:
    """An A4 PDF of `labels` on `layout`, leaving the first `skip` labels of the first sheet
    empty (for a sheet that was partly used)."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("Rounds")
    pdf.set_title(title)
    family = add_cjk_font(pdf, locale)
    pdf.set_fill_color(0)
    pdf.set_text_color(0)
    skip = max(0, min(skip, layout.per_page - 1))
    if not labels:
        pdf.add_page()
    for position, label in enumerate(labels, start=skip):
        if position == skip or position % layout.per_page == 0:
            pdf.add_page()
        x, y = layout.origin(position)
        _draw_label(pdf, family, layout, label, x, y)
    return bytes(pdf.output())


def _draw_label(pdf: FPDF, family: str, layout: Layout, label: Label, x: float, y: float):
    matrix = qr_matrix(label.url)
    size = len(matrix)
    module = layout.height / (size + 2 * QUIET)
    _draw_modules(pdf, matrix, x + QUIET * module, y + QUIET * module, module)

    text_x = x + layout.height  # the code's right-hand quiet zone ends here
    text_width = layout.width - layout.height - 1.5
    top = y + QUIET * module
    name_h = layout.name_pt * PT
    small_h = layout.small_pt * PT

    pdf.set_font(family, "", layout.name_pt)
    names = fit_lines(label.name, text_width, pdf.get_string_width, 2)
    line = top + name_h * 0.9
    for text in names:
        pdf.text(text_x, line, text)
        line += name_h * 1.2
    pdf.set_font(family, "", layout.small_pt)
    line += small_h * 0.4
    pdf.text(text_x, line, truncate(label.code, text_width, pdf.get_string_width))
    line += small_h * 1.3
    pdf.text(text_x, line, truncate(label.site, text_width, pdf.get_string_width))


def _draw_modules(pdf: FPDF, matrix, left: float, top: float, module: float) -> None:
    """All dark modules as one filled path in module units (a transformation puts them in
    place): no hairline seams between modules in viewers, and a few bytes per run of modules."""
    k = pdf.k
    ops = [f"q {module * k:.4f} 0 0 {-module * k:.4f} {left * k:.3f} {(pdf.h - top) * k:.3f} cm"]
    ops.extend(f"{col} {row} {length} 1 re" for row, col, length in dark_runs(matrix))
    ops.append("f Q")
    pdf._out("\n".join(ops))  # noqa: SLF001 - fpdf2's own way to add drawing operators


# --- single labels -------------------------------------------------------------------------------

PX = 8  # pixels per module in a PNG label


@lru_cache(maxsize=8)
def _pil_font(path: str, index: int, size: int):
    return ImageFont.truetype(path, size, index=index)


def _font(size: int, locale: str):
    path = font_path()
    index = 0
    if Path(path).name.startswith("NotoSansCJK"):
        index = NOTO_MEMBER.get(locale, NOTO_DEFAULT)
    return _pil_font(str(path), index, size)


@dataclass(frozen=True)
class _Single:
    """The geometry shared by the PNG and the SVG of one label (in pixels)."""

    matrix: list
    width: int
    code_h: int
    names: list[str]
    code: str
    site: str
    name_px: int = 30
    small_px: int = 22

    @property
    def height(self) -> int:
        return (
            self.code_h
            + len(self.names) * int(self.name_px * 1.25)
            + 2 * int(self.small_px * 1.35)
            + 2 * PX
        )


def _single(label: Label, locale: str) -> _Single:
    matrix = qr_matrix(label.url)
    width = (len(matrix) + 2 * QUIET) * PX
    room = width - 4 * PX
    name_font = _font(_Single.name_px, locale)
    small_font = _font(_Single.small_px, locale)
    return _Single(
        matrix=matrix,
        width=width,
        code_h=width,
        names=fit_lines(label.name, room, name_font.getlength, 2),
        code=truncate(label.code, room, small_font.getlength),
        site=truncate(label.site, room, small_font.getlength),
    )


def _text_rows(single: _Single) -> list[tuple[str, int, int, bool]]:
    """(text, baseline y, pixel size, bold) for each line under the code."""
    rows = []
    y = single.code_h
    for name in single.names:
        y += int(single.name_px * 1.25)
        rows.append((name, y - int(single.name_px * 0.25), single.name_px, True))
    for text in (single.code, single.site):
        y += int(single.small_px * 1.35)
        rows.append((text, y - int(single.small_px * 0.3), single.small_px, False))
    return rows


def label_png(label: Label, *, locale: str = "zh_Hans") -> bytes:
    single = _single(label, locale)
    n = len(single.matrix)
    code = Image.new("1", (n, n), 1)
    code.putdata([0 if dark else 1 for row in single.matrix for dark in row])
    image = Image.new("L", (single.width, single.height), 255)
    image.paste(code.resize((n * PX, n * PX), Image.Resampling.NEAREST), (QUIET * PX, QUIET * PX))
    draw = ImageDraw.Draw(image)
    for text, baseline, size, _bold in _text_rows(single):
        font = _font(size, locale)
        draw.text((single.width / 2, baseline), text, fill=0, font=font, anchor="ms")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


BOLD = ' font-weight="bold"'
FONT_STACK = "'Noto Sans CJK SC','Noto Sans CJK TC','Noto Sans SC',sans-serif"


def label_svg(label: Label, *, locale: str = "zh_Hans") -> str:
    """The label as SVG, 0.5 mm per module when printed at its own size."""
    single = _single(label, locale)
    path = "".join(
        f"M{QUIET + col} {QUIET + row}h{length}v1h-{length}z"
        for row, col, length in dark_runs(single.matrix)
    )
    mm = 0.5 / PX
    texts = "".join(
        f'<text x="{single.width / 2:g}" y="{baseline}" font-size="{size}"'
        f"{BOLD if bold else ''}>{escape(text)}</text>"
        for text, baseline, size, bold in _text_rows(single)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {single.width} {single.height}" '
        f'width="{single.width * mm:g}mm" height="{single.height * mm:g}mm">'
        f"<title>{escape(label.name)}</title>"
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<path d="{path}" transform="scale({PX})" fill="#000" shape-rendering="crispEdges"/>'
        f'<g font-family="{FONT_STACK}" text-anchor="middle" fill="#000">{texts}</g>'
        "</svg>\n"
    )
