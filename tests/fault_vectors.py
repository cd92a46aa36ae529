"""Make tests/fault_vectors.json: the shared cases of a fault's life and its clocks.

The same file runs against the server's rule (tests/test_fault_life.py, webapp/faults/life.py)
and in Chromium against the phone's (tests/browser/test_fault_vectors.py,
static/js/fault-life.js), so a fault reads the same on every device and in the office. The
expected results are written by the server's rule; tests/test_fault_life.py also checks the
points of each case by hand, so the file cannot drift into agreeing with a wrong rule.

    .venv/bin/python -m tests.fault_vectors      # rewrite tests/fault_vectors.json
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from webapp.faults import life

PATH = Path(__file__).with_name("fault_vectors.json")

A = "00000000-0000-4000-8000-00000000000a"  # engineer A
B = "00000000-0000-4000-8000-00000000000b"  # engineer B
D = "00000000-0000-4000-8000-00000000000d"  # dispatcher

ALWAYS = {
    "respond_minutes": 10,
    "resolve_minutes": 120,
    "round_the_clock": True,
    "periods": [],
    "timezone": "Asia/Shanghai",
    "days": {},
    "waiting_stops_clock": True,
}
HOURS = {
    **ALWAYS,
    "round_the_clock": False,
    "periods": [["08:30", "12:00"], ["14:00", "17:30"]],
    # The national calendar around National Day 2026, as the server sends it to the phone.
    "days": life.calendar_days(date(2026, 9, 28), 30),
}


def ev(n: int, kind: str, at: str, by: str = A, seq: int | None = None, **details) -> dict:
    return {
        "id": f"00000000-0000-4000-9000-{n:012d}",
        "kind": kind,
        "at": at,
        "seq": seq,
        "by": by,
        "details": details,
    }


T = "2026-12-02T09:{:02d}:00+08:00".format
FAULT = {"reported_at": T(0), "kind": "fault", "assignee_id": None}

CASES: list[dict[str, Any]] = [
    {
        "name": "responded by phone and resolved in time",
        "fault": FAULT,
        "events": [
            ev(1, "responded", T(5), seq=11, channel="phone"),
            ev(2, "on_site", T(20), seq=12),
            ev(3, "resolved", T(50), seq=13, diagnosis="fuse", action="replaced", parts="fuse"),
        ],
        "policy": ALWAYS,
        "now": T(59),
    },
    {
        "name": "responded late: the respond clock is breached and keeps its figure",
        "fault": FAULT,
        "events": [ev(1, "responded", T(15), seq=5, channel="on_the_way")],
        "policy": ALWAYS,
        "now": "2026-12-02T12:00:00+08:00",
    },
    {
        "name": "nobody answered yet: 8 of 10 minutes used is a warning",
        "fault": FAULT,
        "events": [],
        "policy": ALWAYS,
        "now": T(8),
    },
    {
        "name": "two engineers respond offline: the earlier counts, the later is kept",
        "fault": FAULT,
        "events": [
            ev(2, "responded", T(7), by=B, seq=20, channel="on_the_way"),
            ev(1, "responded", T(4), by=A, seq=21, channel="phone"),
        ],
        "policy": ALWAYS,
        "now": T(30),
    },
    {
        "name": "a resolution made earlier offline wins over a later response",
        "fault": FAULT,
        "events": [
            ev(1, "responded", T(30), by=B, seq=3),
            ev(2, "resolved", T(20), by=A, seq=9, diagnosis="loose cable", action="reseated"),
        ],
        "policy": ALWAYS,
        "now": T(40),
    },
    {
        "name": "a step after closed is kept and has no effect",
        "fault": FAULT,
        "events": [
            ev(1, "on_site", T(5), seq=1),
            ev(2, "resolved", T(30), seq=2, diagnosis="d", action="a"),
            ev(3, "closed", T(40), by=D, seq=3),
            ev(4, "waiting", T(45), by=B, seq=4, waiting_for="parts"),
        ],
        "policy": ALWAYS,
        "now": T(50),
    },
    {
        "name": "the case analysis after closing counts and changes nothing",
        "fault": FAULT,
        "events": [
            ev(1, "on_site", T(5), seq=1),
            ev(2, "resolved", T(30), seq=2, diagnosis="d", action="a"),
            ev(3, "reviewed", T(35), seq=3, root_cause="r", improvement="i", lessons="l"),
            ev(4, "closed", T(40), by=D, seq=4),
            ev(5, "reviewed", T(50), by=D, seq=5, root_cause="r2", improvement="", lessons=""),
        ],
        "policy": ALWAYS,
        "now": T(55),
    },
    {
        "name": "closing an unresolved fault has no effect; cancelling ends it",
        "fault": FAULT,
        "events": [
            ev(1, "closed", T(3), by=D, seq=1),
            ev(2, "cancelled", T(4), by=D, seq=2, reason="reported twice"),
            ev(3, "responded", T(6), seq=3),
        ],
        "policy": ALWAYS,
        "now": T(30),
    },
    {
        "name": "waiting for parts stops the resolve clock",
        "fault": FAULT,
        "events": [
            ev(1, "on_site", T(5), seq=1),
            ev(2, "waiting", T(10), seq=2, waiting_for="parts"),
            ev(3, "resumed", "2026-12-02T11:10:00+08:00", seq=3),
        ],
        "policy": ALWAYS,
        "now": "2026-12-02T11:40:00+08:00",
    },
    {
        "name": "while waiting the resolve clock has no due time",
        "fault": FAULT,
        "events": [
            ev(1, "on_site", T(5), seq=1),
            ev(2, "waiting", T(10), seq=2, waiting_for="client"),
        ],
        "policy": ALWAYS,
        "now": "2026-12-02T13:00:00+08:00",
    },
    {
        "name": "the contract says waiting does not stop the clock",
        "fault": FAULT,
        "events": [
            ev(1, "on_site", T(5), seq=1),
            ev(2, "waiting", T(10), seq=2, waiting_for="parts"),
            ev(3, "resumed", "2026-12-02T11:10:00+08:00", seq=3),
        ],
        "policy": {**ALWAYS, "waiting_stops_clock": False},
        "now": "2026-12-02T11:40:00+08:00",
    },
    {
        "name": "working hours: reported 17:20 before National Day, due 10:20 after it",
        "fault": {**FAULT, "reported_at": "2026-09-30T17:20:00+08:00"},
        "events": [],
        "policy": HOURS,
        "now": "2026-10-05T12:00:00+08:00",
    },
    {
        "name": "working hours: a swapped Saturday counts",
        "fault": {**FAULT, "reported_at": "2026-10-09T17:20:00+08:00"},
        "events": [ev(1, "responded", "2026-10-10T08:35:00+08:00", seq=1)],
        "policy": HOURS,
        "now": "2026-10-10T09:00:00+08:00",
    },
    {
        "name": "working hours: reported at night, the clock starts in the morning",
        "fault": {**FAULT, "reported_at": "2026-12-01T22:10:00Z"},
        "events": [ev(1, "responded", "2026-12-02T08:39:00+08:00", seq=1)],
        "policy": HOURS,
        "now": "2026-12-02T09:00:00+08:00",
    },
    {
        "name": "a service request answers within 30 minutes",
        "fault": {**FAULT, "kind": "service_request"},
        "events": [ev(1, "responded", T(25), seq=1)],
        "policy": {**ALWAYS, "respond_minutes": 30},
        "now": T(40),
    },
    {
        "name": "assigned, reassigned, escalated to the manufacturer",
        "fault": FAULT,
        "events": [
            ev(1, "assigned", T(1), by=D, seq=1, assignee_id=A),
            ev(2, "assigned", T(2), by=D, seq=2, assignee_id=B),
            ev(3, "escalated", T(3), by=D, seq=3, to="manufacturer", contact="vendor line"),
        ],
        "policy": ALWAYS,
        "now": T(5),
    },
    {
        "name": "same time: arrival decides, then unsent events come last",
        "fault": FAULT,
        "events": [
            ev(3, "cancelled", T(5), by=D, seq=None, reason="duplicate"),
            ev(2, "resolved", T(5), by=B, seq=8, diagnosis="d", action="a"),
            ev(1, "on_site", T(5), by=A, seq=9),
        ],
        "policy": ALWAYS,
        "now": T(10),
    },
    {
        "name": "confirmed by the client, then closed; a second confirmation is kept",
        "fault": FAULT,
        "events": [
            ev(1, "resolved", T(30), seq=1, diagnosis="d", action="a"),
            ev(2, "confirmed", T(40), by=D, seq=2),
            ev(3, "confirmed", T(41), by=D, seq=3),
            ev(4, "closed", T(45), by=D, seq=4),
        ],
        "policy": ALWAYS,
        "now": T(50),
    },
    {
        "name": "resumed with nothing waiting, waiting before anyone answered",
        "fault": FAULT,
        "events": [
            ev(1, "resumed", T(2), seq=1),
            ev(2, "waiting", T(3), seq=2, waiting_for="parts"),
        ],
        "policy": ALWAYS,
        "now": T(4),
    },
    {
        "name": "times written with different offsets are ordered by the instant",
        "fault": FAULT,
        "events": [
            ev(1, "on_site", "2026-12-02T01:06:00.500Z", seq=2),
            ev(2, "responded", "2026-12-02T09:06:00+08:00", by=B, seq=1),
        ],
        "policy": ALWAYS,
        "now": T(10),
    },
]


def expected(case: dict[str, Any]) -> dict[str, Any]:
    return life.derive(
        case["fault"],
        case["events"],
        life.Policy.from_dict(case["policy"]),
        life.instant(case["now"]),
    )


def build() -> dict[str, Any]:
    return {"cases": [{**case, "expected": expected(case)} for case in CASES]}


def text() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    PATH.write_text(text(), encoding="utf-8")
