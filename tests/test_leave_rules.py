"""The leave notice rule on the server: every case of tests/leave_vectors.json (the phone runs
the same file in Chromium, tests/browser/test_leave_rules.py)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import pytest

from webapp.attendance.leave import notice

VECTORS = json.loads((Path(__file__).parent / "leave_vectors.json").read_text("utf-8"))


def run(case):
    return notice(
        date.fromisoformat(case["start"]),
        date.fromisoformat(case["end"]),
        _instant(case["filed_at"]),
        case["timezone"],
        _instant(case["server_time"]) if case.get("server_time") else None,
    )


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_the_notice_of_each_shared_case(case):
    assert asdict(run(case)) == case["expect"]


@pytest.mark.parametrize("case", VECTORS["refused"], ids=lambda c: c["name"])
def test_each_refused_case_is_refused(case):
    with pytest.raises(ValueError):
        run(case)
