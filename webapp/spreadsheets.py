"""The one formula guard for every CSV and XLSX the office downloads.

A spreadsheet program takes a cell beginning with = + - @ (or a tab or carriage return, which
some read past) as a formula, also after leading spaces, line breaks or control characters. Text
a person typed must open as that text, never run: such a cell is written with a leading
apostrophe in a CSV, and as a text cell marked "quote prefix" in a workbook. The equipment
import takes the apostrophe off again. Cases shared by every export: tests/spreadsheet_cases.json.

It is also the one writer of every export: `write_csv` and `write_xlsx` take a heading and rows
(the equipment register, the access log, the month sheet), `from_columns` turns a list of
records with keyed columns into those (the round list, the fault list). Every cell, the heading
included, goes through the guard.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from itertools import islice
from typing import Any

# Leading whitespace (any, also U+3000 and NBSP) or control characters, then a formula start.
FORMULA_LIKE = re.compile(r"^[\s\x00-\x1f\x7f]*[=+\-@\t\r]")
# What a workbook cannot hold (XML 1.0): dropped from text cells.
NOT_IN_WORKBOOKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def looks_like_formula(text: str) -> bool:
    return bool(FORMULA_LIKE.match(text))


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: dates as YYYY-MM-DD, formula-like text behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def unguard(text: str) -> str:
    """A cell read back from an export: the apostrophe the guard put in front taken off."""
    if text.startswith("'") and looks_like_formula(text[1:]):
        return text[1:]
    return text


def xlsx_cell(sheet, value: Any) -> Any:
    """A value for a write-only sheet: text never a formula (formula-like text is a text cell
    marked "quote prefix", so editing it keeps it text), characters a workbook cannot hold
    dropped; plain text and other values as they are (the fast path)."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return value
    text = NOT_IN_WORKBOOKS.sub("", value)
    if not looks_like_formula(text):
        return text  # openpyxl writes a str not starting with "=" as text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


Columns = Sequence[tuple[str, Any]]  # (key of the record, heading: text or a lazy translation)


def from_columns(
    columns: Columns, records: Iterable[Mapping[str, Any]], *, limit: int
) -> tuple[list[str], Iterable[list[Any]]]:
    """A list of records with keyed columns as a heading and rows, at most `limit` rows."""
    headers = [str(title) for _key, title in columns]
    rows = ([record[key] for key, _title in columns] for record in islice(records, limit))
    return headers, rows


def column_widths(columns: Columns, widths: Mapping[str, int], default: int = 14) -> list[int]:
    return [widths.get(key, default) for key, _title in columns]


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese right), CRLF
    lines, every cell through `csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def sheet_title(title: str) -> str:
    """A worksheet's name as a workbook allows it: no []:*?/\\, at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", " ", NOT_IN_WORKBOOKS.sub("", title))[:31] or "Sheet1"


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    widths: Sequence[int] = (),
    frozen: str = "A2",
) -> bytes:
    """One sheet, a bold frozen heading, dates as date cells, text never a formula. `widths`:
    the columns' widths from the first; `frozen`: the first cell that scrolls."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    sheet.freeze_panes = frozen
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)

    def cell(value: Any):
        """Plain values where they are safe (the fast path), a styled cell where needed."""
        if isinstance(value, date) and not isinstance(value, datetime):
            made = WriteOnlyCell(sheet, value=value)
            made.number_format = "yyyy-mm-dd"
            return made
        return xlsx_cell(sheet, value)

    def heading(text: Any):
        made = xlsx_cell(sheet, str(text))
        if isinstance(made, str):  # plain text: a cell of its own, to be bold
            made = WriteOnlyCell(sheet, value=made)
            made.data_type = "s"
        made.font = bold
        return made

    sheet.append([heading(h) for h in headers])
    for row in rows:
        sheet.append([cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
