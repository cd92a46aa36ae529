"""The hand-over screen checks the client's acceptance block as the server does: every shared
case in tests/acceptance_vectors.json runs against static/js/acceptance.js in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

TEXT = (Path(__file__).parent.parent / "acceptance_vectors.json").read_text("utf-8")
VECTORS = json.loads(TEXT)

RUN = """async (text) => {
  const contract = await import('/static/js/contract.js');
  await contract.loadContract();
  const { acceptanceProblems } = await import('/static/js/acceptance.js');
  return JSON.parse(text).cases.map((c) => {
    const long = Object.fromEntries(
      Object.entries(c.long || {}).map(([k, n]) => [k, '意'.repeat(n)]));
    return { name: c.name, problems: acceptanceProblems({ ...c.acceptance, ...long }) };
  });
}"""


def test_the_phone_refuses_what_the_server_refuses(desktop, live_server):
    desktop.goto(f"{live_server}/app/")
    got = desktop.evaluate(RUN, TEXT)
    assert got == [{"name": c["name"], "problems": c["problems"]} for c in VECTORS["cases"]]
