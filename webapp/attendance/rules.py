"""What a day's check-ins say against a site's working hours, and what a month adds up to.

The rules of the seeds, with their numbers as the site's settings:
- a day's attendance is its first check-in and its last check-out, read against the start of the
  site's first working period and the end of its last one (engineers sign in on arrival and out
  on departure, not at lunch);
- late: the first check-in more than `late_after_minutes` after the start; the minutes late are
  counted from the start;
- early leave: the last check-out more than `early_leave_minutes` before the end;
- absent (旷工): a working day without a check-in and without approved leave;
- a check-in without a check-out is shown as incomplete, for the engineer to explain;
- in a month, more than 3 absences, or more than 3 hours late in total, ask the engineer for a
  written absence explanation (《缺勤情况说明》).

Every result carries the check-ins it was read from and the rules that decided it, so the office
can answer "why is this cell red". Times are compared in the site's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .calendar import NATIONAL, WorkingDay, working_day

MONTHLY_ABSENCES_ALLOWED = 3
MONTHLY_LATE_MINUTES_ALLOWED = 180

# A day's status.
REST = "rest"  # not a working day
LEAVE = "leave"  # approved leave
ABSENT = "absent"
INCOMPLETE = "incomplete"  # checked in, never out
PRESENT = "present"  # checked in and out; may still be late or early
NOT_STATIONED = "not_stationed"  # a working day before the engineer was stationed here, no check-in


@dataclass(frozen=True)
class Period:
    start: time
    end: time


def parse_hours(text: str) -> list[Period]:
    """ "08:30-12:00,14:00-17:30" -> periods in order. The format is checked where a site is
    saved (sites/schemas.py); this reads it."""
    periods = []
    for part in text.split(","):
        start, end = part.strip().split("-")
        periods.append(Period(time.fromisoformat(start), time.fromisoformat(end)))
    return sorted(periods, key=lambda p: p.start)


@dataclass(frozen=True)
class Punch:
    """One check-in or check-out, as stored."""

    id: str
    kind: str  # "in" or "out"
    at: datetime  # aware


@dataclass(frozen=True)
class SiteRules:
    periods: tuple[Period, ...]
    late_after_minutes: int = 15
    early_leave_minutes: int = 15
    timezone: str = "Asia/Shanghai"

    @classmethod
    def of(cls, site) -> SiteRules:
        return cls(
            periods=tuple(parse_hours(site.working_hours)),
            late_after_minutes=site.late_after_minutes,
            early_leave_minutes=site.early_leave_minutes,
            timezone=site.timezone,
        )


@dataclass
class Day:
    day: date
    status: str
    calendar: WorkingDay
    late_minutes: int = 0
    early_minutes: int = 0
    first_in: datetime | None = None
    last_out: datetime | None = None
    punches: list[str] = field(default_factory=list)  # ids of the check-ins read
    reasons: list[str] = field(default_factory=list)  # the rules that decided, in order

    @property
    def late(self) -> bool:
        return self.late_minutes > 0

    @property
    def left_early(self) -> bool:
        return self.early_minutes > 0


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _of_day(punches: Iterable[Punch], day: date, zone: ZoneInfo) -> list[Punch]:
    return sorted((p for p in punches if p.at.astimezone(zone).date() == day), key=lambda p: p.at)


def _after_midnight(
    day: date, rules: SiteRules, punches: Iterable[Punch], zone: ZoneInfo
) -> list[Punch]:
    """The check-outs of the next morning that close `day` (worked late, out at 00:30): before
    the next day's first check-in and before its start, on a day that was checked into."""
    punches = list(punches)
    if not any(p.kind == "in" for p in _of_day(punches, day, zone)):
        return []
    following = day + timedelta(days=1)
    morning = _of_day(punches, following, zone)
    limit = datetime.combine(following, rules.periods[0].start, zone)
    limit = min([limit, *(p.at for p in morning if p.kind == "in")])
    return [p for p in morning if p.kind == "out" and p.at < limit]


def evaluate_day(
    day: date,
    rules: SiteRules,
    punches: Iterable[Punch],
    *,
    on_leave: bool = False,
    exceptions: Mapping[date, bool] | None = None,
    stationed: bool = True,
) -> Day:
    """The attendance of one engineer at one site on one day (punches of any day may be passed;
    those falling on `day` in the site's time zone count, and a check-out after midnight that
    closes it, which then does not count for the next day). A working day without a check-in is
    an absence only where the engineer was stationed that day."""
    zone = ZoneInfo(rules.timezone)
    punches = list(punches)
    closed_yesterday = {
        p.id for p in _after_midnight(day - timedelta(days=1), rules, punches, zone)
    }
    today = [p for p in _of_day(punches, day, zone) if p.id not in closed_yesterday]
    today += _after_midnight(day, rules, punches, zone)
    calendar = working_day(day, exceptions)
    ins = [p for p in today if p.kind == "in"]
    outs = [p for p in today if p.kind == "out"]
    result = Day(day=day, status=PRESENT, calendar=calendar, punches=[p.id for p in today])
    if not calendar.working:
        result.status = REST
        result.reasons.append(f"rest_day:{calendar.source}")
        if ins:
            result.first_in = ins[0].at.astimezone(zone)
        if outs:
            result.last_out = outs[-1].at.astimezone(zone)
        return result
    if calendar.source != NATIONAL:  # say why a day the national calendar rests is worked
        result.reasons.append(f"working_day:{calendar.source}")
    if on_leave:
        result.status = LEAVE
        result.reasons.append("approved_leave")
        return result
    if not ins and not stationed:
        result.status = NOT_STATIONED
        result.reasons.append("not_stationed")
        return result
    if not ins:
        result.status = ABSENT
        result.reasons.append("no_check_in")
        return result

    start = datetime.combine(day, rules.periods[0].start, zone)
    end = datetime.combine(day, rules.periods[-1].end, zone)
    result.first_in = ins[0].at.astimezone(zone)
    late = _minutes(result.first_in - start)
    if late > rules.late_after_minutes:
        result.late_minutes = late
        result.reasons.append(f"late:{rules.late_after_minutes}")
    last_out = [p for p in outs if p.at > ins[0].at]
    if not last_out:
        result.status = INCOMPLETE
        result.reasons.append("no_check_out")
        return result
    result.last_out = last_out[-1].at.astimezone(zone)
    early = _minutes(end - result.last_out)
    if early > rules.early_leave_minutes:
        result.early_minutes = early
        result.reasons.append(f"early_leave:{rules.early_leave_minutes}")
    return result


@dataclass
class Month:
    year: int
    month: int
    days: list[Day]

    @property
    def absences(self) -> int:
        return sum(1 for d in self.days if d.status == ABSENT)

    @property
    def late_minutes(self) -> int:
        return sum(d.late_minutes for d in self.days)

    @property
    def explanation_required(self) -> bool:
        """More than 3 absences or more than 3 hours late: a written explanation is asked for."""
        return (
            self.absences > MONTHLY_ABSENCES_ALLOWED
            or self.late_minutes > MONTHLY_LATE_MINUTES_ALLOWED
        )

    @property
    def assumed_days(self) -> int:
        """Days decided by the weekday rule because the national calendar is not known yet."""
        return sum(1 for d in self.days if d.calendar.source == "assumed")


def evaluate_month(
    year: int,
    month: int,
    rules: SiteRules,
    punches: Iterable[Punch],
    *,
    leave_days: Iterable[date] = (),
    exceptions: Mapping[date, bool] | None = None,
    until: date | None = None,
    stationed: Sequence[tuple[date, date | None]] | None = None,
    now: datetime | None = None,
) -> Month:
    """Every day of a month up to `until` (today: the days to come are not absences yet).
    `stationed`: the periods the engineer was stationed at the site, each (first day, the day
    it ended or None while it lasts), the end not included (None: all along; empty: never, e.g.
    a colleague who came to help); a working day outside them is an absence for nobody. `now`
    (aware): the moment the month is read at; today is still to come, and left out, while it
    has no check-in and its start plus the late allowance has not passed (at 07:30 nobody is
    absent yet)."""
    zone = ZoneInfo(rules.timezone)
    by_day: dict[date, list[Punch]] = {}  # read once, not once per day of the month
    for punch in punches:
        by_day.setdefault(punch.at.astimezone(zone).date(), []).append(punch)
    leave = set(leave_days)
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    if until is not None:
        last = min(last, until)
    days = []
    day = first
    while day <= last:
        days.append(
            evaluate_day(
                day,
                rules,
                # the day and its neighbours: a check-out after midnight closes the day before
                [
                    *by_day.get(day - timedelta(days=1), []),
                    *by_day.get(day, []),
                    *by_day.get(day + timedelta(days=1), []),
                ],
                on_leave=day in leave,
                exceptions=exceptions,
                stationed=stationed is None or _within(day, stationed),
            )
        )
        day += timedelta(days=1)
    if now is not None and days and days[-1].status == ABSENT:
        today = days[-1].day
        begun = datetime.combine(today, rules.periods[0].start, zone) + timedelta(
            minutes=rules.late_after_minutes
        )
        if today == now.astimezone(zone).date() and now <= begun:
            days.pop()
    return Month(year, month, days)


def _within(day: date, periods: Sequence[tuple[date, date | None]]) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in periods)
