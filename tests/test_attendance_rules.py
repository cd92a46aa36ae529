"""Attendance rules: working days from the national calendar with a site's exceptions, late,
early leave, absent, incomplete, leave, and the monthly flags that ask for an explanation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp.attendance import calendar, rules
from webapp.attendance.rules import Punch, SiteRules

SHANGHAI = ZoneInfo("Asia/Shanghai")
SITE = SiteRules(periods=tuple(rules.parse_hours("08:30-12:00,14:00-17:30")))


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), SHANGHAI)


def punches(day: date, *pairs: tuple[str, str]) -> list[Punch]:
    return [
        Punch(id=f"{day}-{i}", kind=kind, at=at(day, hhmm)) for i, (kind, hhmm) in enumerate(pairs)
    ]


TUESDAY = date(2026, 12, 1)


def test_national_holidays_and_swapped_weekends_come_from_the_calendar():
    national_day = calendar.working_day(date(2026, 10, 1))
    assert (national_day.working, national_day.source) == (False, calendar.NATIONAL)
    assert national_day.holiday == "National Day"
    swapped = calendar.working_day(date(2026, 10, 10))  # a Saturday worked for the holiday
    assert swapped.working and swapped.swapped
    assert not calendar.working_day(date(2026, 12, 5)).working  # an ordinary Saturday


def test_a_site_exception_wins_over_the_calendar():
    closed = {TUESDAY: False, date(2026, 12, 5): True}
    assert calendar.working_day(TUESDAY, closed).source == calendar.SITE
    assert not calendar.working_day(TUESDAY, closed).working
    assert calendar.working_day(date(2026, 12, 5), closed).working


def test_a_year_the_calendar_does_not_know_assumes_weekdays_and_says_so():
    year = 2099
    assert not calendar.calendar_known(year)
    monday = calendar.working_day(date(year, 1, 5))
    assert (monday.working, monday.source) == (True, calendar.ASSUMED)
    assert not calendar.working_day(date(year, 1, 3)).working
    assert calendar.calendar_known(2026)


@pytest.mark.parametrize(
    ("check_in", "late"),
    [("08:30", 0), ("08:45", 0), ("08:46", 16), ("09:30", 60), ("07:55", 0)],
)
def test_late_is_more_than_the_threshold_counted_from_the_start(check_in, late):
    day = rules.evaluate_day(TUESDAY, SITE, punches(TUESDAY, ("in", check_in), ("out", "17:30")))
    assert day.status == rules.PRESENT
    assert day.late_minutes == late
    assert ("late:15" in day.reasons) == bool(late)


@pytest.mark.parametrize(("check_out", "early"), [("17:30", 0), ("17:15", 0), ("17:14", 16)])
def test_early_leave_is_more_than_the_threshold_before_the_end(check_out, early):
    day = rules.evaluate_day(TUESDAY, SITE, punches(TUESDAY, ("in", "08:20"), ("out", check_out)))
    assert day.early_minutes == early


def test_a_site_with_its_own_thresholds():
    strict = SiteRules(
        periods=tuple(rules.parse_hours("08:00-12:00,14:00-18:00")),
        late_after_minutes=5,
        early_leave_minutes=30,
    )
    day = rules.evaluate_day(TUESDAY, strict, punches(TUESDAY, ("in", "08:06"), ("out", "17:31")))
    assert (day.late_minutes, day.early_minutes) == (6, 0)


def test_a_check_in_before_eight_in_china_counts_for_the_chinese_day():
    """07:50 in Shanghai is still the previous day in UTC: the day is the site's, not UTC's."""
    early_morning = at(TUESDAY, "07:50").astimezone(UTC)
    assert early_morning.date() == TUESDAY - timedelta(days=1)
    day = rules.evaluate_day(
        TUESDAY,
        SITE,
        [Punch("a", "in", early_morning), Punch("b", "out", at(TUESDAY, "17:40"))],
    )
    assert day.status == rules.PRESENT and day.punches == ["a", "b"]
    monday = rules.evaluate_day(
        TUESDAY - timedelta(days=1), SITE, [Punch("a", "in", early_morning)]
    )
    assert monday.status == rules.ABSENT


def test_absent_incomplete_and_leave():
    assert rules.evaluate_day(TUESDAY, SITE, []).status == rules.ABSENT
    incomplete = rules.evaluate_day(TUESDAY, SITE, punches(TUESDAY, ("in", "08:20")))
    assert incomplete.status == rules.INCOMPLETE and "no_check_out" in incomplete.reasons
    # A check-out before the first check-in of the day does not close it.
    backwards = rules.evaluate_day(
        TUESDAY, SITE, punches(TUESDAY, ("out", "08:00"), ("in", "08:20"))
    )
    assert backwards.status == rules.INCOMPLETE
    leave = rules.evaluate_day(TUESDAY, SITE, [], on_leave=True)
    assert leave.status == rules.LEAVE and leave.reasons == ["approved_leave"]
    holiday = rules.evaluate_day(date(2026, 10, 1), SITE, [])
    assert holiday.status == rules.REST and holiday.reasons == ["rest_day:national"]


def test_the_first_check_in_and_the_last_check_out_decide():
    day = rules.evaluate_day(
        TUESDAY,
        SITE,
        punches(TUESDAY, ("in", "08:25"), ("out", "12:01"), ("in", "13:58"), ("out", "17:35")),
    )
    assert (day.late_minutes, day.early_minutes, day.status) == (0, 0, rules.PRESENT)
    assert day.last_out == at(TUESDAY, "17:35")


def _month(absent_days: int, late_each: list[int]) -> rules.Month:
    working = [
        d for d in (date(2026, 11, n) for n in range(1, 31)) if calendar.working_day(d).working
    ]
    records: list[Punch] = []
    for i, day in enumerate(working[absent_days:]):
        late = late_each[i] if i < len(late_each) else 0
        start = at(day, "08:30") + timedelta(minutes=late)
        records += [Punch(f"{day}i", "in", start), Punch(f"{day}o", "out", at(day, "17:30"))]
    return rules.evaluate_month(2026, 11, SITE, records)


def test_a_month_asks_for_an_explanation_after_three_absences_or_three_hours_late():
    assert not _month(3, []).explanation_required
    assert _month(3, []).absences == 3
    assert _month(4, []).explanation_required
    assert not _month(0, [60, 60, 60]).explanation_required  # exactly 3 hours
    assert _month(0, [60, 60, 61]).late_minutes == 181
    assert _month(0, [60, 60, 61]).explanation_required
    # Lateness within the threshold is not lateness and adds nothing.
    assert _month(0, [15] * 20).late_minutes == 0


def test_a_month_stops_at_today_and_counts_days_the_calendar_only_assumed():
    month = rules.evaluate_month(2026, 12, SITE, [], until=date(2026, 12, 2))
    assert [d.day.day for d in month.days] == [1, 2]
    assert month.absences == 2 and month.assumed_days == 0
    future = rules.evaluate_month(2099, 1, SITE, [])
    assert future.assumed_days == 31


def test_working_days_before_the_engineer_was_stationed_are_not_absences():
    came = Punch("c", "in", at(date(2026, 11, 10), "08:20"))
    month = rules.evaluate_month(
        2026, 11, SITE, [came], until=date(2026, 11, 12), stationed=[(date(2026, 11, 11), None)]
    )
    by_day = {d.day.day: d.status for d in month.days}
    assert by_day[9] == rules.NOT_STATIONED  # a Monday, no check-in, not stationed yet
    assert by_day[10] == rules.INCOMPLETE  # came before being stationed: the check-in counts
    assert by_day[11] == by_day[12] == rules.ABSENT
    assert by_day[8] == rules.REST
    assert month.absences == 2
    helping = rules.evaluate_month(2026, 11, SITE, [], stationed=[])
    assert helping.absences == 0


def test_days_between_an_unassignment_and_a_reassignment_are_not_absences():
    month = rules.evaluate_month(
        2026,
        11,
        SITE,
        [],
        until=date(2026, 11, 30),
        stationed=[(date(2026, 11, 2), date(2026, 11, 9)), (date(2026, 11, 23), None)],
    )
    by_day = {d.day.day: d.status for d in month.days}
    assert [by_day[d] for d in (2, 6)] == [rules.ABSENT, rules.ABSENT]  # Mon, Fri: stationed
    assert [by_day[d] for d in (9, 13, 20)] == [rules.NOT_STATIONED] * 3  # the day it ended on
    assert [by_day[d] for d in (23, 30)] == [rules.ABSENT, rules.ABSENT]  # stationed again
    assert month.absences == 5 + 6


def test_a_check_out_after_midnight_closes_the_day_before():
    """Worked late: in at 08:25, out at 00:30 the next morning. The day is complete, not
    "checked in, never out"; the next day is read from its own check-in, and the night's
    check-out is read once, for the day it closes."""
    wednesday, thursday = TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=2)
    night = Punch("night-out", "out", at(wednesday, "00:30"))
    worked = [
        *punches(TUESDAY, ("in", "08:25")),
        night,
        *punches(wednesday, ("in", "08:28"), ("out", "17:35")),
        *punches(thursday, ("out", "09:10")),  # after the start: Thursday's own, no in
    ]
    month = rules.evaluate_month(2026, 12, SITE, worked, until=thursday)
    tuesday, wed, thu = month.days[:3]
    assert (tuesday.status, tuesday.last_out) == (rules.PRESENT, at(wednesday, "00:30"))
    assert tuesday.punches == [f"{TUESDAY}-0", "night-out"] and not tuesday.left_early
    assert wed.status == rules.PRESENT and "night-out" not in wed.punches
    assert thu.status == rules.ABSENT and thu.punches == [f"{thursday}-0"]
    # Without a check-in that day, a night's check-out closes nothing.
    alone = rules.evaluate_month(2026, 12, SITE, [night], until=wednesday)
    assert [d.status for d in alone.days] == [rules.ABSENT, rules.ABSENT]
    assert alone.days[0].punches == [] and alone.days[1].punches == ["night-out"]
