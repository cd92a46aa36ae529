"""The device writes the seal's bytes as the server does: every shared case in
tests/seal_vectors.json runs against static/js/seal.js in Chromium, as tests/test_seal.py runs it
against webapp/rounds/seal.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

TEXT = (Path(__file__).parent.parent / "seal_vectors.json").read_text("utf-8")
VECTORS = json.loads(TEXT)

# The file goes in as text and is parsed in the page, as the device would read such numbers
# (9007199254740993 becomes a double) and strings (lone surrogates survive JSON.parse).
RUN_VECTORS = """async (text) => {
  const seal = await import('/static/js/seal.js');
  const vectors = JSON.parse(text);
  const decode = (value) => {
    if (Array.isArray(value)) return value.map(decode);
    if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === '$number') return Number(value.$number);
      return Object.fromEntries(keys.map((key) => [key, decode(value[key])]));
    }
    return value;
  };
  const values = [];
  for (const c of vectors.values) {
    const json = seal.canonicalJson(c.value);
    values.push({ name: c.name, json, sha256: await seal.sha256Text(json) });
  }
  const refused = vectors.refused.map((c) => {
    try {
      return { name: c.name, written: seal.canonicalJson(decode(c.value)) };
    } catch (error) {
      return { name: c.name, refused: String(error.message || error) };
    }
  });
  const rounds = [];
  for (const c of vectors.rounds) {
    const i = c.input;
    const content = seal.sealedContent(i.round, i.answers, new Map(Object.entries(i.digests)),
      i.acceptance, i.signature_id);
    const json = seal.canonicalJson(content);
    rounds.push({ name: c.name, content, json, sha256: await seal.sealHash(content) });
  }
  return { values, refused, rounds };
}"""


def test_the_device_writes_every_shared_case_as_the_server_does(desktop, live_server):
    desktop.goto(f"{live_server}/app/")
    result = desktop.evaluate(RUN_VECTORS, TEXT)

    wrong = [
        (case["name"], got["json"])
        for case, got in zip(VECTORS["values"], result["values"], strict=True)
        if (got["json"], got["sha256"]) != (case["json"], case["sha256"])
    ]
    assert wrong == []
    assert [r for r in result["refused"] if "refused" not in r] == []
    for case, got in zip(VECTORS["rounds"], result["rounds"], strict=True):
        assert got["content"] == case["content"], case["name"]
        assert got["json"] == case["json"], case["name"]
        assert got["sha256"] == case["sha256"], case["name"]
