"""A fault's life derived from its events (webapp/faults/life.py): the shared cases of
tests/fault_vectors.json, which the phone runs too (tests/browser/test_fault_vectors.py), and
the points of each case checked by hand."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from tests import fault_vectors
from webapp.faults import life

VECTORS = json.loads(fault_vectors.PATH.read_text("utf-8"))
BY_NAME = {case["name"]: case for case in VECTORS["cases"]}


def test_the_file_is_what_the_script_writes():
    assert fault_vectors.PATH.read_text("utf-8") == fault_vectors.text()


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_every_shared_case(case):
    assert fault_vectors.expected(case) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_the_order_events_arrive_in_changes_nothing(case):
    events = list(case["events"])
    for seed in range(5):
        random.Random(seed).shuffle(events)
        assert fault_vectors.expected({**case, "events": events}) == case["expected"]


def got(name: str) -> dict:
    return BY_NAME[name]["expected"]


def effects(name: str) -> list[tuple[str, bool, str | None]]:
    return [(e["id"][-1], e["applied"], e["why"]) for e in got(name)["events"]]


def test_points_checked_by_hand():
    r = got("responded by phone and resolved in time")
    assert (r["status"], r["respond"]["used_s"], r["resolve"]["used_s"]) == ("resolved", 300, 3000)
    assert not r["respond"]["breached"] and not r["resolve"]["breached"]

    r = got("responded late: the respond clock is breached and keeps its figure")
    assert r["respond"] == {
        "limit_s": 600,
        "used_s": 900,
        "due": "2026-12-02T01:10:00Z",
        "stopped": True,
        "breached": True,
        "warning": False,
    }

    r = got("nobody answered yet: 8 of 10 minutes used is a warning")
    assert r["status"] == "reported" and r["respond"]["warning"] and not r["resolve"]["warning"]

    r = got("two engineers respond offline: the earlier counts, the later is kept")
    assert r["responded_at"] == "2026-12-02T09:04:00+08:00"
    assert effects("two engineers respond offline: the earlier counts, the later is kept") == [
        ("1", True, None),
        ("2", False, "already"),
    ]

    r = got("a resolution made earlier offline wins over a later response")
    assert (r["status"], r["responded_at"]) == ("resolved", "2026-12-02T09:20:00+08:00")

    assert got("a step after closed is kept and has no effect")["status"] == "closed"
    assert effects("a step after closed is kept and has no effect")[-1] == (
        "4",
        False,
        "after_end",
    )

    name = "the case analysis after closing counts and changes nothing"
    assert (got(name)["status"], got(name)["closed_at"]) == ("closed", "2026-12-02T09:40:00+08:00")
    assert [e[1:] for e in effects(name)] == [(True, None)] * 5

    name = "closing an unresolved fault has no effect; cancelling ends it"
    assert got(name)["status"] == "cancelled"
    assert effects(name) == [("1", False, "not_yet"), ("2", True, None), ("3", False, "after_end")]

    # 09:00 reported, on site 09:05, waiting 09:10-11:10: at 11:40, 40 minutes used, due 13:00.
    r = got("waiting for parts stops the resolve clock")
    assert (r["resolve"]["used_s"], r["resolve"]["due"]) == (2400, "2026-12-02T05:00:00Z")
    r = got("while waiting the resolve clock has no due time")
    assert (r["status"], r["resolve"]["due"], r["pauses"][-1][1]) == ("waiting", None, None)
    r = got("the contract says waiting does not stop the clock")
    assert r["resolve"]["used_s"] == 9600 and r["resolve"]["breached"]

    r = got("working hours: reported 17:20 before National Day, due 10:20 after it")
    assert r["resolve"]["due"] == "2026-10-08T02:20:00Z"  # 10:20 in Beijing, 8 October
    r = got("working hours: a swapped Saturday counts")
    assert r["resolve"]["due"] == "2026-10-10T02:20:00Z"
    assert r["respond"]["used_s"] == 15 * 60  # 10 on Friday, 5 on the swapped Saturday
    r = got("working hours: reported at night, the clock starts in the morning")
    assert r["respond"]["used_s"] == 9 * 60 and r["respond"]["warning"]

    r = got("a service request answers within 30 minutes")
    assert (r["respond"]["limit_s"], r["respond"]["breached"]) == (1800, False)

    r = got("assigned, reassigned, escalated to the manufacturer")
    assert (r["assignee_id"], r["escalated_to"]) == (fault_vectors.B, "manufacturer")

    name = "same time: arrival decides, then unsent events come last"
    assert got(name)["status"] == "resolved"
    assert effects(name) == [("2", True, None), ("1", False, "already"), ("3", False, "already")]

    name = "confirmed by the client, then closed; a second confirmation is kept"
    assert got(name)["status"] == "closed"
    assert [e[1] for e in effects(name)] == [True, True, False, True]

    name = "resumed with nothing waiting, waiting before anyone answered"
    assert effects(name) == [("1", False, "not_waiting"), ("2", True, None)]

    name = "times written with different offsets are ordered by the instant"
    assert got(name)["responded_at"] == "2026-12-02T09:06:00+08:00"
    assert got(name)["status"] == "on_site"


def test_the_calendar_sent_to_the_phone_names_the_days_that_differ():
    days = life.calendar_days(date(2026, 9, 28), 16)
    assert days["2026-10-01"] is False and days["2026-10-05"] is False  # holidays on weekdays
    assert days["2026-10-10"] is True  # the swapped Saturday
    assert "2026-10-03" not in days  # a Saturday off anyway: no need to say
    site = life.calendar_days(date(2026, 12, 5), 2, {date(2026, 12, 5): True})
    assert site == {"2026-12-05": True}


def test_a_device_time_carries_its_offset():
    with pytest.raises(ValueError):
        life.instant("2026-12-02T09:00:00")
