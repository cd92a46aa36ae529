"""The rules of a fault's life: who may take which step, and writing a step and what it makes
of the fault. Operations validate everything before they write anything (a refused step leaves
no trace) and flush, never commit.

Who may act on a fault (docs/faults.md, "Who does what"):
- the engineers stationed at the fault's site, and the engineer it is assigned to: respond, on
  site, waiting, resumed, resolved, cancelled;
- a client user of the fault's organisation: confirms a resolved fault (and reports faults);
- the office (dispatchers, admins): every step, and only the office assigns, escalates and
  closes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..attendance.rules import parse_hours
from ..auth import scope
from ..errors import ApiError, not_found, validation_error
from ..models import Client, Fault, FaultEvent, Site, User
from ..models.choices import OFFICE_ROLES
from ..records import create_record, update_record
from . import life

ENGINEER_STEPS = frozenset({"responded", "on_site", "waiting", "resumed", "resolved", "cancelled"})
CLIENT_STEPS = frozenset({"confirmed"})
CALENDAR_DAYS = 45  # how far ahead the phone is told the working days of a working-hours clock


def _locked(query):
    """Rows locked until commit where the database locks rows (PostgreSQL): two steps of one
    fault arriving at once are derived one after the other, each from all events before it."""
    return query.for_update() if Fault._meta.database.for_update else query


def policy_of(fault: Fault, site: Site | None = None, client: Client | None = None) -> life.Policy:
    """The contract the fault's clocks run by: its client's limits for its kind, the site's
    working hours and the national calendar when the contract counts working hours only."""
    site = site or Site.get_by_id(fault.site_id)
    client = client or Client.get_by_id(site.client_id)
    working_hours = client.clock_mode == "working_hours"
    days = {}
    if working_hours:
        start = life.instant(reported_at(fault)).astimezone(ZoneInfo(site.timezone)).date()
        days = life.calendar_days(start, CALENDAR_DAYS)
    request = fault.kind == "service_request"
    respond = client.request_response_minutes if request else client.response_minutes
    return life.Policy(
        respond_minutes=respond,
        resolve_minutes=client.resolution_hours * 60,
        round_the_clock=not working_hours,
        periods=tuple(
            (p.start.strftime("%H:%M"), p.end.strftime("%H:%M"))
            for p in parse_hours(site.working_hours)
        ),
        timezone=site.timezone,
        days=days,
        waiting_stops_clock=client.waiting_stops_clock,
    )


def attach_policies(faults: list[Fault]) -> None:
    """Set `policy` on each fault for the pull's dump, reading sites and clients once."""
    sites = {s.id: s for s in Site.select().where(Site.id.in_({f.site_id for f in faults}))}
    clients = {
        c.id: c for c in Client.select().where(Client.id.in_({s.client_id for s in sites.values()}))
    }
    for fault in faults:
        site = sites[fault.site_id]
        fault.policy = policy_of(fault, site, clients[site.client_id]).as_dict()


def attach_authors(events: list[FaultEvent]) -> None:
    """Load who took each step once for a page of events."""
    users = {u.id: u for u in User.select().where(User.id.in_({e.by_id for e in events}))}
    for event in events:
        event.by = users[event.by_id]


def events_of(fault: Fault) -> list[FaultEvent]:
    """The fault's steps in the one order of the rule."""
    events = list(FaultEvent.live().where(FaultEvent.fault == fault.id))
    return sorted(events, key=lambda e: life.order_key(as_event(e)))


def as_event(event: FaultEvent) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "kind": event.kind,
        "at": event.at,
        "seq": event.server_seq,
        "by": str(event.by_id),
        "details": event.details or {},
    }


def as_fault(fault: Fault) -> dict[str, Any]:
    return {"reported_at": reported_at(fault), "kind": fault.kind, "assignee_id": None}


def reported_at(fault: Fault) -> str:
    """The report's device time, or its arrival for a report whose time cannot be read."""
    try:
        life.instant(fault.reported_at)
        return fault.reported_at
    except ValueError:
        return fault.created_at.replace(tzinfo=UTC).isoformat()


def read(fault: Fault, now: datetime | None = None) -> dict[str, Any]:
    """The fault as its events make it, read now."""
    now = now or datetime.now(UTC)
    events = [as_event(e) for e in FaultEvent.live().where(FaultEvent.fault == fault.id)]
    return life.derive(as_fault(fault), events, policy_of(fault), now)


def _utc(text: str | None) -> datetime | None:
    return life.instant(text).replace(tzinfo=None) if text else None


def derived(fault: Fault) -> dict[str, Any]:
    """What the fault's events make of it, as its columns (status, times, dues, met or
    breached). None depends on the time it is read at: a running clock's due time, a stopped
    clock's figures."""
    state = read(fault)
    respond, resolve = state["respond"], state["resolve"]
    return {
        "status": state["status"],
        "assignee": state["assignee_id"] and UUID(state["assignee_id"]),
        "escalated_to": state["escalated_to"] or "",
        "responded_at": state["responded_at"] or "",
        "resolved_at": state["resolved_at"] or "",
        "closed_at": state["closed_at"] or state["cancelled_at"] or "",
        "respond_due": None if respond["stopped"] else _utc(respond["due"]),
        "resolve_due": None if resolve["stopped"] else _utc(resolve["due"]),
        "respond_used": respond["used_s"] if respond["stopped"] else None,
        "resolve_used": resolve["used_s"] if resolve["stopped"] else None,
        "respond_breached": respond["breached"] if respond["stopped"] else None,
        "resolve_breached": resolve["breached"] if resolve["stopped"] else None,
    }


def refresh(fault: Fault, *, actor: User | None) -> Fault:
    """Write onto the fault what its events make of it."""
    return update_record(fault, actor=actor, changes=derived(fault))


def fault_for(actor: User, fault_id, site_ids: set, *, lock: bool = False) -> Fault:
    """A fault the actor may act on: at a site in their scope, or assigned to them. Others
    answer 404, the same as a fault that does not exist."""
    query = Fault.select().where(Fault.id == fault_id, Fault.deleted_at.is_null())
    fault = (_locked(query) if lock else query).first()
    if fault is None or not (fault.site_id in site_ids or fault.assignee_id == actor.id):
        raise not_found()
    return fault


def check_step(actor: User, kind: str) -> None:
    """Whether the actor's role takes this step at all (scope is checked by `fault_for`)."""
    if actor.role in OFFICE_ROLES:
        return
    if actor.role == "engineer" and kind in ENGINEER_STEPS:
        return
    if actor.role == "client" and kind in CLIENT_STEPS:
        return
    if kind == "confirmed":
        message = _("Only the client (or the office on the client's word) confirms a fault.")
    elif actor.role == "client":
        message = _("A client reports and confirms faults; the service team takes the other steps.")
    else:
        message = _("Only the dispatcher assigns, escalates and closes a fault.")
    raise ApiError(403, "forbidden", message)


def _engineer(assignee_id) -> User:
    user = User.get_or_none(User.id == assignee_id)
    if user is None or user.role != "engineer" or not user.active:
        raise validation_error({"assignee_id": [_("Choose an active engineer.")]})
    return user


def add_event(
    *, actor: User, id: UUID, data: dict[str, Any], details: dict[str, Any], site_ids: set
) -> tuple[FaultEvent, Fault]:
    """Take one step of a fault's life: the event is kept whatever it makes of the fault."""
    if FaultEvent.select().where(FaultEvent.id == id).exists():
        raise ApiError(409, "exists", _("A record with this id already exists."))
    check_step(actor, data["kind"])
    fault = fault_for(actor, data["fault_id"], site_ids, lock=True)
    if details.get("assignee_id"):
        _engineer(details["assignee_id"])
    event = create_record(
        FaultEvent,
        actor=actor,
        id=id,
        fault=fault.id,
        site=fault.site_id,
        kind=data["kind"],
        at=data["at"],
        by=actor.id,
        note=data["note"],
        details=details,
    )
    return event, refresh(fault, actor=actor)


def server_time() -> str:
    """Now, as a device would write it (for steps taken in the office)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def get_fault(user: User, fault_id) -> Fault:
    """A fault in the user's scope (or assigned to them), else 404."""
    site_ids = {s.id for s in scope.visible_sites(user).select(Site.id)}
    return fault_for(user, scope.parse_id(fault_id), site_ids)


def office_step(actor: User, fault: Fault, kind: str, details: dict[str, Any], note: str = ""):
    """A step taken on the office's board, timed by the server."""
    data = {"fault_id": fault.id, "kind": kind, "at": server_time(), "note": note}
    site_ids = {s.id for s in scope.visible_sites(actor).select(Site.id)}
    return add_event(actor=actor, id=uuid.uuid4(), data=data, details=details, site_ids=site_ids)


def report_fault(*, actor: User, data: dict[str, Any]) -> Fault:
    """A fault logged in the office from a phone call: its number now, its clocks from now.
    (Engineers and client users report theirs from their phones, through the sync.)"""
    from ..rounds.operations import fault_number

    if actor.role not in OFFICE_ROLES:
        raise ApiError(403, "forbidden", _("Faults are logged here by the office."))
    site = scope.get_site(actor, data["site_id"])
    if data.get("equipment_id"):
        equipment = scope.get_equipment(actor, data["equipment_id"])
        if equipment.site_id != site.id:
            raise validation_error({"equipment_id": [_("This equipment is not at this site.")]})
    values = {
        "id": uuid.uuid4(),
        "number": fault_number(),
        "site": site.id,
        "equipment": data.get("equipment_id"),
        "kind": data["kind"],
        "description": data["description"],
        "severity": data["severity"],
        "reported_at": server_time(),
        "reported_by": actor.id,
    }
    return create_record(Fault, actor=actor, **values, **derived(Fault(**values)))
