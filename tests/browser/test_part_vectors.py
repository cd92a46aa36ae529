"""The phone counts a site's stock after the uses in its outbox as the server will: every case
of tests/part_vectors.json against static/js/parts.js in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

VECTORS = json.loads((Path(__file__).parent.parent / "part_vectors.json").read_text("utf-8"))

RUN = """async (vectors) => {
  const { stockAfter } = await import('/static/js/parts.js');
  const run = (c) => stockAfter(c.quantity, c.uses);
  return {
    cases: vectors.cases.map((c) => ({ name: c.name, got: run(c) })),
    refused: vectors.refused.map((c) => {
      try {
        return { name: c.name, got: run(c) };
      } catch (error) {
        return { name: c.name, refused: true };
      }
    }),
  };
}"""


def test_the_phone_counts_every_shared_case_as_the_server(desktop, live_server):
    desktop.goto(f"{live_server}/static/css/app.css")
    result = desktop.evaluate(RUN, VECTORS)
    expected = {c["name"]: c["expect"] for c in VECTORS["cases"]}
    wrong = [(r["name"], r["got"]) for r in result["cases"] if r["got"] != expected[r["name"]]]
    assert not wrong
    assert all(r.get("refused") for r in result["refused"]), result["refused"]
