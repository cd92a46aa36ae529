"""The attendance month sheet from kept check-ins, by the rules of `webapp/attendance/rules.py`
(docs/attendance.md): per site (a row per engineer) or per engineer (a row per site). Every cell
keeps the check-ins it was read from and the rules that decided it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ..attendance.rules import Month, Punch, SiteRules, evaluate_month
from ..models import Assignment, CheckIn, Site, User


@dataclass
class Row:
    label: str
    site: Site
    user: User
    month: Month
    checkins: dict[str, CheckIn]  # id -> check-in, to explain the cells


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """UTC bounds wide enough for every site's time zone (a day either side)."""
    first = datetime(year, month, 1) - timedelta(days=1)
    following = datetime(year + month // 12, month % 12 + 1, 1) + timedelta(days=1)
    return first, following


def _punches(rows: list[CheckIn]) -> list[Punch]:
    return [Punch(id=str(c.id), kind=c.kind, at=c.device_time.replace(tzinfo=UTC)) for c in rows]


def _row(label: str, site: Site, user: User, year: int, month: int, today: date) -> Row:
    start, end = month_bounds(year, month)
    kept = list(
        CheckIn.live().where(
            (CheckIn.site == site.id)
            & (CheckIn.user == user.id)
            & (CheckIn.device_time >= start)
            & (CheckIn.device_time < end)
        )
    )
    evaluated = evaluate_month(year, month, SiteRules.of(site), _punches(kept), until=today)
    return Row(label, site, user, evaluated, {str(c.id): c for c in kept})


def site_sheet(site: Site, year: int, month: int, today: date) -> list[Row]:
    """A row per engineer assigned to the site or who checked in there that month."""
    start, end = month_bounds(year, month)
    ids = {a.engineer_id for a in Assignment.live().where(Assignment.site == site.id)}
    ids |= {
        c.user_id
        for c in CheckIn.select(CheckIn.user).where(
            (CheckIn.site == site.id) & (CheckIn.device_time >= start) & (CheckIn.device_time < end)
        )
    }
    users = sorted(User.select().where(User.id.in_(list(ids))), key=lambda u: u.name)
    return [_row(u.name, site, u, year, month, today) for u in users]


def engineer_sheet(user: User, year: int, month: int, today: date) -> list[Row]:
    """A row per site the engineer is assigned to or checked in at that month."""
    start, end = month_bounds(year, month)
    ids = {a.site_id for a in Assignment.live().where(Assignment.engineer == user.id)}
    ids |= {
        c.site_id
        for c in CheckIn.select(CheckIn.site).where(
            (CheckIn.user == user.id) & (CheckIn.device_time >= start) & (CheckIn.device_time < end)
        )
    }
    sites = sorted(Site.select().where(Site.id.in_(list(ids))), key=lambda s: s.name)
    return [_row(s.name, s, user, year, month, today) for s in sites]
