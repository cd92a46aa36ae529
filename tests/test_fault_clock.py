"""Service-level clocks: round the clock or in working hours on working days (lunch, nights,
weekends and the national holidays left out), stopped while the fault waits, breached when over."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from webapp.attendance.rules import parse_hours
from webapp.faults import clock
from webapp.faults.clock import Schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS = Schedule(
    round_the_clock=False, periods=tuple(parse_hours("08:30-12:00,14:00-17:30"))
)
TWO_HOURS = timedelta(hours=2)


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), SHANGHAI)


TUESDAY = date(2026, 12, 1)


def test_round_the_clock_is_wall_time():
    start = at(TUESDAY, "22:00")
    assert clock.due(start, TWO_HOURS) == at(TUESDAY + timedelta(days=1), "00:00")
    read = clock.status(start, TWO_HOURS, now=at(TUESDAY, "23:30"))
    assert read.left == timedelta(minutes=30) and not read.breached
    assert not read.warning() and clock.status(start, TWO_HOURS, at(TUESDAY, "23:40")).warning()


def test_working_hours_skip_the_night_and_lunch():
    evening = at(TUESDAY, "17:20")  # 10 minutes today, 110 tomorrow from 08:30
    assert clock.due(evening, TWO_HOURS, OFFICE_HOURS) == at(date(2026, 12, 2), "10:20")
    before_lunch = at(TUESDAY, "11:50")
    assert clock.due(before_lunch, timedelta(minutes=30), OFFICE_HOURS) == at(TUESDAY, "14:20")
    assert clock.used(before_lunch, at(TUESDAY, "14:05"), OFFICE_HOURS) == timedelta(minutes=15)


def test_working_hours_skip_the_weekend_and_the_national_holiday():
    friday = at(date(2026, 12, 4), "17:00")
    assert clock.due(friday, TWO_HOURS, OFFICE_HOURS) == at(date(2026, 12, 7), "10:00")
    # The last working day before National Day: the clock runs again on 8 October.
    eve = at(date(2026, 9, 30), "17:00")
    assert clock.due(eve, TWO_HOURS, OFFICE_HOURS) == at(date(2026, 10, 8), "10:00")


def test_a_fault_reported_before_eight_in_china_starts_its_clock_at_the_first_period():
    early = at(TUESDAY, "07:00").astimezone(UTC)  # still Monday in UTC
    assert early.date() == date(2026, 11, 30)
    assert clock.due(early, timedelta(minutes=10), OFFICE_HOURS) == at(TUESDAY, "08:40")


def test_waiting_for_parts_stops_the_clock():
    start = at(TUESDAY, "10:00")
    waited = [(at(TUESDAY, "10:30"), at(TUESDAY, "11:30"))]
    assert clock.due(start, TWO_HOURS, pauses=waited) == at(TUESDAY, "13:00")
    assert clock.used(start, at(TUESDAY, "12:00"), pauses=waited) == timedelta(hours=1)
    still_waiting = [(at(TUESDAY, "10:30"), None)]
    read = clock.status(start, TWO_HOURS, now=at(TUESDAY, "15:00"), pauses=still_waiting)
    assert read.due is None, "a stopped clock has no due time"
    assert read.used == timedelta(minutes=30) and read.left == timedelta(minutes=90)


def test_a_clock_stopped_by_its_event_keeps_its_figure():
    start = at(TUESDAY, "10:00")
    answered = clock.status(
        start, timedelta(minutes=10), now=at(TUESDAY, "16:00"), stopped_at=at(TUESDAY, "10:12")
    )
    assert answered.used == timedelta(minutes=12) and answered.breached
    assert answered.left == timedelta(minutes=-2)


def test_a_schedule_that_never_runs_has_no_due_time():
    never = Schedule(round_the_clock=False, periods=())
    assert clock.due(at(TUESDAY, "10:00"), TWO_HOURS, never) is None
