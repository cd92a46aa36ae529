"""The machine-room access log (机房出入登记), read from kept check-ins (docs/checkins.md,
"Access log").

An access entry is a check-in at a room paired with the next check-out by the same person at the
same room. A second check-in there before any check-out leaves the first entry open (nobody
checked out of it) and starts another; a check-out with no entry open closes nothing. The log
holds the rooms that are restricted, and any room where a check-in carries a purpose (it was
restricted when the check-in was made). Office roles only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..auth import permissions
from ..models import CheckIn, Location, Site, User
from ..spreadsheets import write_csv, write_xlsx

# Every time zone's version of a calendar day (UTC-12 .. UTC+14), for the query before the day
# of each record is read from its own offset.
EARLIEST_OFFSET = timedelta(hours=14)
LATEST_OFFSET = timedelta(hours=12)


@dataclass
class Entry:
    checkin: CheckIn
    checkout: CheckIn | None = None

    @property
    def open(self) -> bool:
        return self.checkout is None


def local_day(record: CheckIn) -> date:
    """The day the phone showed when the record was made (its own offset, as signed)."""
    return date.fromisoformat(record.device_text[:10])


def pair(records: Iterable[CheckIn]) -> list[Entry]:
    """Entries from check-ins and check-outs, each person at each room walked in time order."""
    ordered = sorted(records, key=lambda r: (r.device_time, r.kind != "in", str(r.id)))
    opened: dict[tuple[Any, Any], Entry] = {}
    entries: list[Entry] = []
    for record in ordered:
        key = (record.user_id, record.location_id)
        if record.kind == "in":
            entry = Entry(record)
            opened[key] = entry  # an earlier one still open stays open
            entries.append(entry)
        elif key in opened:
            opened.pop(key).checkout = record
    return entries


def access_log(
    actor: User,
    *,
    site_id=None,
    location_id=None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[Entry]:
    """The entries whose check-in falls in the period (by the phone's own day), newest first.
    The check-out that closes one may come later than the period's end."""
    permissions.require(actor, "access_log", "read")
    restricted = Location.select(Location.id).where(Location.restricted == True)  # noqa: E712
    with_purpose = CheckIn.alias()
    logged = with_purpose.select(with_purpose.location).where(with_purpose.purpose != "")
    # Only what the log shows: a check-in's assertion and the rest are not read (a month of a
    # busy site is thousands of rows; bench/checkin_bench.py).
    columns = (
        CheckIn.id,
        CheckIn.user,
        CheckIn.site,
        CheckIn.location,
        CheckIn.kind,
        CheckIn.device_text,
        CheckIn.device_time,
        CheckIn.verification,
        CheckIn.purpose,
        CheckIn.people,
        CheckIn.escorts,
        User.id,
        User.username,
        User.display_name,
        Site.id,
        Site.name,
        Location.id,
        Location.name,
    )
    query = (
        CheckIn.select(*columns)
        .join(User, on=(CheckIn.user == User.id))
        .switch(CheckIn)
        .join(Site, on=(CheckIn.site == Site.id))
        .switch(CheckIn)
        .join(Location, on=(CheckIn.location == Location.id))
        .where(
            CheckIn.deleted_at.is_null()
            & (CheckIn.location.in_(restricted) | CheckIn.location.in_(logged))
        )
    )
    if site_id is not None:
        query = query.where(CheckIn.site == site_id)
    if location_id is not None:
        query = query.where(CheckIn.location == location_id)
    if first_day is not None:
        start = datetime.combine(first_day, datetime.min.time()) - EARLIEST_OFFSET
        query = query.where(CheckIn.device_time >= start)
    # No upper bound on the query: a check-out after the period still closes an entry in it.
    entries = [
        e
        for e in pair(query)
        if (first_day is None or local_day(e.checkin) >= first_day)
        and (last_day is None or local_day(e.checkin) <= last_day)
    ]
    entries.sort(key=lambda e: e.checkin.device_time, reverse=True)
    return entries


def _when(record: CheckIn | None) -> str:
    return "" if record is None else record.device_text.replace("T", " ")[:19]


def table(entries: list[Entry], titles: dict[str, str], statuses: dict[str, str]) -> tuple:
    """The log as a spreadsheet's heading and rows (the same columns in CSV and XLSX)."""
    keys = [
        "site",
        "room",
        "engineer",
        "in",
        "out",
        "purpose",
        "people",
        "escorts",
        "verification",
        "out_verification",
    ]
    rows = []
    for e in entries:
        c, o = e.checkin, e.checkout
        rows.append(
            [
                c.site.name,
                c.location.name,
                c.user.name,
                _when(c),
                _when(o) if o else titles["open"],
                c.purpose,
                c.people,
                "、".join(c.escorts or ()),
                statuses.get(c.verification, c.verification),
                statuses.get(o.verification, o.verification) if o else "",
            ]
        )
    return [titles[k] for k in keys], rows


def export_csv(entries: list[Entry], titles: dict, statuses: dict) -> bytes:
    return write_csv(*table(entries, titles, statuses))


def export_xlsx(entries: list[Entry], titles: dict, statuses: dict, *, title: str) -> bytes:
    headers, rows = table(entries, titles, statuses)
    return write_xlsx(headers, rows, title=title, widths=[16, 16, 12, 20, 20, 30, 8, 24, 12, 12])
