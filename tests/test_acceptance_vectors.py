"""The client's acceptance block: the server refuses exactly the fields the shared cases name.
The same cases run in Chromium against static/js/acceptance.js, which the hand-over screen uses
for every form the client signs (tests/browser/test_acceptance_vectors.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from marshmallow import ValidationError

from webapp.rounds.schemas import Acceptance

VECTORS = json.loads((Path(__file__).parent / "acceptance_vectors.json").read_text("utf-8"))
ORDER = ["handover", "satisfaction", "reasons", "comments", "signer"]


def given(case: dict) -> dict:
    return {**case["acceptance"], **{k: "意" * n for k, n in case.get("long", {}).items()}}


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_the_server_refuses_the_fields_each_case_names(app, case):
    with app.test_request_context():
        try:
            Acceptance().load(given(case))
            refused = []
        except ValidationError as err:
            refused = [f for f in ORDER if f in err.messages]
            assert set(err.messages) <= set(ORDER), err.messages
    assert refused == case["problems"]
