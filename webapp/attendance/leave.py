"""How much notice a leave request (请假申请) gives, by the seeds' rule: leave of one or two days is
asked for at least one day ahead, three days or more at least two days ahead; an emergency is
filed afterwards, which is allowed and marked so.

Days are calendar days, both ends included, and "ahead" counts from the day the request was
filed *at the site* (a phone in China at 07:30 files on the Chinese day, which is still the
previous day in UTC). A phone whose clock is behind the newest server-signed time it holds
(checkins/clock.py, kept from each pull) is judged from that signed time instead: setting the
phone's clock back does not buy notice. The phone applies the same rule offline
(static/js/leave.js); both run tests/leave_vectors.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

ON_TIME = "on_time"
SHORT_NOTICE = "short_notice"  # filed before the leave starts, but later than the rule asks
AFTERWARDS = "afterwards"  # filed after the leave began: an emergency, marked as such


@dataclass(frozen=True)
class Notice:
    days: int
    needed: int  # days of notice the rule asks for
    ahead: int  # days between the filing day and the first day of leave (negative: after)
    status: str


def needed_notice(days: int) -> int:
    return 1 if days <= 2 else 2


def judged_at(filed_at: datetime, server_time: datetime | None = None) -> datetime:
    """The instant the notice is judged from: the phone's filing time, or the newest signed
    server time the phone held when its own clock is behind it (both aware)."""
    if server_time is not None and server_time > filed_at:
        return server_time
    return filed_at


def notice(
    start: date,
    end: date,
    filed_at: datetime,
    timezone: str,
    server_time: datetime | None = None,
) -> Notice:
    """The notice a request for `start`..`end` filed at `filed_at` gives (judged from
    `server_time` when the phone's clock is behind it). `end` before `start` is refused by the
    schema before this is asked."""
    if end < start:
        raise ValueError("the leave ends before it starts")
    filed_on = judged_at(filed_at, server_time).astimezone(ZoneInfo(timezone)).date()
    days = (end - start).days + 1
    needed = needed_notice(days)
    ahead = (start - filed_on).days
    if ahead < 0:
        status = AFTERWARDS
    elif ahead < needed:
        status = SHORT_NOTICE
    else:
        status = ON_TIME
    return Notice(days=days, needed=needed, ahead=ahead, status=status)
