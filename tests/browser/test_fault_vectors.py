"""The phone reads a fault's life as the server does: every shared case in
tests/fault_vectors.json runs against static/js/fault-life.js in Chromium, as
tests/test_fault_life.py runs it against webapp/faults/life.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

TEXT = (Path(__file__).parent.parent / "fault_vectors.json").read_text("utf-8")
VECTORS = json.loads(TEXT)

RUN_VECTORS = """async (text) => {
  const life = await import('/static/js/fault-life.js');
  const out = [];
  for (const c of JSON.parse(text).cases) {
    const now = life.instant(c.now);
    const forward = life.derive(c.fault, c.events, c.policy, now);
    const backward = life.derive(c.fault, [...c.events].reverse(), c.policy, now);
    out.push({ name: c.name, forward, backward });
  }
  return out;
}"""


def test_the_phone_reads_every_shared_case_as_the_server_does(desktop, live_server):
    desktop.goto(f"{live_server}/app/")
    result = desktop.evaluate(RUN_VECTORS, TEXT)
    for case, got in zip(VECTORS["cases"], result, strict=True):
        assert got["forward"] == case["expected"], case["name"]
        assert got["backward"] == case["expected"], case["name"]
