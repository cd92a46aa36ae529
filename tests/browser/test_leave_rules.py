"""The phone gives a leave request the same notice as the server: every case of
tests/leave_vectors.json against static/js/leave.js in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

VECTORS = json.loads((Path(__file__).parent.parent / "leave_vectors.json").read_text("utf-8"))

RUN = """async (vectors) => {
  const { leaveNotice } = await import('/static/js/leave.js');
  const held = (c) => (c.server_time ? new Date(c.server_time) : null);
  const run = (c) => leaveNotice(c.start, c.end, new Date(c.filed_at), c.timezone, held(c));
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


def test_the_phone_gives_every_shared_case_the_servers_notice(desktop, live_server):
    desktop.goto(f"{live_server}/static/css/app.css")
    result = desktop.evaluate(RUN, VECTORS)
    expected = {c["name"]: c["expect"] for c in VECTORS["cases"]}
    wrong = [(r["name"], r["got"]) for r in result["cases"] if r["got"] != expected[r["name"]]]
    assert not wrong
    assert all(r.get("refused") for r in result["refused"]), result["refused"]
