"""The device and the server agree on answers: every shared case in tests/checklist_vectors.json
runs against static/js/checklist.js in Chromium, as tests/test_checklist_content.py runs it
against webapp/checklists/content.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

VECTORS = json.loads((Path(__file__).parent.parent / "checklist_vectors.json").read_text("utf-8"))

RUN_VECTORS = """async (vectors) => {
  const rules = await import('/static/js/checklist.js');
  const decode = (value) => {
    if (Array.isArray(value)) return value.map(decode);
    if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === '$repeat') {
        return value.$repeat[0].repeat(value.$repeat[1]);
      }
      if (keys.length === 1 && keys[0] === '$number') return Number(value.$number);
      return Object.fromEntries(keys.map((key) => [key, decode(value[key])]));
    }
    return value;
  };
  const answers = vectors.answers.map((c) => {
    const result = rules.checkAnswer(vectors.items[c.item], decode(c.answer));
    const messagesOk = !result.errors || Object.values(result.errors).every(
      (list) => list.length > 0 && list.every((m) => typeof m === 'string' && m.length > 0));
    return {
      name: c.name,
      status: result.status ?? null,
      errors: result.errors ? Object.keys(result.errors).sort() : null,
      messagesOk,
    };
  });
  const numbers = vectors.numbers.map(([value, expected]) => [
    JSON.stringify(value), rules.isNumberOk(decode(value)), expected]);
  const expanded = rules.expand(vectors.round, vectors.expand.equipment_ids).map((e) => e.key);
  const missing = vectors.missing.map((c) => ({
    name: c.name,
    found: rules.missing(vectors.round, c.equipment_ids, decode(c.answers))
      .map((m) => [m.key, m.equipment_id, m.reason]),
  }));
  const texts = vectors.texts.map(([obj, locale]) => rules.text(obj, locale));
  const signs = vectors.signs.map(([content]) => rules.clientSigns(content));
  return { answers, numbers, expanded, missing, texts, signs };
}"""


def test_the_device_agrees_with_every_shared_case(desktop, live_server):
    desktop.goto(f"{live_server}/app/")
    result = desktop.evaluate(RUN_VECTORS, VECTORS)

    disagreements = []
    for case, got in zip(VECTORS["answers"], result["answers"], strict=True):
        if "status" in case and (got["status"], got["errors"]) != (case["status"], None):
            disagreements.append((case["name"], got))
        if "errors" in case and got["errors"] != case["errors"]:
            disagreements.append((case["name"], got))
        if not got["messagesOk"]:
            disagreements.append((case["name"], "empty message"))
    assert disagreements == []
    assert [
        [value, expected] for value, got, expected in result["numbers"] if got != expected
    ] == []
    assert result["expanded"] == VECTORS["expand"]["keys"]
    for case, got in zip(VECTORS["missing"], result["missing"], strict=True):
        assert got["found"] == case["missing"], case["name"]
    assert result["texts"] == [expected for _obj, _locale, expected in VECTORS["texts"]]
    assert result["signs"] == [expected for _content, expected in VECTORS["signs"]]


def test_device_messages_speak_the_loaded_language(phone, live_server):
    phone.goto(f"{live_server}/app/")
    messages = phone.evaluate(
        """async () => {
          const i18n = await import('/static/js/i18n.js');
          const rules = await import('/static/js/checklist.js');
          const item = {key: 'v', kind: 'measurement', unit: 'V', nominal: null, tolerance: 1,
                        label: {zh_Hans: '电压', zh_Hant: '電壓', en: 'Voltage'}};
          const answer = {value: {reading: Infinity, nominal: 220}, note: 12};
          await i18n.loadLocale('en');
          const english = rules.checkAnswer(item, answer).errors;
          await i18n.loadLocale('zh_Hans');
          const chinese = rules.checkAnswer(item, answer).errors;
          return {english, chinese};
        }"""
    )
    assert messages["english"] == {
        "note": ["Not a valid string."],
        "value.reading": ["Special numeric values (nan or infinity) are not permitted."],
    }
    assert messages["chinese"] == {
        "note": ["不是有效的字符串。"],
        "value.reading": ["不允许使用特殊数值（nan 或 infinity）。"],
    }
