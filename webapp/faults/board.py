"""The office's fault board: open faults by the time left on their clocks, and the figures of
closed ones. Reads the columns the faults' events wrote (operations.derived); the time left is
clock time (working hours only, when the contract says so), read now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from peewee import JOIN

from ..clock import now as server_now
from ..models import Client, Equipment, Fault, Site, User
from . import clock, life
from .operations import policy_of

OPEN = ("reported", "responded", "on_site", "waiting")
DONE = ("resolved", "confirmed")
ENDED = ("closed", "cancelled")
VIEWS = {"open": (*OPEN, *DONE), "closed": ENDED, "all": None}


@dataclass
class Clock:
    """One clock as a row shows it."""

    name: str  # respond, resolve
    limit: timedelta
    due: datetime | None  # UTC, while running
    left: timedelta | None  # clock time left (negative: over), while running
    used: timedelta | None
    stopped: bool
    breached: bool | None
    paused: bool = False

    @property
    def warning(self) -> bool:
        return (
            not self.stopped
            and not self.breached
            and self.used is not None
            and self.used >= self.limit * life.WARNING_SHARE
        )

    @property
    def share(self) -> int:
        if self.used is None or not self.limit:
            return 0
        return int(100 * self.used / self.limit)


@dataclass
class Row:
    fault: Fault
    respond: Clock
    resolve: Clock

    @property
    def current(self) -> Clock:
        """The clock that matters now: the response until it is made, then the resolution."""
        return self.respond if not self.respond.stopped else self.resolve

    @property
    def sort_key(self) -> tuple:
        if self.fault.status in ENDED or self.fault.status in DONE:
            return (3, 0)
        current = self.current
        if current.left is None:
            return (2, 0)  # waiting: the clock is stopped, nothing falls due
        return (0 if current is self.respond else 1, current.left.total_seconds())


def _clock(fault: Fault, name: str, minutes: int, schedule, now: datetime) -> Clock:
    due = getattr(fault, f"{name}_due")
    used = getattr(fault, f"{name}_used")
    limit = timedelta(minutes=minutes)
    if used is not None:  # stopped: the figure is kept
        breached = getattr(fault, f"{name}_breached")
        return Clock(name, limit, None, None, timedelta(seconds=used), True, breached)
    if due is None:
        paused = fault.status == "waiting"
        return Clock(name, limit, None, None, None, False, None, paused=paused)
    due = due.replace(tzinfo=UTC)
    left = clock.used(now, due, schedule) if now < due else -clock.used(due, now, schedule)
    return Clock(name, limit, due, left, limit - left, False, left < timedelta(0))


def row_of(fault: Fault, now: datetime, policies: dict | None = None) -> Row:
    key = (fault.site_id, fault.kind)
    policies = {} if policies is None else policies
    if key not in policies:
        policies[key] = policy_of(fault, fault.site, fault.site.client)
    policy = policies[key]
    schedule = policy.schedule()
    return Row(
        fault,
        _clock(fault, "respond", policy.respond_minutes, schedule, now),
        _clock(fault, "resolve", policy.resolve_minutes, schedule, now),
    )


def board(
    *, view: str = "open", site_id: str = "", severity: str = "", now: datetime | None = None
) -> list[Row]:
    """The faults of a view, the most urgent first (open), or the newest first (closed, all)."""
    now = now or server_now()
    query = (
        Fault.live()
        .join(Site, on=(Fault.site == Site.id))
        .join(Client, on=(Site.client == Client.id))
        .switch(Fault)
        .join(Equipment, JOIN.LEFT_OUTER, on=(Fault.equipment == Equipment.id))
        .switch(Fault)
        .join(User, JOIN.LEFT_OUTER, on=(Fault.assignee == User.id))
        .select(Fault, Site, Client, Equipment, User)
    )
    statuses = VIEWS.get(view, VIEWS["open"])
    if statuses is not None:
        query = query.where(Fault.status.in_(statuses))
    if site_id:
        try:
            query = query.where(Fault.site == UUID(site_id))
        except ValueError:
            return []
    if severity:
        query = query.where(Fault.severity == severity)
    if view != "open":
        query = query.order_by(Fault.created_at.desc()).limit(500)
    policies: dict[Any, life.Policy] = {}
    rows = [row_of(f, now, policies) for f in query]
    if view == "open":
        rows.sort(key=lambda r: r.sort_key)
    return rows


def near_limit(now: datetime) -> list[tuple[Fault, dict[str, str]]]:
    """Open faults with a running clock at 80 % of its limit or past it, with {clock: "warning" |
    "breached"} (as `operations.clocks_near_limit` names them), read from the faults' columns
    in one query: what the escalation sweep looks at more closely."""
    found = []
    for row in board(view="open", now=now):
        if row.fault.status not in OPEN:
            continue
        levels = {}
        for kept in (row.respond, row.resolve):
            if kept.stopped or kept.left is None:
                continue
            if kept.breached:
                levels[kept.name] = "breached"
            elif kept.warning:
                levels[kept.name] = "warning"
        if levels:
            found.append((row.fault, levels))
    return found
