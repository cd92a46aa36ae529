"""The server writes a check-in's signed bytes as the shared cases say; the same cases run in
Chromium against static/js/checkins.js (tests/browser/test_checkin_vectors.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from webapp.checkins.record import LEGACY_VERSION, canonical_bytes, challenge_of

VECTORS = json.loads((Path(__file__).parent / "checkin_vectors.json").read_text("utf-8"))


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_the_server_writes_each_shared_case(case):
    data = canonical_bytes(case["record"])
    assert data.decode("utf-8") == case["canonical"]
    assert challenge_of(data) == bytes.fromhex(case["sha256"])
    assert hashlib.sha256(case["canonical"].encode()).hexdigest() == case["sha256"]


def test_every_signed_field_changes_the_bytes():
    record = dict(VECTORS["cases"][0]["record"])
    first = canonical_bytes(record)
    for field, other in [
        ("id", "00000000-0000-4000-8000-000000000000"),
        ("user_id", "00000000-0000-4000-8000-000000000000"),
        ("site_id", "00000000-0000-4000-8000-000000000000"),
        ("location_id", None),
        ("tag_token", ""),
        ("kind", "out"),
        ("device_time", "2026-12-02T08:29:58+08:00"),
        ("server_time", ""),
        ("purpose", "巡检"),
        ("people", 1),
        ("escorts", ["张伟"]),
    ]:
        assert canonical_bytes({**record, field: other}) != first, field
    access = dict(VECTORS["cases"][3]["record"])
    for field, other in [("purpose", "更换电源"), ("people", 4), ("escorts", ["张伟"])]:
        assert canonical_bytes({**access, field: other}) != canonical_bytes(access), field


def test_a_record_made_before_the_access_fields_keeps_its_bytes():
    """Version 1, as phones wrote it before the update (a queued check-in is still accepted):
    the hash is the one these vectors held then."""
    data = canonical_bytes(VECTORS["cases"][0]["record"], LEGACY_VERSION)
    assert b'"v":1' in data and b"purpose" not in data
    assert hashlib.sha256(data).hexdigest() == (
        "bdddbc0a60a9eea17e795cdf96a99a96c0fa2f8e93bc5b40c319daf7f4142e98"
    )
