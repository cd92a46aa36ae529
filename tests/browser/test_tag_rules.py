"""The phone agrees with the server on tags: every shared case in tests/tag_vectors.json runs
against static/js/tags.js in Chromium, as tests/test_tag_vectors.py runs it against
webapp/tags/signing.py and /t/<token>."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

VECTORS = json.loads((Path(__file__).parent.parent / "tag_vectors.json").read_text("utf-8"))

RUN_VECTORS = """async (vectors) => {
  const tags = await import('/static/js/tags.js');
  // A store holding the vectors' tags as the sync left them: the revoked one revoked.
  const records = new Map();
  for (const c of vectors.tokens.filter((c) => c.ok)) {
    const targetId = `target-${c.tag_id}`;
    records.set(`tag ${c.tag_id}`, { local: {
      id: c.tag_id, token: c.token, status: c.revoked ? 'revoked' : 'active',
      target_entity: c.kind, target_id: targetId, site_id: 'site-1' } });
    records.set(`${c.kind} ${targetId}`, { local: { id: targetId, site_id: 'site-1' } });
  }
  const store = {
    getMeta: async (key) => (key === 'tag-key' ? { key: vectors.key } : null),
    record: async (_user, entity, id) => records.get(`${entity} ${id}`) || null,
  };
  const tokens = [];
  for (const c of vectors.tokens) {
    const read = await tags.readToken(c.token, { key: vectors.key });
    const opened = await tags.openToken(store, 'user-1', c.token);
    tokens.push({ name: c.name, ok: read.ok, reason: read.reason ?? null, kind: read.kind ?? null,
                  tagId: read.tagId ?? null, opened: opened.path ? 'opened' : opened.reason });
  }
  const links = [];
  for (const c of vectors.links) {
    const read = await tags.readTag(c.text, { origin: vectors.origin, key: vectors.key });
    let path = null;
    try {
      const url = new URL(c.text.trim());
      if (url.origin === vectors.origin) path = url.pathname + url.search;
    } catch { path = null; }
    // What the app does with a link the camera app opened (app.js: /t/... -> #/t/<token>).
    let viaPath = null;
    if (path !== null) {
      const token = tags.tokenOfPath(new URL(c.text.trim()).pathname);
      viaPath = Boolean((await tags.openToken(store, 'user-1', token)).path);
    }
    links.push({ name: c.name, opens: read.ok, path, viaPath });
  }
  return { tokens, links };
}"""


def test_the_phone_agrees_with_every_shared_tag_case(desktop, live_server):
    desktop.goto(f"{live_server}/app/")
    result = desktop.evaluate(RUN_VECTORS, VECTORS)

    disagreements = []
    for case, got in zip(VECTORS["tokens"], result["tokens"], strict=True):
        if case["ok"]:
            want = {"ok": True, "kind": case["kind"], "tagId": case["tag_id"]}
            want_opened = "revoked" if case.get("revoked") else "opened"
        else:
            # The phone says "forged" where the server says "signature".
            reason = {"signature": "forged"}.get(case["reason"], case["reason"])
            want = {"ok": False, "reason": reason}
            want_opened = reason
        if any(got[key] != value for key, value in want.items()) or got["opened"] != want_opened:
            disagreements.append((case["name"], got))
    for case, got in zip(VECTORS["links"], result["links"], strict=True):
        if got["opens"] != case["opens"]:
            disagreements.append((case["name"], got))
        if got["path"] != case["path"]:
            disagreements.append((case["name"], "the browser asks for another path", got["path"]))
        if case["path"] and case["path"].startswith("/t/") and got["viaPath"] != case["opens"]:
            disagreements.append((case["name"], "opened from the camera app", got))
    assert disagreements == []
