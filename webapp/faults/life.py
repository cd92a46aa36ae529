"""A fault's life, derived from its events by one rule (docs/faults.md, "A fault's life").

Each step of a fault (responded, on site, resolved, ...) is an event made where it happened,
often on a phone with no network, and never changed afterwards. The fault's status, its times
and its service-level clocks are not stored by the steps themselves: they are read from all the
events by `derive`, in one order — the event's time as the device wrote it, then arrival on the
server (events not yet sent come last), then the event's id. Two people acting on one fault
offline therefore end in one history, the same on every device and on the server, whatever
order their phones sync in. An event that makes no sense where it lands (a second "responded",
a step after closed) is kept and shown with the reason it had no effect; nothing is dropped.

`static/js/fault-life.js` is the same rule for the phone; both run `tests/fault_vectors.json`.
Pure: no database, no request, no clock (the time is passed in).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import chinese_calendar

from . import clock

KINDS = (
    "responded",
    "on_site",
    "waiting",
    "resumed",
    "resolved",
    "confirmed",
    "closed",
    "cancelled",
    "assigned",
    "escalated",
    "reviewed",
)
# Steps that record what was learnt (the case report's root cause, improvement and lessons):
# they change nothing in the fault's life and count at any time, also after it ended.
RECORD_ONLY = ("reviewed",)
OPEN_STAGES = ("reported", "responded", "on_site")
ENDED = ("closed", "cancelled")
WARNING_SHARE = 0.8

# Why an event had no effect where it landed (kept and shown all the same).
AFTER_END = "after_end"  # the fault was already closed or cancelled
ALREADY = "already"  # the step had already been taken (the first one counts)
NOT_YET = "not_yet"  # the step needs an earlier one first (closing an unresolved fault)
NOT_WAITING = "not_waiting"  # resumed while nothing was waiting


@dataclass(frozen=True)
class Policy:
    """The client's contract as the clocks read it."""

    respond_minutes: int = 10
    resolve_minutes: int = 120
    round_the_clock: bool = True
    periods: tuple[tuple[str, str], ...] = ()
    timezone: str = "Asia/Shanghai"
    days: Mapping[str, bool] = field(default_factory=dict)  # working-day overlay, ISO dates
    waiting_stops_clock: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        return cls(
            respond_minutes=data["respond_minutes"],
            resolve_minutes=data["resolve_minutes"],
            round_the_clock=data["round_the_clock"],
            periods=tuple((a, b) for a, b in data.get("periods", ())),
            timezone=data.get("timezone", "Asia/Shanghai"),
            days=dict(data.get("days", {})),
            waiting_stops_clock=data.get("waiting_stops_clock", True),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "respond_minutes": self.respond_minutes,
            "resolve_minutes": self.resolve_minutes,
            "round_the_clock": self.round_the_clock,
            "periods": [list(p) for p in self.periods],
            "timezone": self.timezone,
            "days": dict(self.days),
            "waiting_stops_clock": self.waiting_stops_clock,
        }

    def schedule(self) -> clock.Schedule:
        if self.round_the_clock:
            return clock.ALWAYS
        from ..attendance.rules import Period

        return clock.Schedule(
            round_the_clock=False,
            periods=tuple(
                Period(time.fromisoformat(a), time.fromisoformat(b)) for a, b in self.periods
            ),
            timezone=self.timezone,
            exceptions={date.fromisoformat(k): v for k, v in self.days.items()},
        )


def calendar_days(start: date, count: int, exceptions: Mapping[date, bool] | None = None):
    """The days from `start` on whose working status is not plain Monday-to-Friday (holidays,
    swapped weekend days, the site's exceptions), as {ISO date: working}: what the phone needs
    to run a working-hours clock offline."""
    from ..attendance.calendar import working_day

    days = {}
    for n in range(count):
        day = start + timedelta(days=n)
        working = working_day(day, exceptions).working
        if working != (day.weekday() < 5):
            days[day.isoformat()] = working
    return days


def calendar_known(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def instant(text: str) -> datetime:
    """A device time ("2026-12-02T08:00:00.000Z", "...+08:00") as an aware UTC datetime."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("a device time carries its offset")
    return value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """UTC to the second, as both sides write it."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def order_key(event: Mapping[str, Any]) -> tuple:
    """Event time, then arrival (not yet sent: last), then id."""
    seq = event.get("seq")
    return (instant(event["at"]), 0 if seq else 1, seq or 0, str(event["id"]))


def _clock(
    start: datetime,
    minutes: int,
    now: datetime,
    schedule: clock.Schedule,
    pauses: list[tuple[datetime, datetime | None]],
    stopped: datetime | None,
) -> dict[str, Any]:
    status = clock.status(
        start, timedelta(minutes=minutes), now, schedule, pauses, stopped_at=stopped
    )
    return {
        "limit_s": minutes * 60,
        "used_s": status.used // timedelta(seconds=1),
        "due": iso(status.due),
        "stopped": stopped is not None,
        "breached": status.breached,
        "warning": status.warning(WARNING_SHARE),
    }


def derive(
    fault: Mapping[str, Any],
    events: Iterable[Mapping[str, Any]],
    policy: Policy,
    now: datetime,
) -> dict[str, Any]:
    """The fault as its events make it, read at `now`.

    `fault`: reported_at (device time), kind ("fault" or "service_request"), assignee_id.
    `events`: id, kind, at (device time), seq (arrival; None when not yet sent), by, details.
    """
    ordered = sorted(events, key=order_key)
    stage = "reported"
    times: dict[str, str | None] = dict.fromkeys(
        ("responded_at", "on_site_at", "resolved_at", "confirmed_at", "closed_at", "cancelled_at")
    )
    assignee = fault.get("assignee_id")
    escalated_to = None
    waiting_since: str | None = None
    waiting_for = None
    pauses: list[list[str | None]] = []
    effects = []

    def close_pause(at: str) -> None:
        nonlocal waiting_since, waiting_for
        if waiting_since is not None:
            pauses.append([waiting_since, at])
            waiting_since = waiting_for = None

    for event in ordered:
        kind, at, details = event["kind"], event["at"], event.get("details") or {}
        why = None
        if kind in RECORD_ONLY:
            pass
        elif stage in ENDED:
            why = AFTER_END
        elif kind == "assigned":
            assignee = details.get("assignee_id")
        elif kind == "escalated":
            escalated_to = details.get("to")
            if details.get("assignee_id"):
                assignee = details["assignee_id"]
        elif kind == "responded":
            if stage != "reported":
                why = ALREADY
            else:
                stage, times["responded_at"] = "responded", at
        elif kind == "on_site":
            if stage not in ("reported", "responded"):
                why = ALREADY
            else:
                times["responded_at"] = times["responded_at"] or at
                stage, times["on_site_at"] = "on_site", at
        elif kind == "waiting":
            if stage not in OPEN_STAGES or waiting_since is not None:
                why = ALREADY
            else:
                waiting_since, waiting_for = at, details.get("waiting_for")
        elif kind == "resumed":
            if waiting_since is None:
                why = NOT_WAITING
            else:
                close_pause(at)
        elif kind == "resolved":
            if stage not in OPEN_STAGES:
                why = ALREADY
            else:
                close_pause(at)
                times["responded_at"] = times["responded_at"] or at
                stage, times["resolved_at"] = "resolved", at
        elif kind == "confirmed":
            if stage == "resolved":
                stage, times["confirmed_at"] = "confirmed", at
            else:
                why = NOT_YET if stage in OPEN_STAGES else ALREADY
        elif kind == "closed":
            if stage in ("resolved", "confirmed"):
                stage, times["closed_at"] = "closed", at
            else:
                why = NOT_YET
        elif kind == "cancelled":
            if stage not in OPEN_STAGES:
                why = ALREADY  # a resolved fault is closed, not cancelled
            else:
                close_pause(at)
                stage, times["cancelled_at"] = "cancelled", at
        effects.append({"id": str(event["id"]), "applied": why is None, "why": why})

    if waiting_since is not None:
        pauses.append([waiting_since, None])
    status = "waiting" if waiting_since is not None else stage

    start = instant(fault["reported_at"])
    schedule = policy.schedule()
    spans = [(instant(a), instant(b) if b else None) for a, b in pauses]
    cancelled = instant(times["cancelled_at"]) if times["cancelled_at"] else None
    responded = instant(times["responded_at"]) if times["responded_at"] else cancelled
    resolved = instant(times["resolved_at"]) if times["resolved_at"] else cancelled
    return {
        "status": status,
        **times,
        "assignee_id": assignee,
        "escalated_to": escalated_to,
        "waiting_for": waiting_for,
        "pauses": pauses,
        "events": effects,
        "respond": _clock(start, policy.respond_minutes, now, schedule, [], responded),
        "resolve": _clock(
            start,
            policy.resolve_minutes,
            now,
            schedule,
            spans if policy.waiting_stops_clock else [],
            resolved,
        ),
    }
