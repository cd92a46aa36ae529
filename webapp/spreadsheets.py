"""The one formula guard for every CSV and XLSX the office downloads.

A spreadsheet program takes a cell beginning with = + - @ (or a tab or carriage return, which
some read past) as a formula, also after leading spaces, line breaks or control characters. Text
a person typed must open as that text, never run: such a cell is written with a leading
apostrophe in a CSV, and as a text cell marked "quote prefix" in a workbook. The equipment
import takes the apostrophe off again. Cases shared by every export: tests/spreadsheet_cases.json.
"""

from __future__ import annotations

import re
from datetime import date
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
