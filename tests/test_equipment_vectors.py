"""The server's equipment rules against the shared cases in tests/equipment_vectors.json; the
same file runs in Chromium against static/js/equipment-fields.js
(tests/browser/test_contract_vectors.py), so the phone refuses exactly what the server refuses."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from webapp.inventory.schemas import EquipmentIn, EquipmentPatch

VECTORS = json.loads((Path(__file__).parent / "equipment_vectors.json").read_text("utf-8"))


def record_of(case: dict) -> dict:
    """The record a case sends: the base with the case laid over it, or a change alone."""
    if case["op"] == "update":
        return dict(case["record"])
    record = {**VECTORS["base"], **case["record"]}
    for name in case.get("remove", []):
        record.pop(name)
    return record


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_the_server_refuses_exactly_the_fields_of_each_case(app, case):
    app.config["CLOCK"] = lambda: datetime.fromisoformat(VECTORS["now"])
    schema = EquipmentPatch() if case["op"] == "update" else EquipmentIn()
    with app.test_request_context():
        errors = schema.validate(record_of(case))
    assert sorted(errors) == case["errors"], errors


def test_the_cases_cover_every_rule_of_the_register():
    """Each field the phone edits is refused at least once, both ways: the file stays useful
    when a field is added."""
    refused = {name for case in VECTORS["cases"] for name in case["errors"]}
    checked = {
        name
        for name, field in EquipmentIn().fields.items()
        if field.validators or field.required or not field.allow_none
    }
    assert checked - refused == set()
    assert any(not case["errors"] for case in VECTORS["cases"] if case["op"] == "update")
