"""The attendance month sheet from kept check-ins, by the rules of `webapp/attendance/rules.py`
(docs/attendance.md): per site (a row per engineer) or per engineer (a row per site). Approved
leave (leave.operations) is not absence, and the site's own calendar (models.SiteDay) wins over
the national one. Every cell keeps the check-ins it was read from and the rules that decided
it, with the leave request or the site's note behind it; a month that asks for a written
explanation carries where that explanation stands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..attendance.rules import Month, Punch, SiteRules, evaluate_month
from ..leave import operations as leave_ops
from ..models import Assignment, AuditEntry, CheckIn, LeaveRequest, Site, SiteDay, User


@dataclass
class Row:
    label: str
    site: Site
    user: User
    month: Month
    checkins: dict[str, CheckIn]  # id -> check-in, to explain the cells
    leave: dict[date, LeaveRequest] = field(default_factory=dict)  # the request behind a day
    site_days: dict[date, SiteDay] = field(default_factory=dict)  # the site's own days
    explanation: leave_ops.ExplanationState | None = None  # when the month asks for one


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """UTC bounds wide enough for every site's time zone (a day either side)."""
    first = datetime(year, month, 1) - timedelta(days=1)
    following = datetime(year + month // 12, month % 12 + 1, 1) + timedelta(days=1)
    return first, following


def _punches(rows: list[CheckIn]) -> list[Punch]:
    return [Punch(id=str(c.id), kind=c.kind, at=c.device_time.replace(tzinfo=UTC)) for c in rows]


def stationed_periods(user: User, site: Site) -> list[tuple[date, date | None]]:
    """The days the engineer was stationed at the site, in the site's time zone: from the day
    the assignment was made, each unassignment ending a period and each reassignment (the same
    row revived) beginning one, as the audit log keeps them; (first day, the day it ended or
    None), the end not included. Empty where they never were (their check-ins count, their
    missing days do not)."""
    assignment = (
        Assignment.select()
        .where((Assignment.engineer == user.id) & (Assignment.site == site.id))
        .first()
    )
    if assignment is None:
        return []
    zone = ZoneInfo(site.timezone)

    def day(moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(zone).date()

    changes = (
        AuditEntry.select(AuditEntry.at, AuditEntry.action)
        .where(
            (AuditEntry.entity == Assignment._meta.table_name)
            & (AuditEntry.entity_id == str(assignment.id))
            & AuditEntry.action.in_(("delete", "restore"))
            & (AuditEntry.at >= assignment.created_at)
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    periods: list[tuple[date, date | None]] = []
    start: date | None = day(assignment.created_at)
    for change in changes:
        if change.action == "delete" and start is not None:
            periods.append((start, day(change.at)))
            start = None
        elif change.action == "restore" and start is None:
            start = day(change.at)
    if start is not None:
        # A tombstone the log does not explain ends where it was written.
        end = day(assignment.deleted_at) if assignment.deleted_at is not None else None
        periods.append((start, end))
    return periods


def _stationed_during(periods: list[tuple[date, date | None]], first: date, last: date) -> bool:
    return any(start <= last and (end is None or end > first) for start, end in periods)


def _row(
    label: str,
    site: Site,
    user: User,
    year: int,
    month: int,
    now: datetime,
    site_days: dict[date, SiteDay] | None = None,
) -> Row:
    start, end = month_bounds(year, month)
    kept = list(
        CheckIn.live().where(
            (CheckIn.site == site.id)
            & (CheckIn.user == user.id)
            & (CheckIn.device_time >= start)
            & (CheckIn.device_time < end)
        )
    )
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    leave = leave_ops.approved_leave(user.id, first, last)  # the person's, at any site
    if site_days is None:
        site_days = SiteDay.notes(site.id, first, last)
    evaluated = evaluate_month(
        year,
        month,
        SiteRules.of(site),
        _punches(kept),
        leave_days=leave.keys(),
        exceptions={day: row.working for day, row in site_days.items()},
        until=now.astimezone(ZoneInfo(site.timezone)).date(),  # today at the site
        stationed=stationed_periods(user, site),
        now=now,
    )
    row = Row(label, site, user, evaluated, {str(c.id): c for c in kept}, leave, site_days)
    if evaluated.explanation_required:
        row.explanation = leave_ops.explanation_required(user.id, site.id, year, month)
    return row


def site_sheet(site: Site, year: int, month: int, now: datetime) -> list[Row]:
    """A row per engineer assigned to the site or who checked in there that month, read at
    `now` (aware): the days still to come at the site are not counted."""
    start, end = month_bounds(year, month)
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    ids = {a.engineer_id for a in Assignment.live().where(Assignment.site == site.id)}
    ids |= {  # stationed for part of the month, unassigned since
        a.engineer_id
        for a in Assignment.select().where(
            (Assignment.site == site.id) & Assignment.deleted_at.is_null(False)
        )
        if _stationed_during(stationed_periods(a.engineer, site), first, last)
    }
    ids |= {
        c.user_id
        for c in CheckIn.select(CheckIn.user).where(
            (CheckIn.site == site.id) & (CheckIn.device_time >= start) & (CheckIn.device_time < end)
        )
    }
    users = sorted(User.select().where(User.id.in_(list(ids))), key=lambda u: u.name)
    site_days = SiteDay.notes(site.id, first, last)  # the site's own days, read once
    return [_row(u.name, site, u, year, month, now, site_days) for u in users]


def engineer_sheet(user: User, year: int, month: int, now: datetime) -> list[Row]:
    """A row per site the engineer is assigned to or checked in at that month, read at `now`."""
    start, end = month_bounds(year, month)
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    ids = {a.site_id for a in Assignment.live().where(Assignment.engineer == user.id)}
    ids |= {  # stationed there for part of the month, unassigned since
        a.site_id
        for a in Assignment.select().where(
            (Assignment.engineer == user.id) & Assignment.deleted_at.is_null(False)
        )
        if _stationed_during(stationed_periods(user, a.site), first, last)
    }
    ids |= {
        c.site_id
        for c in CheckIn.select(CheckIn.site).where(
            (CheckIn.user == user.id) & (CheckIn.device_time >= start) & (CheckIn.device_time < end)
        )
    }
    sites = sorted(Site.select().where(Site.id.in_(list(ids))), key=lambda s: s.name)
    return [_row(s.name, s, user, year, month, now) for s in sites]


@dataclass
class Flag:
    """A month of the engineer's at a site that asks for a written explanation."""

    site: Site
    month: str  # YYYY-MM
    absences: int
    late_minutes: int
    explanation: str  # missing, waiting, accepted, returned


def _month_before(day: date) -> tuple[int, int]:
    return (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)


def flags_of(user: User, now: datetime) -> list[Flag]:
    """The engineer's flagged months (the last one and this one so far) at each site they are
    stationed at, for the phone to ask for the explanation. Days before the engineer was
    stationed there are absences for nobody."""
    flags = []
    assignments = Assignment.live().where(Assignment.engineer == user.id)
    for assignment in assignments:
        site = Site.get_or_none((Site.id == assignment.site_id) & Site.deleted_at.is_null())
        if site is None:
            continue
        today = now.astimezone(ZoneInfo(site.timezone)).date()
        for year, month in (_month_before(today), (today.year, today.month)):
            row = _row(site.name, site, user, year, month, now)
            if row.explanation is None:
                continue
            flags.append(
                Flag(
                    site=site,
                    month=f"{year:04d}-{month:02d}",
                    absences=row.month.absences,
                    late_minutes=row.month.late_minutes,
                    explanation=row.explanation.status,
                )
            )
    return sorted(flags, key=lambda f: (f.month, f.site.name))
