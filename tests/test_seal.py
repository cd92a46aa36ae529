"""The seal's canonical bytes (webapp/rounds/seal.py).

The shared cases in tests/seal_vectors.json run here and, in Chromium, against static/js/seal.js
(tests/browser/test_seal_vectors.py): the device and the server write the same bytes, so a
client's signature made offline is accepted on arrival.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from webapp.rounds.seal import build_content, canonical_json, equipment_of, seal_hash

VECTORS = json.loads((Path(__file__).parent / "seal_vectors.json").read_text("utf-8"))


def decode(value: Any) -> Any:
    """Undo the vectors' one escape: {"$number": "NaN"} for the numbers JSON cannot write."""
    if isinstance(value, dict):
        if set(value) == {"$number"}:
            return float(value["$number"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def _has_float(value: Any) -> bool:
    if isinstance(value, float) or (isinstance(value, int) and abs(value) > 2**53):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


def test_the_shared_cases_cover_what_rounds_hold():
    names = " ".join(case["name"] for case in VECTORS["values"])
    for needed in ("Chinese", "escapes", "exponent", "null", "keys sorted", "2**53"):
        assert needed in names, needed
    rounds = VECTORS["rounds"]
    assert any(c["input"]["round"].get("revision_of") for c in rounds)  # a revision
    assert any(c["input"]["round"].get("fault_id") for c in rounds)  # a contact form for a fault
    assert any(c["input"]["round"].get("header") == {} for c in rounds)  # an empty header
    per_device = [a for c in rounds for a in c["content"]["answers"] if "@" in a["item_key"]]
    assert len(per_device) >= 4
    held = [a for c in rounds for a in c["input"]["answers"]]
    assert not any("equipment_id" in a for a in held)  # as the device stores them


@pytest.mark.parametrize("case", VECTORS["values"], ids=lambda case: case["name"])
def test_value_vectors(case):
    written = canonical_json(case["value"])
    assert written == case["json"]
    assert hashlib.sha256(written.encode("utf-8")).hexdigest() == case["sha256"]
    if not _has_float(case["value"]):
        # An independent writer agrees wherever it writes numbers the same way.
        plain = json.dumps(case["value"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert written == plain


@pytest.mark.parametrize("case", VECTORS["refused"], ids=lambda case: case["name"])
def test_refused_vectors(case):
    with pytest.raises(ValueError):
        canonical_json(decode(case["value"]))


@pytest.mark.parametrize("case", VECTORS["rounds"], ids=lambda case: case["name"])
def test_round_vectors(case):
    given = case["input"]
    content = build_content(
        given["round"],
        given["answers"],
        digests=given["digests"],
        acceptance=given["acceptance"],
        signature_id=given["signature_id"],
    )
    assert content == case["content"]
    assert canonical_json(content) == case["json"]
    assert seal_hash(content) == case["sha256"]
    # Each answer names its device, read from the item key; none outside repeated sections.
    for answer in content["answers"]:
        assert answer["equipment_id"] == equipment_of(answer["item_key"])
        key, _, device = answer["item_key"].partition("@")
        assert answer["equipment_id"] == (device or None)


def test_a_seal_without_the_device_of_each_answer_is_another_seal():
    case = VECTORS["rounds"][0]
    dropped = json.loads(case["json"])
    for answer in dropped["answers"]:
        answer["equipment_id"] = None
    assert seal_hash(dropped) != case["sha256"]


def test_a_contact_form_sealed_for_one_fault_is_not_sealed_for_another():
    """The client's signature on a contact form confirms the fault it was started from: the
    seal covers that fault, and only rounds that have one carry the key."""
    (case,) = [c for c in VECTORS["rounds"] if c["input"]["round"].get("fault_id")]
    moved = json.loads(case["json"])
    moved["round"]["fault_id"] = "0" * 8 + case["input"]["round"]["fault_id"][8:]
    assert seal_hash(moved) != case["sha256"]
    del moved["round"]["fault_id"]
    assert seal_hash(moved) != case["sha256"]
    for other in VECTORS["rounds"]:
        if not other["input"]["round"].get("fault_id"):
            assert "fault_id" not in other["content"]["round"]
