"""Service-level clocks: how much of a limit a fault has used, and when it falls due.

A client's contract says how fast a fault is answered and resolved (domain §5: respond within
10 minutes, a service request within 30, resolve within 2 hours) and whether the clock runs
round the clock or only in the site's working hours on working days (the national calendar with
the site's exceptions, as attendance reads it). While a fault waits for parts or for the client,
the clock stops if the contract says so: those spans are passed as pauses.

Everything here is arithmetic on aware datetimes; nothing reads the database or the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..attendance.calendar import working_day
from ..attendance.rules import Period

# No limit is set further out than this: a schedule with no working time ends the search.
HORIZON = timedelta(days=400)


@dataclass(frozen=True)
class Schedule:
    """When the clock runs: always, or in `periods` on working days in `timezone`."""

    round_the_clock: bool = True
    periods: tuple[Period, ...] = ()
    timezone: str = "Asia/Shanghai"
    exceptions: Mapping[date, bool] | None = None


ALWAYS = Schedule()


def _running(schedule: Schedule, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The spans in which the clock runs, in order, from the day of `since` on."""
    if schedule.round_the_clock:
        yield since, since + HORIZON
        return
    zone = ZoneInfo(schedule.timezone)
    day = since.astimezone(zone).date()
    last = day + HORIZON
    while day <= last:
        if working_day(day, schedule.exceptions).working:
            for period in schedule.periods:
                yield (
                    datetime.combine(day, period.start, zone),
                    datetime.combine(day, period.end, zone),
                )
        day += timedelta(days=1)


def _minus(
    spans: Iterable[tuple[datetime, datetime]], pauses: list[tuple[datetime, datetime]]
) -> Iterator[tuple[datetime, datetime]]:
    """`spans` with the paused stretches cut out."""
    for start, end in spans:
        pieces = [(start, end)]
        for p_start, p_end in pauses:
            cut = []
            for a, b in pieces:
                if p_end <= a or p_start >= b:
                    cut.append((a, b))
                    continue
                if a < p_start:
                    cut.append((a, p_start))
                if p_end < b:
                    cut.append((p_end, b))
            pieces = cut
        yield from pieces


def _pauses(pauses: Iterable[tuple[datetime, datetime | None]], now: datetime):
    """Open pauses last until `now`."""
    return sorted((start, end or now) for start, end in pauses)


def used(
    start: datetime,
    until: datetime,
    schedule: Schedule = ALWAYS,
    pauses: Iterable[tuple[datetime, datetime | None]] = (),
) -> timedelta:
    """Clock time between `start` and `until` (running time only, pauses left out)."""
    if until <= start:
        return timedelta(0)
    total = timedelta(0)
    for a, b in _minus(_running(schedule, start), _pauses(pauses, until)):
        if b <= start:
            continue
        if a >= until:
            break
        total += min(b, until) - max(a, start)
    return total


def due(
    start: datetime,
    limit: timedelta,
    schedule: Schedule = ALWAYS,
    pauses: Iterable[tuple[datetime, datetime | None]] = (),
    *,
    now: datetime | None = None,
) -> datetime | None:
    """When `limit` of clock time after `start` is used up; None while a pause is open (the
    clock is stopped, so there is no due time) or when the schedule never runs."""
    pauses = list(pauses)
    if any(end is None for _start, end in pauses):
        return None
    left = limit
    for a, b in _minus(_running(schedule, start), _pauses(pauses, now or start)):
        if b <= start:
            continue
        a = max(a, start)
        if b - a >= left:
            return a + left
        left -= b - a
    return None


@dataclass(frozen=True)
class Status:
    """A clock as the board shows it."""

    limit: timedelta
    used: timedelta
    due: datetime | None
    stopped_at: datetime | None  # when the clock was stopped by the event it waits for

    @property
    def left(self) -> timedelta:
        return self.limit - self.used

    @property
    def breached(self) -> bool:
        return self.used > self.limit

    def warning(self, share: float = 0.8) -> bool:
        """Close to the limit: `share` of it used (and not yet over)."""
        return not self.breached and self.used >= self.limit * share


def status(
    start: datetime,
    limit: timedelta,
    now: datetime,
    schedule: Schedule = ALWAYS,
    pauses: Iterable[tuple[datetime, datetime | None]] = (),
    *,
    stopped_at: datetime | None = None,
) -> Status:
    """A clock started at `start`, stopped at `stopped_at` (the response or the resolution) if it
    has been, read at `now`."""
    pauses = list(pauses)
    end = stopped_at or now
    return Status(
        limit=limit,
        used=used(start, end, schedule, pauses),
        due=due(start, limit, schedule, pauses, now=now),
        stopped_at=stopped_at,
    )
