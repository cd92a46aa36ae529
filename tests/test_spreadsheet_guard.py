"""One formula guard for every CSV and XLSX export, run over one set of cases
(tests/spreadsheet_cases.json): the guard itself, the equipment register's exports and import,
and the round reports' exports (issue 9, item 9)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from webapp.inventory import files, transfer
from webapp.reports import operations as reports
from webapp.spreadsheets import (
    NOT_IN_WORKBOOKS,
    csv_cell,
    looks_like_formula,
    unguard,
    write_csv,
    write_xlsx,
)

CASES = json.loads((Path(__file__).parent / "spreadsheet_cases.json").read_text())["cases"]
IDS = [repr(c["text"])[:24] for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_guard_knows_each_case(case):
    text = case["text"]
    assert looks_like_formula(text) is case["formula"]
    assert csv_cell(text) == ("'" + text if case["formula"] else text)
    assert unguard(csv_cell(text)) == text


def _csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx_cells(data: bytes):
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2))


def _check_xlsx_cell(cell, case) -> None:
    kept = NOT_IN_WORKBOOKS.sub("", case["text"])
    kept = kept.replace("\r\n", "\n").replace("\r", "\n")  # XML reads line ends as \n
    assert (cell.value or "") == kept
    if case["formula"]:
        assert cell.data_type == "s"  # text, not a formula
        assert cell.quotePrefix  # and stays text when someone edits it


def test_every_equipment_export_guards_every_case(app):
    headers = [c.key for c in transfer.COLUMNS]
    notes = headers.index("notes")
    rows = []
    for case in CASES:
        row = [""] * len(headers)
        row[notes] = case["text"]
        rows.append(row)
    with app.test_request_context():
        written = _csv_cells(transfer.to_csv(headers, rows))[1:]
        sheet = _xlsx_cells(transfer.to_xlsx(headers, rows, title="x"))
    for case, line, cells in zip(CASES, written, sheet, strict=True):
        assert line[notes] == csv_cell(case["text"]), case
        _check_xlsx_cell(cells[notes], case)


def test_the_equipment_import_takes_the_guard_off_again():
    for case in CASES:
        guarded = csv_cell(case["text"])
        assert files.cell_text(guarded) == case["text"].strip(), case


def test_every_round_report_export_guards_every_case(app):
    records = [{**{key: "" for key, _title in reports.COLUMNS}, "signer": c["text"]} for c in CASES]
    signer = [key for key, _title in reports.COLUMNS].index("signer")
    with app.test_request_context():
        written = _csv_cells(reports.export_csv(records))[1:]
        sheet = _xlsx_cells(reports.export_xlsx(records, sheet_title="x"))
    for case, line, cells in zip(CASES, written, sheet, strict=True):
        assert line[signer] == csv_cell(case["text"]), case
        _check_xlsx_cell(cells[signer], case)


def test_the_shared_writer_guards_every_case_in_headings_and_cells():
    headers = ["name", CASES[0]["text"]]
    rows = [[case["text"], 1] for case in CASES]
    written = _csv_cells(write_csv(headers, rows))
    assert written[0][1] == csv_cell(CASES[0]["text"])
    book = write_xlsx(headers, rows, title="[a]:b*c?/d\\e" * 5)
    heading = next(load_workbook(io.BytesIO(book)).active.iter_rows(max_row=1))
    _check_xlsx_cell(heading[1], CASES[0])
    for case, line, cells in zip(CASES, written[1:], _xlsx_cells(book), strict=True):
        assert line[0] == csv_cell(case["text"]), case
        _check_xlsx_cell(cells[0], case)
