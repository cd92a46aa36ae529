"""The server refuses a restricted room's access record as the shared cases say; the same cases
run in Chromium against static/js/checkins.js `accessProblems`
(tests/browser/test_checkin_vectors.py), so the phone never signs what the server will refuse,
nor refuses what it would keep."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from marshmallow import ValidationError

from webapp.checkins.operations import missing_access
from webapp.checkins.schemas import CheckInAccess

VECTORS = json.loads((Path(__file__).parent / "checkin_access_vectors.json").read_text("utf-8"))


def refused_by_server(access: dict) -> list[str]:
    try:
        loaded = CheckInAccess().load(access)
    except ValidationError as err:
        return sorted(err.normalized_messages())
    return sorted(missing_access(loaded))


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_the_server_refuses_each_shared_case_as_written(app, case):
    with app.test_request_context():
        assert refused_by_server(case["access"]) == case["refused"]
