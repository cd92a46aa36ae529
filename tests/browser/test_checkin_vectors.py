"""The phone writes a check-in's signed bytes and challenge as the server does: every shared case
in tests/checkin_vectors.json runs against static/js/checkins.js in Chromium; and it refuses a
restricted room's access record as the server does (tests/checkin_access_vectors.json, with the
limits of the contract the server serves)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

TEXT = (Path(__file__).parent.parent / "checkin_vectors.json").read_text("utf-8")
VECTORS = json.loads(TEXT)
ACCESS = json.loads((Path(__file__).parent.parent / "checkin_access_vectors.json").read_text())

RUN_ACCESS = """async (vectors) => {
  const contract = await import('/static/js/contract.js');
  const checkins = await import('/static/js/checkins.js');
  if (!await contract.loadContract()) throw new Error('no contract');
  return vectors.cases.map((c) => ({
    name: c.name,
    refused: [...new Set(checkins.accessProblems(c.access).map((p) => p.field))].sort(),
  }));
}"""

RUN = """async (text) => {
  const checkins = await import('/static/js/checkins.js');
  const out = [];
  for (const c of JSON.parse(text).cases) {
    const bytes = checkins.canonicalBytes(c.record);
    out.push({ name: c.name, canonical: new TextDecoder().decode(bytes),
      sha256: checkins.hex(await checkins.challengeOf(bytes)) });
  }
  return out;
}"""


def test_the_phone_writes_every_shared_case_as_the_server_does(desktop, live_server):
    desktop.goto(f"{live_server}/app/")
    got = desktop.evaluate(RUN, TEXT)
    want = [
        {"name": c["name"], "canonical": c["canonical"], "sha256": c["sha256"]}
        for c in VECTORS["cases"]
    ]
    assert got == want


def test_the_phone_refuses_each_access_record_as_the_server_does(desktop, live_server):
    desktop.goto(f"{live_server}/app/")
    got = desktop.evaluate(RUN_ACCESS, ACCESS)
    want = [{"name": c["name"], "refused": c["refused"]} for c in ACCESS["cases"]]
    assert got == want
