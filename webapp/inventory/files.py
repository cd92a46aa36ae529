"""Reading an uploaded spreadsheet (CSV in any of the encodings Chinese spreadsheets write, or
XLSX) into a `Sheet`: its header and numbered rows, nothing interpreted yet. What the rows mean
for the register is the import plan's business (transfer.py)."""

from __future__ import annotations

import codecs
import csv
import io
import os
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from ..spreadsheets import unguard

MAX_BYTES = 5 * 1024 * 1024  # settings IMPORT_MAX_BYTES / IMPORT_MAX_ROWS override these
MAX_ROWS = 5000
MAX_UNPACKED = 100 * 1024 * 1024  # an .xlsx is a zip: refuse one that would unpack past this


class FileProblem(Exception):
    """The file as a whole cannot be imported. The message is already translated."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# --- Reading files -------------------------------------------------------------------------


@dataclass
class Sheet:
    kind: str  # csv or xlsx
    header: list[Any]
    rows: list[tuple[int, list[Any]]]  # (line as a spreadsheet numbers it, cells)
    encoding: str | None = None


def read_upload(data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> Sheet:
    """Read a CSV or XLSX upload, recognised by its content more than by its name."""
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    extension = os.path.splitext(filename.lower())[1]
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, max_rows=max_rows)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(
            _("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.")
        )
    if extension in (".xlsx", ".xlsm"):
        raise FileProblem(_("This file is not a valid .xlsx workbook."))
    if extension not in ("", ".csv", ".txt", ".tsv"):
        raise FileProblem(_("Choose a .csv or .xlsx file."))
    return read_csv(data, max_rows=max_rows)


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 as Chinese spreadsheets write."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif b"\x00" in data[:4096]:
        raise FileProblem(_("Choose a .csv or .xlsx file."))
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileProblem(
        _("The text of this file could not be read. Save it as CSV (UTF-8) and upload it again.")
    )


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def read_csv(data: bytes, *, max_rows: int = MAX_ROWS) -> Sheet:
    text, encoding = decode_text(data)
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text[:4096]))
    return _sheet("csv", _numbered(reader), max_rows=max_rows, encoding=encoding)


def _numbered(reader) -> Iterable[tuple[int, list[Any]]]:
    """Number records as a spreadsheet shows them (a quoted cell may span several lines)."""
    line = 0
    try:
        for line, cells in enumerate(reader, start=1):  # noqa: B007 - read after the loop
            yield line, cells
    except csv.Error as err:
        raise FileProblem(
            _("Line %(line)d cannot be read as CSV: %(reason)s", line=line + 1, reason=str(err))
        ) from None


def read_xlsx(data: bytes, *, max_rows: int = MAX_ROWS) -> Sheet:
    """The first worksheet of a workbook; cached values of formulas, not the formulas."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise FileProblem(_("This file is not a valid .xlsx workbook."))
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise FileProblem(_("This workbook is too large once unpacked."), 413)
    except zipfile.BadZipFile:
        raise FileProblem(_("This file is not a valid .xlsx workbook.")) from None
    from openpyxl import load_workbook

    with warnings.catch_warnings():  # openpyxl warns about styles and extensions it skips
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # a third-party parser on untrusted bytes: any failure means "bad file"
            raise FileProblem(_("This file is not a valid .xlsx workbook.")) from None
        try:
            if not workbook.worksheets:
                raise FileProblem(_("The workbook has no worksheet."))
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            return _sheet("xlsx", ((n, list(r)) for n, r in enumerate(rows, 1)), max_rows=max_rows)
        except FileProblem:
            raise
        except Exception:
            raise FileProblem(_("This file is not a valid .xlsx workbook.")) from None
        finally:
            workbook.close()


def _sheet(kind: str, numbered, *, max_rows: int, encoding: str | None = None) -> Sheet:
    """The first non-blank row is the header; blank rows are skipped but keep their number."""
    header: list[Any] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for line, cells in numbered:
        if line > max_rows * 10:  # a sheet of mostly empty rows: stop reading, not the server
            raise FileProblem(_too_many(max_rows), 413)
        if all(cell_text(c) == "" for c in cells):
            continue
        if header is None:
            header = cells
            continue
        if len(rows) == max_rows:
            raise FileProblem(_too_many(max_rows), 413)
        rows.append((line, cells[: len(header)]))
    if header is None:
        raise FileProblem(_("The file is empty."))
    if not rows:
        raise FileProblem(_("The file has column names but no rows."))
    return Sheet(kind, header, rows, encoding)


def _too_many(max_rows: int) -> str:
    return _(
        "The file has more than %(rows)d rows. Split it into smaller files.",
        rows=max_rows,
    )


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious '.0', an export's formula guard removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    text = unguard(str(value).lstrip()).strip()  # an export's guard (spreadsheets.py) removed
    return text
