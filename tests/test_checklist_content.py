"""The rules of template content and answers (webapp/checklists/content.py).

The shared cases in tests/checklist_vectors.json run here and, in Chromium, against
static/js/checklist.js (tests/browser/test_checklist_rules.py): the device and the server agree.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from webapp.checklists import content as rules
from webapp.checklists.content import AnswerError, check_answer, expand, missing, validate_template

VECTORS = json.loads((Path(__file__).parent / "checklist_vectors.json").read_text("utf-8"))


def decode(value: Any) -> Any:
    """Undo the vectors' two escapes: {"$repeat": [s, n]} and {"$number": "NaN"}."""
    if isinstance(value, dict):
        if set(value) == {"$repeat"}:
            text, times = value["$repeat"]
            return text * times
        if set(value) == {"$number"}:
            return float(value["$number"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def test_there_are_enough_shared_cases_for_every_kind():
    cases = VECTORS["answers"]
    assert len(cases) >= 40
    kinds = {VECTORS["items"][case["item"]]["kind"] for case in cases}
    assert kinds == set(rules.KINDS)
    assert any("errors" in case for case in cases) and any("status" in case for case in cases)


@pytest.mark.parametrize("case", VECTORS["answers"], ids=lambda case: case["name"])
def test_answer_vectors(app, case):
    item = VECTORS["items"][case["item"]]
    answer = decode(case["answer"])
    with app.test_request_context():
        if "status" in case:
            assert check_answer(item, answer) == case["status"]
        else:
            with pytest.raises(AnswerError) as err:
                check_answer(item, answer)
            assert sorted(err.value.messages) == case["errors"]
            for messages in err.value.messages.values():
                assert messages and all(isinstance(m, str) and m for m in messages)


@pytest.mark.parametrize("case", VECTORS["numbers"], ids=lambda case: repr(case[0]))
def test_number_vectors(case):
    value, expected = case
    assert rules.is_number_ok(decode(value)) is expected


def test_expand_and_missing_vectors():
    content = VECTORS["round"]
    assert validate_template(content) == {}
    spec = VECTORS["expand"]
    assert [e["key"] for e in expand(content, spec["equipment_ids"])] == spec["keys"]
    for case in VECTORS["missing"]:
        found = missing(content, case["equipment_ids"], decode(case["answers"]))
        assert [[m["key"], m["equipment_id"], m["reason"]] for m in found] == case["missing"], case[
            "name"
        ]
        assert all(m["label"]["zh_Hans"] for m in found)


@pytest.mark.parametrize("case", VECTORS["texts"])
def test_text_vectors(case):
    obj, locale, expected = case
    assert rules.text(obj, locale) == expected


@pytest.mark.parametrize("case", VECTORS["signs"], ids=lambda case: repr(case[0]))
def test_who_signs_vectors(app, case):
    content, expected = case
    assert rules.client_signs(content) is expected
    with_sections = {"title": VECTORS["round"]["title"], "sections": [], **content}
    with app.test_request_context():
        assert validate_template(with_sections) == {}


def test_missing_reads_answer_records_as_well_as_dicts():
    class Answer:
        def __init__(self, status, note=None, photos=None, value=None):
            self.status, self.note, self.photos, self.value = status, note, photos, value

    content = VECTORS["round"]
    answers = {
        "power_on": Answer("normal"),
        "panel": Answer("normal", photos=["3f2504e0-4f89-41d3-9a0c-0305e82c3301"]),
        "look@e1": Answer("abnormal", note="破损"),
        "clean@e1": Answer("normal", value={"cleaned": 1, "damaged": 0}),
    }
    found = missing(content, ["e1"], answers)
    assert [(m["key"], m["reason"]) for m in found] == [("look@e1", "photo")]
    assert check_answer(content["sections"][1]["items"][0], answers["look@e1"]) == "abnormal"


def test_expand_repeats_a_section_device_by_device_with_uuid_ids():
    from uuid import UUID

    ids = [UUID(int=1), UUID(int=2)]
    entries = expand(VECTORS["round"], ids)
    repeated = [e for e in entries if e["equipment_id"]]
    assert [e["key"] for e in repeated] == [
        f"look@{ids[0]}",
        f"clean@{ids[0]}",
        f"look@{ids[1]}",
        f"clean@{ids[1]}",
    ]
    assert repeated[0]["section"]["key"] == "device" and repeated[0]["item"]["kind"] == "check"
    assert rules.find(VECTORS["round"], ids, f"clean@{ids[1]}")["equipment_id"] == str(ids[1])
    assert rules.find(VECTORS["round"], ids, "clean") is None
    assert rules.find(VECTORS["round"], ids, "look@other") is None


# -- template validation -------------------------------------------------------------------------


def _t(text: str) -> dict[str, str]:
    return {"zh_Hans": text, "zh_Hant": text, "en": text}


def _valid() -> dict:
    content = copy.deepcopy(VECTORS["round"])
    items = content["sections"][0]["items"]
    items.append(copy.deepcopy(VECTORS["items"]["filter"]))
    items.append(copy.deepcopy(VECTORS["items"]["voltage"]))
    items.append(copy.deepcopy(VECTORS["items"]["voltage_230"]))
    items.append({**copy.deepcopy(VECTORS["items"]["checked_handled"]), "hint": _t("说明")})
    return content


def _errors(change) -> set[str]:
    content = _valid()
    change(content)
    return set(validate_template(content))


def _item(content: dict, key: str) -> dict:
    for section in content["sections"]:
        for item in section["items"]:
            if item["key"] == key:
                return item
    raise KeyError(key)


def test_a_valid_template_has_no_errors(app):
    with app.test_request_context():
        assert validate_template(_valid()) == {}


BAD_TEMPLATES = [
    ("not an object", lambda c: c.clear() or c.update(sections="x"), {"title", "form", "sections"}),
    ("unknown top field", lambda c: c.update(colour="red"), {"colour"}),
    ("title missing a language", lambda c: c["title"].pop("zh_Hant"), {"title.zh_Hant"}),
    ("blank english title", lambda c: c["title"].update(en="  "), {"title.en"}),
    ("unknown language", lambda c: c["title"].update(fr="Test"), {"title.fr"}),
    ("title not an object", lambda c: c.update(title="测试"), {"title"}),
    ("unknown form", lambda c: c.update(form="daily"), {"form"}),
    ("unknown signer", lambda c: c.update(acceptance="engineer"), {"acceptance"}),
    ("no signer", lambda c: c.update(acceptance="none"), set()),
    ("sections not a list", lambda c: c.update(sections={}), {"sections"}),
    (
        "section key used twice",
        lambda c: c["sections"][1].update(key="general"),
        {"sections.1.key"},
    ),
    ("bad section key", lambda c: c["sections"][0].update(key="总体"), {"sections.0.key"}),
    ("unknown repeat", lambda c: c["sections"][1].update(repeat="location"), {"sections.1.repeat"}),
    ("section title missing", lambda c: c["sections"][0].pop("title"), {"sections.0.title"}),
    ("items not a list", lambda c: c["sections"][0].update(items=None), {"sections.0.items"}),
    (
        "item key used twice across sections",
        lambda c: c["sections"][1]["items"][0].update(key="power_on"),
        {"sections.1.items.0.key"},
    ),
    (
        "item key with @",
        lambda c: _item(c, "panel").update(key="panel@1"),
        {"sections.0.items.3.key"},
    ),
    (
        "item key too long",
        lambda c: _item(c, "panel").update(key="a" * 65),
        {"sections.0.items.3.key"},
    ),
    ("item key of 64 is fine", lambda c: _item(c, "panel").update(key="a" * 64), set()),
    (
        "unknown kind",
        lambda c: _item(c, "panel").update(kind="signature"),
        {"sections.0.items.3.kind"},
    ),
    (
        "label missing english",
        lambda c: _item(c, "power_on")["label"].pop("en"),
        {"sections.0.items.0.label.en"},
    ),
    (
        "hint not an object",
        lambda c: _item(c, "power_on").update(hint="提示"),
        {"sections.0.items.0.hint"},
    ),
    (
        "required not a boolean",
        lambda c: _item(c, "power_on").update(required="yes"),
        {"sections.0.items.0.required"},
    ),
    (
        "check without a sense",
        lambda c: _item(c, "power_on").pop("sense"),
        {"sections.0.items.0.sense"},
    ),
    (
        "check with an unknown sense",
        lambda c: _item(c, "power_on").update(sense="taste"),
        {"sections.0.items.0.sense"},
    ),
    (
        "field of another kind",
        lambda c: _item(c, "power_on").update(unit="V"),
        {"sections.0.items.0.unit"},
    ),
    (
        "abnormal_requires outside note and photo",
        lambda c: _item(c, "power_on").update(abnormal_requires=["signature"]),
        {"sections.0.items.0.abnormal_requires"},
    ),
    (
        "abnormal_requires twice the same",
        lambda c: _item(c, "power_on").update(abnormal_requires=["note", "note"]),
        {"sections.0.items.0.abnormal_requires"},
    ),
    (
        "abnormal_requires on an item never abnormal",
        lambda c: _item(c, "remarks").update(abnormal_requires=["note"]),
        {"sections.0.items.1.abnormal_requires"},
    ),
    (
        "text multiline not a boolean",
        lambda c: _item(c, "remarks").update(multiline=1),
        {"sections.0.items.1.multiline"},
    ),
    (
        "one count only",
        lambda c: _item(c, "clean")["counts"].pop(),
        {"sections.1.items.1.counts"},
    ),
    (
        "three counts",
        lambda c: _item(c, "clean")["counts"].append({"key": "lost", "label": _t("丢失")}),
        {"sections.1.items.1.counts"},
    ),
    (
        "two counts with one key",
        lambda c: _item(c, "clean")["counts"][1].update(key="cleaned"),
        {"sections.1.items.1.counts.1.key", "sections.1.items.1.abnormal_if"},
    ),
    (
        "count label missing",
        lambda c: _item(c, "clean")["counts"][0].pop("label"),
        {"sections.1.items.1.counts.0.label"},
    ),
    (
        "abnormal_if not among the counts",
        lambda c: _item(c, "clean").update(abnormal_if="lost"),
        {"sections.1.items.1.abnormal_if"},
    ),
    ("counts without abnormal_if are fine", lambda c: _item(c, "clean").pop("abnormal_if"), set()),
    (
        "measurement without a unit",
        lambda c: _item(c, "voltage").update(unit=""),
        {"sections.0.items.5.unit"},
    ),
    (
        "measurement with a negative tolerance",
        lambda c: _item(c, "voltage").update(tolerance=-1),
        {"sections.0.items.5.tolerance"},
    ),
    (
        "measurement without a tolerance",
        lambda c: _item(c, "voltage").pop("tolerance"),
        {"sections.0.items.5.tolerance"},
    ),
    (
        "measurement with a nominal that is not a number",
        lambda c: _item(c, "v230").update(nominal="230"),
        {"sections.0.items.6.nominal"},
    ),
    (
        "measurement tolerance with seven decimals",
        lambda c: _item(c, "v230").update(tolerance=0.1234567),
        {"sections.0.items.6.tolerance"},
    ),
    (
        "choice with one option",
        lambda c: _item(c, "filter")["options"].__delitem__(slice(1, 3)),
        {"sections.0.items.4.options"},
    ),
    (
        "choice with options sharing a key",
        lambda c: _item(c, "filter")["options"][2].update(key="clean"),
        {"sections.0.items.4.options.2.key", "sections.0.items.4.abnormal_options"},
    ),
    (
        "abnormal option that is not an option",
        lambda c: _item(c, "filter").update(abnormal_options=["melted"]),
        {"sections.0.items.4.abnormal_options"},
    ),
    (
        "option label missing a language",
        lambda c: _item(c, "filter")["options"][0]["label"].pop("zh_Hans"),
        {"sections.0.items.4.options.0.label.zh_Hans"},
    ),
]


@pytest.mark.parametrize("case", BAD_TEMPLATES, ids=lambda case: case[0])
def test_template_errors_name_their_place(app, case):
    _name, change, expected = case
    with app.test_request_context():
        assert _errors(change) == expected


def test_template_errors_are_translated(app):
    content = _valid()
    content["sections"][0]["items"][0]["sense"] = "taste"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        errors = validate_template(content)
    (message,) = errors["sections.0.items.0.sense"]
    assert "look" in message  # the allowed senses are named


def test_shipped_templates_are_valid():
    from webapp.checklists.operations import SHIPPED_KEYS, shipped_content

    for key in SHIPPED_KEYS:
        assert validate_template(shipped_content(key)) == {}, key
