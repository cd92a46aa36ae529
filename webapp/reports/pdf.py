"""The round report as an A4 PDF laid out like the paper form, with the Chinese font embedded.

It prints a report dict made by `view_model.round_report` and reads nothing else: photo bytes
come through the `photo_bytes` callable, which answers None for a file that has not arrived.
Photos are scaled to thumbnails before they are embedded, so a round with many photos stays a
small file. Every page's footer carries the report number, the seal hash in full and the page.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, TextMode, XPos, YPos
from PIL import Image, ImageOps

from ..fonts import add_cjk_font

PhotoBytes = Callable[[str], bytes | None]

MARGIN = 12.0
FOOTER = 16.0  # space kept free at the bottom of a page for the footer
LINE = 4.6  # line height of body text (9 pt)
THUMB_W, THUMB_H, THUMB_GAP = 32.0, 24.0, 3.0
THUMB_PX = 400  # longest side of an embedded photo
INDENT = 10.0  # sub-rows (notes, photos) start under the item's text
COLUMNS = (10.0, 86.0, 62.0, 28.0)  # No. | item | result | status; 186 mm = A4 minus margins

BLACK = (20, 20, 20)
MUTED = (110, 110, 110)
RED = (176, 32, 40)
PINK = (252, 231, 231)
GREY = (238, 240, 242)
LINE_COLOUR = (170, 170, 170)
PDF_LANG = {"zh_Hans": "zh-CN", "zh_Hant": "zh-TW", "en": "en"}


def thumbnail(data: bytes | None, size: int = THUMB_PX) -> bytes | None:
    """A photo as a small JPEG, turned upright; None when it is not a readable image."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.draft("RGB", (size, size))  # JPEG: decode at a fraction of full size, much faster
            upright = ImageOps.exif_transpose(img).convert("RGB")
        upright.thumbnail((size, size))
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=72, optimize=True)
        return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def signature_image(data: bytes | None) -> bytes | None:
    """The drawn signature flattened onto white (strokes on a transparent canvas) as a PNG."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            rgba = img.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        flat = flat.convert("RGB")
        flat.thumbnail((900, 360))
        out = io.BytesIO()
        flat.save(out, "PNG", optimize=True)
        return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def box(chosen: bool) -> str:
    return "■" if chosen else "□"


class ReportPdf(FPDF):
    """A4 pages with a running head after the first page and the seal in every footer."""

    def __init__(self, report: dict[str, Any], locale: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report = report
        self.family = add_cjk_font(self, locale)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=FOOTER)
        self.set_lang(PDF_LANG.get(locale, "zh-CN"))
        self.set_title(f"{report['title']} {report['number']}".strip())
        self.set_author(report["engineer"])
        self.set_creator("Rounds")
        self.in_table = False  # repeat the column heads when a table continues on a new page

    # -- page furniture ----------------------------------------------------------------------

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.font(7.5, MUTED)
        self.cell(0, 4, f"{self.report['title']} · {self.report['number']}", align=Align.L)
        self.ln(7)

    def footer(self) -> None:
        self.set_y(-FOOTER + 4)
        self.set_draw_color(*LINE_COLOUR)
        self.line(MARGIN, self.get_y(), self.w - MARGIN, self.get_y())
        self.ln(1.5)
        self.font(7, MUTED)
        seal = self.report["seal_hash"]
        left = (
            _("Seal (SHA-256): %(hash)s", hash=seal)
            if seal
            else _("Not sealed: the client has not signed this report.")
        )
        number = self.report["number"]
        self.cell(150, 3.6, f"{number}  {left}" if number else left, align=Align.L)
        self.cell(
            0,
            3.6,
            _("Page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}"),
            align=Align.R,
        )

    # -- text helpers ------------------------------------------------------------------------

    def font(self, size: float, colour: tuple[int, int, int] = BLACK) -> None:
        self.set_font(self.family, size=size)
        self.set_text_color(*colour)

    @contextmanager
    def bold(self, colour: tuple[int, int, int] = BLACK) -> Iterator[None]:
        """Strong text: the CJK font has one weight, so outline the glyphs in their colour."""
        with self.local_context(
            text_mode=TextMode.FILL_STROKE, line_width=0.18, draw_color=colour, text_color=colour
        ):
            yield

    def lines(self, width: float, text: str) -> int:
        return len(self.multi_cell(width, LINE, text, dry_run=True, output="LINES")) or 1

    def heading(self, text: str, *, keep: float = 20) -> None:
        """A section heading kept on the same page as the first `keep` mm that follow it."""
        if self.will_page_break(8 + keep):
            self.add_page()
        self.ln(2)
        self.font(11)
        with self.bold():
            self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(0.5)

    def paragraph(self, text: str, *, size: float = 9, colour=BLACK, indent: float = 0) -> None:
        self.font(size, colour)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            self.epw - indent, LINE, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def pair(self, label: str, value: str, *, indent: float = 0, colour=BLACK) -> None:
        """ "Label: value" with the label muted, the value wrapping under itself."""
        self.font(9, MUTED)
        self.set_x(self.l_margin + indent)
        width = min(self.get_string_width(label) + 3, 45)
        self.cell(width, LINE, label)
        self.font(9, colour)
        self.multi_cell(
            self.epw - indent - width,
            LINE,
            value or "—",
            align=Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def grid_row(self, cells: list[tuple[float, str]], *, fill=None, colours=None, size=9) -> None:
        """One bordered row of wrapped cells, all as tall as the tallest, never split."""
        self.font(size)
        height = max(self.lines(w - 2, t) for w, t in cells) * LINE + 2
        if self.will_page_break(height):
            self.add_page()
            if self.in_table:
                self.column_heads()
        x, y = self.l_margin, self.get_y()
        self.set_draw_color(*LINE_COLOUR)
        if fill:
            self.set_fill_color(*fill)
        for i, (width, text) in enumerate(cells):
            self.rect(x, y, width, height, style="DF" if fill else "D")
            colour = colours[i] if colours and colours[i] else BLACK
            self.set_xy(x + 1, y + 1)
            self.font(size, colour)
            if colours and colours[i] == RED:
                with self.bold(RED):
                    self.multi_cell(width - 2, LINE, text, align=Align.L)
            else:
                self.multi_cell(width - 2, LINE, text, align=Align.L)
            x += width
        self.set_xy(self.l_margin, y + height)

    def column_heads(self) -> None:
        heads = [_("No."), _("Item"), _("Result"), _("Status")]
        self.grid_row(list(zip(COLUMNS, heads, strict=True)), fill=GREY, size=8.5)


class Renderer:
    """Writes one report into a ReportPdf, part by part, in the order of the paper form."""

    def __init__(self, report: dict[str, Any], locale: str, photo_bytes: PhotoBytes) -> None:
        self.report = report
        self.photo_bytes = photo_bytes
        self.pdf = ReportPdf(report, locale)
        self.thumbs: dict[str, bytes | None] = {}

    def render(self) -> bytes:
        self.pdf.add_page()
        self.title()
        if self.report["template"]["form"] == "contact_form":
            self.contact_form()
        else:
            self.header_block()
            for section in self.report["sections"]:
                self.section(section)
            self.faults()
            self.summary()
        self.acceptance()
        self.seal()
        return bytes(self.pdf.output())

    def contact_form(self) -> None:
        """The customer service contact form (客户服务联络单) as on paper: the header, then each
        field with its label — choices as a row of boxes, texts written out under their label."""
        pdf, report, header = self.pdf, self.report, self.report["header"]
        widths = (24.0, 69.0, 24.0, 69.0)
        rows = [
            (_("Client name"), header["client_name"], _("Contact"), header["contact"]),
            (_("Phone"), header["phone"], _("Address"), header["address"]),
            (_("Service time"), header["service_time"], _("Engineer"), report["engineer"]),
        ]
        for row in rows:
            pdf.grid_row(
                list(zip(widths, [v or "—" for v in row], strict=True)),
                colours=[MUTED, None, MUTED, None],
            )
        pdf.ln(1)
        if report["fault_number"]:
            pdf.pair(_("Fault:"), report["fault_number"])
        pdf.ln(1)
        for section in report["sections"]:
            for item in section["items"]:
                if item["kind"] == "choice":
                    marks = "   ".join(f"{box(o['chosen'])} {o['label']}" for o in item["options"])
                    pdf.pair(f"{item['label']}:", marks)
                    pdf.ln(1)
                    continue
                pdf.font(9, MUTED)
                pdf.cell(0, LINE, f"{item['label']}:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                answer = item["answer"]
                written = answer["text"] if answer["answered"] else ""
                if answer["status"] == "na":
                    written = answer["status_label"]
                pdf.grid_row([(pdf.epw, written or "—")])
                pdf.ln(1.5)

    def title(self) -> None:
        pdf, report = self.pdf, self.report
        pdf.font(15)
        with pdf.bold():
            pdf.multi_cell(0, 8, report["title"], align=Align.C, new_x=XPos.LMARGIN)
        pdf.ln(1)
        pdf.font(9, MUTED)
        version = _("Template version %(n)s", n=report["template"]["version"])
        if report["period"]:
            version = f"{version} · {report['period']}"
        pdf.cell(pdf.epw / 2, 6, version, align=Align.L)
        number = _("No. %(number)s", number=report["number"] or "—")
        if report["revision"]:
            number = _(
                "%(number)s (revision %(n)s of %(original)s)",
                number=number,
                n=report["revision"],
                original=report["revision_of"] or "—",
            )
        pdf.font(10)
        with pdf.bold():
            pdf.cell(0, 6, number, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)

    def header_block(self) -> None:
        report, header = self.report, self.report["header"]
        place = " · ".join(p for p in (report["site"], report["location"]) if p)
        if report["equipment"]:
            place = f"{place} · {report['equipment']}"
        rows = [
            (_("Client name"), header["client_name"], _("Contact"), header["contact"]),
            (_("Phone"), header["phone"], _("Address"), header["address"]),
            (_("Service time"), header["service_time"], _("Engineer"), report["engineer"]),
            (_("Site"), place, _("Status"), report["status_label"]),
        ]
        widths = (24.0, 69.0, 24.0, 69.0)
        for row in rows:
            self.pdf.grid_row(
                list(zip(widths, [v or "—" for v in row], strict=True)),
                colours=[MUTED, None, MUTED, None],
            )
        self.pdf.ln(2)
        self.pdf.paragraph(
            _(
                "%(items)s items, %(answered)s answered, %(abnormal)s abnormal.",
                items=report["item_count"],
                answered=report["answered_count"],
                abnormal=report["abnormal_count"],
            ),
            size=8.5,
            colour=RED if report["abnormal_count"] else MUTED,
        )

    def section(self, section: dict[str, Any]) -> None:
        pdf = self.pdf
        title = section["title"]
        if section["equipment_name"]:
            title = f"{title} — {section['equipment_name']}"
        pdf.in_table = False
        pdf.heading(title, keep=2 * LINE + 12)
        pdf.column_heads()
        pdf.in_table = True
        for item in section["items"]:
            self.item(item)
        pdf.in_table = False
        pdf.ln(2)

    def item(self, item: dict[str, Any]) -> None:
        pdf, answer = self.pdf, item["answer"]
        name = item["label"]
        if item["sense_label"]:
            name = f"[{item['sense_label']}] {name}"
        result = answer["summary"]
        long_text = item["kind"] == "text" and len(answer["text"]) > 80
        if long_text:
            result = _("See below.")
        status = answer["status_label"]
        if item["abnormal"]:
            status = f"▲ {status}"
        pdf.grid_row(
            list(zip(COLUMNS, [str(item["number"]), name, result, status], strict=True)),
            fill=PINK if item["abnormal"] else None,
            colours=[
                MUTED,
                None,
                RED if item["abnormal"] else None,
                RED if item["abnormal"] else None,
            ],
        )
        if long_text:
            pdf.pair(_("Answer:"), answer["text"], indent=INDENT)
        if item["note"]:
            pdf.pair(
                _("Note:"), item["note"], indent=INDENT, colour=RED if item["abnormal"] else BLACK
            )
        if item["faults"]:
            pdf.pair(_("Fault raised:"), ", ".join(item["faults"]), indent=INDENT)
        if item["photos"]:
            self.photos(item["photos"])

    def photos(self, photos: list[dict[str, Any]]) -> None:
        pdf = self.pdf
        per_line = int((pdf.epw - INDENT + THUMB_GAP) // (THUMB_W + THUMB_GAP))
        for start in range(0, len(photos), per_line):
            if pdf.will_page_break(THUMB_H + THUMB_GAP):
                pdf.add_page()
            y = pdf.get_y() + 1
            x = pdf.l_margin + INDENT
            for photo in photos[start : start + per_line]:
                self.photo(photo["id"], x, y)
                x += THUMB_W + THUMB_GAP
            pdf.set_xy(pdf.l_margin, y + THUMB_H + 1.5)

    def photo(self, photo_id: str, x: float, y: float) -> None:
        pdf = self.pdf
        if photo_id not in self.thumbs:
            self.thumbs[photo_id] = thumbnail(self.photo_bytes(photo_id))
        data = self.thumbs[photo_id]
        if data is not None:
            pdf.image(io.BytesIO(data), x=x, y=y, w=THUMB_W, h=THUMB_H, keep_aspect_ratio=True)
            return
        pdf.set_draw_color(*LINE_COLOUR)
        with pdf.local_context(dash_pattern={"dash": 1, "gap": 1}):
            pdf.rect(x, y, THUMB_W, THUMB_H)
        pdf.font(7, MUTED)
        pdf.set_xy(x + 1, y + THUMB_H / 2 - 3.5)
        pdf.multi_cell(THUMB_W - 2, 3.5, _("photo not yet received"), align=Align.C)

    def faults(self) -> None:
        faults = self.report["faults"]
        if not faults:
            return
        pdf = self.pdf
        pdf.heading(_("Faults raised"))
        for fault in faults:
            pdf.pair(f"{fault['number'] or '—'} ({fault['severity_label']})", fault["description"])

    def summary(self) -> None:
        pdf, report = self.pdf, self.report
        pdf.heading(_("Maintenance summary"))
        pdf.paragraph(report["summary"] or "—")
        pdf.ln(1)
        pdf.pair(_("Person responsible:"), report["responsible"])
        pdf.pair(_("Submitted:"), report["submitted_at"])

    def acceptance(self) -> None:
        pdf, acceptance = self.pdf, self.report["acceptance"]
        pdf.heading(_("Client acceptance"), keep=70 if acceptance else 10)
        if acceptance is None:
            pdf.paragraph(_("Not yet signed by the client."), colour=MUTED)
            return
        pdf.paragraph(
            f"{box(acceptance['accepted'])} "
            + _("The system has been accepted and works normally; this service is closed.")
        )

        def choices(opts: list[dict[str, Any]]) -> str:
            return "   ".join(f"{box(o['chosen'])} {o['label']}" for o in opts)

        pdf.pair(_("Attachments handed over:"), choices(acceptance["handover_options"]))
        pdf.pair(_("Satisfaction:"), choices(acceptance["satisfaction_options"]))
        pdf.pair(_("If unsatisfied, why:"), choices(acceptance["reason_options"]))
        pdf.pair(_("Comments:"), acceptance["comments"])
        pdf.ln(1)
        self.signature()
        pdf.pair(_("Signed by:"), acceptance["signer"])
        pdf.pair(_("Confirmation date:"), acceptance["signed_at"])

    def signature(self) -> None:
        pdf, signature = self.pdf, self.report["signature"]
        pdf.font(9, MUTED)
        pdf.cell(30, LINE, _("Client signature:"))
        data = signature_image(self.photo_bytes(signature["id"])) if signature else None
        if data is None:
            pdf.cell(0, LINE, _("signature not yet received"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            return
        if pdf.will_page_break(26):
            pdf.add_page()
        y = pdf.get_y()
        pdf.image(io.BytesIO(data), x=pdf.l_margin + 30, y=y, w=60, h=24, keep_aspect_ratio=True)
        pdf.set_xy(pdf.l_margin, y + 25)

    def seal(self) -> None:
        pdf, report = self.pdf, self.report
        if not report["seal_hash"]:
            return
        pdf.heading(_("Seal"), keep=14)
        pdf.pair(_("Sealed at:"), report["sealed_at"])
        pdf.pair(_("SHA-256:"), report["seal_hash"])
        pdf.paragraph(
            _(
                "This hash covers the answers, photos, acceptance and signature as they were "
                "signed. Anyone holding the record can compute it again to check that nothing "
                "changed."
            ),
            size=7.5,
            colour=MUTED,
        )


def render_round_pdf(report: dict[str, Any], *, locale: str, photo_bytes: PhotoBytes) -> bytes:
    """The report as PDF bytes in `locale` (labels; the report's texts are already in it)."""
    with force_locale(locale):
        return Renderer(report, locale, photo_bytes).render()
