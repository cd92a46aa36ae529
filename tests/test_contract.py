"""The phone–server contract (/app/contract.json): every vocabulary and field rule comes from
the server's own definitions, each label is a msgid every catalogue translates, and a change
reaches the phone as a new version of the app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webapp.i18n import load_catalogue
from webapp.inventory.schemas import EquipmentIn
from webapp.models import choices
from webapp.pwa import views as pwa

pytestmark = pytest.mark.usefixtures("app")


def test_the_phone_receives_every_vocabulary_in_the_servers_order(client):
    body = client.get("/app/contract.json").get_json()
    assert set(body["vocabularies"]) == set(choices.VOCABULARIES)
    for name, mapping in choices.VOCABULARIES.items():
        served = body["vocabularies"][name]
        assert [e["value"] for e in served] == list(mapping), name
        assert [e["label"] for e in served] == [label.msgid for label in mapping.values()], name
    senses = {e["value"]: e["label"] for e in body["vocabularies"]["sense"]}
    assert senses["measure"] == "Measurement"  # one label, on the phone and in the report


def test_the_equipment_rules_are_the_schemas(client):
    rules = {
        r["name"]: r for r in client.get("/app/contract.json").get_json()["fields"]["equipment"]
    }
    assert list(rules) == list(EquipmentIn().fields)
    assert rules["name"] == {
        "name": "name",
        "type": "text",
        "required": True,
        "nullable": False,
        "max_length": 200,
    }
    assert rules["code"]["max_length"] == 50 and not rules["code"]["required"]
    assert rules["notes"]["max_length"] == 4000
    assert (
        rules["system"]["choices"] == "equipment_system" and rules["system"]["default"] == "other"
    )
    assert rules["status"]["choices"] == "equipment_status" and rules["status"]["required"]
    assert (rules["service_years"]["min"], rules["service_years"]["max"]) == (0, 100)
    assert rules["installed_on"]["type"] == "date" and rules["installed_on"]["nullable"]
    assert rules["site_id"] == {
        "name": "site_id",
        "type": "id",
        "required": True,
        "nullable": False,
    }


def test_the_rounds_forms_carry_the_schemas_limits(client):
    forms = client.get("/app/contract.json").get_json()["fields"]
    limits = {
        (form, r["name"]): r.get("max_length") for form, rules in forms.items() for r in rules
    }
    assert limits[("round_submit", "summary")] == 4000
    assert limits[("round_submit", "responsible")] == 100
    assert limits[("acceptance", "comments")] == 2000
    assert limits[("acceptance", "signer")] == 100
    assert limits[("answer", "note")] == 2000
    reasons = next(r for r in forms["acceptance"] if r["name"] == "reasons")
    assert (reasons["choices"], reasons["max_items"]) == ("reason", 3)


def test_the_phone_copies_no_limit_of_the_server():
    """Every maxlength on the phone is read from the contract (or the checklist rules)."""
    static = Path(__file__).resolve().parent.parent / "static" / "js"
    literal = re.compile(r"maxlength: *'?\d")
    copied = [
        f"{path.name}:{n}"
        for path in static.rglob("*.js")
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if literal.search(line)
    ]
    assert copied == []


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_label_the_phone_is_sent_is_translated(client, locale):
    body = client.get("/app/contract.json").get_json()
    labels = {
        label
        for entries in body["vocabularies"].values()
        for entry in entries
        for label in (entry["label"], entry.get("short"))
        if label
    }
    translated = {m.id: m.string for m in load_catalogue(locale) if m.id and m.string}
    assert labels - set(translated) == set()
    # And the phone's catalogue (what t() reads offline) carries them.
    messages = client.get(f"/app/i18n/{locale}.json").get_json()["messages"]
    assert {label: messages.get(label) for label in labels} == {
        label: translated[label] for label in labels
    }


def _version(client) -> str:
    return re.search(r"const VERSION = '([0-9a-f]+)'", client.get("/app/sw.js").get_data(True))[1]


def test_the_contract_is_precached_and_part_of_the_version(client, monkeypatch):
    worker = client.get("/app/sw.js").get_data(as_text=True)
    assert '"/app/contract.json"' in worker
    before = _version(client)
    changed = {
        **choices.VOCABULARIES,
        "fault_effect": {**choices.FAULT_EFFECTS, "urgent": choices.Label("Urgent")},
    }
    monkeypatch.setattr(choices, "VOCABULARIES", changed)
    monkeypatch.setattr("webapp.pwa.contract.VOCABULARIES", changed)
    pwa.contract_bytes.cache_clear()
    try:
        assert _version(client) != before
        values = [
            e["value"]
            for e in client.get("/app/contract.json").get_json()["vocabularies"]["fault_effect"]
        ]
        assert "urgent" in values
    finally:
        pwa.contract_bytes.cache_clear()
