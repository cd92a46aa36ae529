"""The server decides every status change of tests/status_vectors.json as the phone works it out:
each round's steps are pushed through the sync API and the server's answer and the round's
status are checked after each one. The same file runs in Chromium against static/js/records.js
and rounds.js (tests/browser/test_contract_vectors.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_rounds import answer, attach, phone, results, start, version  # noqa: F401 - fixtures
from webapp.models import Round
from webapp.rounds.seal import seal_hash, sealed_content
from webapp.sync.schemas import ResultOut

VECTORS = json.loads((Path(__file__).parent / "status_vectors.json").read_text("utf-8"))

ACCEPTANCE = {
    "accepted": True,
    "handover": "none",
    "satisfaction": "satisfied",
    "reasons": [],
    "comments": "",
    "signer": "王经理",
    "signed_at": "2026-11-21T09:50:00+08:00",
}


class Steps:
    """Plays a case's steps as a phone would send them."""

    def __init__(self, device, checklist, site):
        self.phone, self.version, self.site = device, checklist, site
        self.ids: dict[str, str] = {}
        self.answers: dict[str, str] = {}
        self.last_submit: dict | None = None

    def create(self, record):
        self.ids[record] = start(self.phone, self.version, self.site)

    def answer_all(self, record):
        rid = self.ids[record]
        self.answers["terminal.clean"] = answer(
            self.phone, rid, "terminal.clean", "normal", {"cleaned": 1, "damaged": 0}
        )
        answer(self.phone, rid, "terminal.voltage", "normal", {"reading": 220, "nominal": 220})
        answer(self.phone, rid, "terminal.image", "normal")

    def answer_again(self, record):
        aid = self.answers["terminal.clean"]
        answer(self.phone, None, None, "normal", {"cleaned": 2, "damaged": 0}, op="update", aid=aid)

    def submit(self, record):
        changes = {"submitted_at": "2026-11-21T09:45:00+08:00", "summary": "正常"}
        self.last_submit = self.phone.edit("round", self.ids[record], changes, op="submit")

    def submit_again(self, record):
        self.phone.outbox.append(self.last_submit)

    def _sign(self, record, forged):
        rid = self.ids[record]
        signature, _ = attach(self.phone, rid, kind="signature", data=b"\x89PNG strokes")
        results(self.phone)  # the signature's record first, as the phone sends it
        content = sealed_content(
            Round.get_by_id(rid), acceptance=ACCEPTANCE, signature_id=signature
        )
        seal = "0" * 64 if forged else seal_hash(content)
        changes = {"acceptance": ACCEPTANCE, "signature_id": signature, "seal_hash": seal}
        self.phone.edit("round", rid, changes, op="sign")

    def sign(self, record):
        self._sign(record, forged=False)

    def sign_forged(self, record):
        self._sign(record, forged=True)

    def update_summary(self, record):
        self.phone.edit("round", self.ids[record], {"summary": "改"})

    def correct(self, record):
        self.ids[record] = start(self.phone, self.version, self.site, revision_of=self.ids["round"])


@pytest.mark.parametrize("case", VECTORS["rounds"], ids=lambda c: c["name"])
def test_the_server_decides_each_round_status_as_the_phone_does(case, phone, version, world):  # noqa: F811
    steps = Steps(phone, version, world["sites"][0])
    for number, step in enumerate(case["steps"], 1):
        getattr(steps, step["do"])(step["record"])
        got = results(phone)
        where = f"step {number}: {step['do']}"
        assert {r["status"] for r in got} == {step["answer"]}, (where, got)
        if "first" in step:
            assert [r["first"]["status"] for r in got] == [step["first"]], where
        if "status" in step:
            held = Round.get_by_id(steps.ids[step["record"]]).status
            assert held == step["status"], where


def test_every_answer_the_phone_expects_is_one_the_server_gives():
    statuses = set(ResultOut().fields["status"].metadata["enum"])
    for case in VECTORS["answers"]:
        first = case["answer"].get("first") or {}
        assert case["answer"]["status"] in statuses, case["name"]
        assert first.get("status", "applied") in statuses - {"duplicate"}, case["name"]
    assert {c["answer"]["status"] for c in VECTORS["answers"]} == statuses
