"""Which days are working days at a site.

China moves its working days every year: public holidays (法定节假日) and the weekend days worked
in exchange (调休) are announced each winter for the next year. They come from the maintained
`chinese_calendar` package, never from a list kept here; a site's own exceptions (a client closed
for a move, a Saturday the client asks for) are laid on top. For a year the package does not know
yet, Monday to Friday are assumed and every such day says so, so that nobody is marked absent on
a holiday the calendar did not know of without the office seeing why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import chinese_calendar

SITE = "site"  # the site's own exception decides
NATIONAL = "national"  # the published national calendar decides
ASSUMED = "assumed"  # a year the calendar does not cover yet: Monday to Friday assumed


@dataclass(frozen=True)
class WorkingDay:
    day: date
    working: bool
    source: str  # SITE, NATIONAL or ASSUMED
    holiday: str | None = None  # the national holiday's English name, when there is one

    @property
    def swapped(self) -> bool:
        """A weekend day worked in exchange for a holiday (调休上班)."""
        return self.working and self.day.weekday() >= 5 and self.source == NATIONAL


def working_day(day: date, exceptions: Mapping[date, bool] | None = None) -> WorkingDay:
    """Whether `day` is a working day, and what decided it."""
    if exceptions and day in exceptions:
        return WorkingDay(day, bool(exceptions[day]), SITE)
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return WorkingDay(day, day.weekday() < 5, ASSUMED)
    return WorkingDay(day, not on_holiday, NATIONAL, name if on_holiday else None)


def calendar_known(year: int) -> bool:
    """Whether the national calendar of `year` has been published in the installed package."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True
