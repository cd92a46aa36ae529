"""The phone keeps the server's contract: every case of tests/equipment_vectors.json runs against
static/js/equipment-fields.js in Chromium, with the vocabularies and field rules the server
serves at /app/contract.json, as tests/test_equipment_vectors.py runs it against the schemas; and
every local status change of tests/status_vectors.json runs against static/js/records.js, as
tests/test_status_vectors.py runs it against the server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

HERE = Path(__file__).parent.parent
EQUIPMENT = json.loads((HERE / "equipment_vectors.json").read_text("utf-8"))
STATUS = json.loads((HERE / "status_vectors.json").read_text("utf-8"))

RUN_EQUIPMENT = """async (vectors) => {
  const contract = await import('/static/js/contract.js');
  const fields = await import('/static/js/equipment-fields.js');
  if (!await contract.loadContract()) throw new Error('no contract');
  const recordOf = (c) => {
    if (c.op === 'update') return { ...c.record };
    const record = { ...vectors.base, ...c.record };
    for (const name of c.remove || []) delete record[name];
    return record;
  };
  const results = vectors.cases.map((c) => ({
    name: c.name,
    errors: Object.keys(fields.validateEquipment(recordOf(c),
      { today: vectors.phone_today, partial: c.op === 'update' })).sort(),
  }));
  const shown = fields.equipmentFields().map((f) => f.name);
  const ruled = [...contract.fieldRules('equipment').keys()];
  return { results, shown, ruled };
}"""


def test_the_phone_refuses_exactly_what_the_server_refuses(desktop, live_server):
    desktop.goto(f"{live_server}/app/")
    got = desktop.evaluate(RUN_EQUIPMENT, EQUIPMENT)

    disagreements = [
        (case["name"], result["errors"], case["errors"])
        for case, result in zip(EQUIPMENT["cases"], got["results"], strict=True)
        if result["errors"] != case["errors"]
    ]
    assert disagreements == []
    # Every field the server takes is on the phone's form (the site is the form's own).
    assert set(got["ruled"]) - set(got["shown"]) == {"site_id"}
    assert set(got["shown"]) <= set(got["ruled"])


# The phone's side of each step: the round as it shows it while the step waits in the outbox
# (rebase over the pending entry), after the server's answer (serverAfter, then rebase with
# nothing pending), and what becomes of the entry (entryAfter of the effective answer).
RUN_STATUS = """async (vectors) => {
  const records = await import('/static/js/records.js');
  const rounds = await import('/static/js/rounds.js');
  const OPS = {
    create: ['create', { started_at: '2026-11-21T09:00:00+08:00' }],
    correct: ['create', { started_at: '2026-11-21T10:00:00+08:00', revision_of: 'round' }],
    submit: ['submit', { summary: '正常', submitted_at: '2026-11-21T09:45:00+08:00' }],
    submit_again: ['submit', { summary: '正常', submitted_at: '2026-11-21T09:45:00+08:00' }],
    sign: ['sign', { signature_id: 'signature', seal_hash: 'a'.repeat(64) }],
    sign_forged: ['sign', { signature_id: 'signature', seal_hash: '0'.repeat(64) }],
    update_summary: ['update', { summary: '改' }],
  };
  const shown = (local) => (local ? rounds.roundStatus(local) : null);
  const steps = [];
  for (const c of vectors.rounds) {
    const server = {};
    for (const step of c.steps) {
      const raw = { mutation_id: 'm', status: step.answer };
      if (step.first) raw.first = { status: step.first };
      const answer = records.effectiveAnswer(raw);
      const got = { name: c.name, do: step.do, entry: records.entryAfter(answer) };
      if (OPS[step.do]) {
        const [op, changes] = OPS[step.do];
        const entry = { client_seq: 1, op, changes, id: step.record };
        got.pending = shown(records.rebase(step.record, server[step.record] ?? null, [entry]));
        server[step.record] = records.serverAfter(server[step.record] ?? null, entry, answer);
        got.status = shown(records.rebase(step.record, server[step.record], []));
      }
      steps.push(got);
    }
  }
  const answers = vectors.answers.map((c) => ({
    name: c.name,
    entry: records.entryAfter(records.effectiveAnswer({ mutation_id: 'm', ...c.answer })),
  }));
  return { steps, answers };
}"""


def test_the_phone_works_out_every_status_as_the_server_decides_it(desktop, live_server):
    desktop.goto(f"{live_server}/app/")
    got = desktop.evaluate(RUN_STATUS, STATUS)

    want = [
        {
            "name": case["name"],
            "do": step["do"],
            "entry": step["entry"],
            **({"pending": step["pending"], "status": step["status"]} if "status" in step else {}),
        }
        for case in STATUS["rounds"]
        for step in case["steps"]
    ]
    assert [g for g, w in zip(got["steps"], want, strict=True) if g != w] == []
    assert got["answers"] == [{"name": c["name"], "entry": c["entry"]} for c in STATUS["answers"]]
