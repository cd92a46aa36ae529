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
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..attendance.rules import parse_hours
from ..auth import scope
from ..clock import now as server_now
from ..errors import ApiError, not_found, validation_error
from ..models import Attachment, Client, Fault, FaultEvent, Site, SiteDay, User
from ..models.choices import AUTOMATIC_ESCALATION, OFFICE_ROLES
from ..notify import outbox
from ..records import create_record, lock_rows, restamp, update_record
from . import life

ENGINEER_STEPS = frozenset(
    {"responded", "on_site", "waiting", "resumed", "resolved", "cancelled", "reviewed"}
)
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
        own = SiteDay.of(site.id, start, start + timedelta(days=CALENDAR_DAYS))
        days = life.calendar_days(start, CALENDAR_DAYS, own)
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
    now = now or server_now()
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
    """Write onto the fault what its events make of it; a new assignee gets its whole history."""
    before = fault.assignee_id
    fault = update_record(fault, actor=actor, changes=derived(fault))
    if fault.assignee_id is not None and fault.assignee_id != before:
        hand_over(fault)
    return fault


def hand_over(fault: Fault) -> None:
    """Give the fault's steps new change numbers, in their order of arrival, so that an
    assignee from another site pulls the whole history with the fault. The rule orders one
    fault's steps by time, then arrival, so their order stays the same on every device."""
    events = (
        FaultEvent.select(FaultEvent.id)
        .where(FaultEvent.fault == fault.id)
        .order_by(FaultEvent.server_seq)
    )
    for event in list(events):
        restamp(FaultEvent, event.id)


def recalendar(site: Site, *, actor: User | None) -> int:
    """After the site's own calendar changed: the site's open faults whose clocks run in working
    hours are derived again (their dues move) and sent again, so the phones hold the new working
    days in each fault's policy. Returns how many were sent again."""
    client = Client.get_by_id(site.client_id)
    if client.clock_mode != "working_hours":
        return 0
    query = Fault.live().where(
        (Fault.site == site.id) & Fault.status.not_in(("closed", "cancelled"))
    )
    locked = lock_rows(Fault, [f.id for f in query])  # every lock before the first change number
    for fault in locked.values():
        read = fault.server_seq
        refresh(fault, actor=actor)
        if fault.server_seq == read:  # nothing derived changed, but the policy's days did
            restamp(Fault, fault.id)
    return len(locked)


def fault_for(actor: User, fault_id, site_ids: set, *, lock: bool = False) -> Fault:
    """A fault the actor may act on: at a site in their scope, or assigned to them. Others
    answer 404, the same as a fault that does not exist."""
    query = Fault.select().where(Fault.id == fault_id, Fault.deleted_at.is_null())
    fault = (_locked(query) if lock else query).first()
    if fault is None or not scope.reaches_fault(actor, fault, site_ids):
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
    if data["kind"] == "escalated" and details.get("to") == AUTOMATIC_ESCALATION:
        raise validation_error(
            {"to": [_("Faults reach the dispatchers on duty by themselves near the limit.")]}
        )
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
    before = fault.assignee_id
    fault = refresh(fault, actor=actor)
    if fault.assignee_id and fault.assignee_id != before:
        # in this transaction: the notification exists exactly when the step does
        outbox.fault_assigned(fault, User.get_by_id(fault.assignee_id), event.id)
    return event, fault


def photos_of(fault: Fault) -> list[Attachment]:
    """The fault's photos: those taken with it (its own files, a client's 报修 photo among
    them) and those of the round item that raised it, oldest first."""
    listed = [str(p) for p in (fault.photos or [])]
    owned = (Attachment.owner_entity == "fault") & (Attachment.owner_id == str(fault.id))
    query = Attachment.live().where(
        (owned | Attachment.id.in_(listed)) & (Attachment.kind == "photo")
    )
    return list(query.order_by(Attachment.created_at))


def confirm_by_client(*, actor: User, fault_id, round_, acceptance: dict[str, Any]) -> None:
    """The client signed a form started from this fault (a customer service contact form) and
    accepted the system as working: the fault's "confirmed" step, timed by the signature and
    naming the signer and the form. Taken by the sync of the signature, whoever carried it (the
    engineer's tablet): the client's own signature is the authority, so no role is checked.
    Like every step it is kept whatever it makes of the fault: on a fault not yet resolved it
    has no effect (docs/faults.md)."""
    fault = _locked(Fault.select().where(Fault.id == fault_id)).first()
    if fault is None or fault.deleted_at is not None:
        return  # removed in the office meanwhile: the signed form stands on its own
    create_record(
        FaultEvent,
        actor=actor,
        id=uuid.uuid4(),
        fault=fault.id,
        site=fault.site_id,
        kind="confirmed",
        at=acceptance["signed_at"],
        by=actor.id,
        note="",
        details={
            "round_id": str(round_.id),
            "number": round_.number,
            "signer": acceptance["signer"],
        },
    )
    refresh(fault, actor=actor)


def server_time(timezone: str = "UTC") -> str:
    """Now, as a device at the site would write it (for reports and steps made in the office):
    on the site's clock, so that 07:40 in China reads 07:40 on that day on every screen (pages,
    lists, their period filter and the phones show a time as it was written), not 23:40 the
    day before."""
    return server_now().astimezone(ZoneInfo(timezone)).replace(microsecond=0).isoformat()


def get_fault(user: User, fault_id) -> Fault:
    """A fault in the user's scope (or assigned to them), else 404."""
    site_ids = {s.id for s in scope.visible_sites(user).select(Site.id)}
    return fault_for(user, scope.parse_id(fault_id), site_ids)


# Why an office step is refused rather than kept without effect: the fault is already there.
_STALE = {
    life.AFTER_END: lambda: _("This fault is already closed or cancelled: nothing was changed."),
    life.ALREADY: lambda: _("This step has already been taken on this fault: nothing was changed."),
}


def office_step(actor: User, fault: Fault, kind: str, details: dict[str, Any], note: str = ""):
    """A step taken on the office's board, timed by the server. The office acts online on the
    fault as it is now, so a step it has already had, or one after it was closed or cancelled
    (posted again from a second tab, a double click, two dispatchers at once), is refused with
    why instead of being kept without effect as a phone's offline step is. A step that needs an
    earlier one first is kept, shown with why, as on the phones."""
    site = Site.get_by_id(fault.site_id)
    data = {"fault_id": fault.id, "kind": kind, "at": server_time(site.timezone), "note": note}
    site_ids = {s.id for s in scope.visible_sites(actor).select(Site.id)}
    current = fault_for(actor, fault.id, site_ids, lock=True)  # as it is once ours alone
    step = {"id": str(uuid.uuid4()), "kind": kind, "at": data["at"], "details": details}
    events = [as_event(e) for e in FaultEvent.live().where(FaultEvent.fault == current.id)]
    state = life.derive(as_fault(current), [*events, step], policy_of(current), server_now())
    why = next(e["why"] for e in state["events"] if e["id"] == step["id"])
    if why in _STALE:
        raise ApiError(409, "stale", _STALE[why]())
    return add_event(
        actor=actor, id=UUID(step["id"]), data=data, details=details, site_ids=site_ids
    )


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
        "reported_at": server_time(site.timezone),
        "reported_by": actor.id,
    }
    return create_record(Fault, actor=actor, **values, **derived(Fault(**values)))


# Escalation by itself (docs/faults.md, "Escalation by itself") --------------------------------

SYSTEM_USER_ID = uuid.UUID("5e1f0000-0000-4000-8000-000000000001")
SYSTEM_USERNAME = "rounds-automatic"
_ESCALATION_IDS = uuid.UUID("5e1f0000-0000-4000-8000-000000000002")


def system_user() -> User:
    """Who takes the steps nobody took by hand: an account that cannot sign in (inactive, no
    password), made on first use."""
    user = User.get_or_none(User.id == SYSTEM_USER_ID)
    if user is None:
        User.insert(
            id=SYSTEM_USER_ID,
            username=SYSTEM_USERNAME,
            display_name="Rounds",
            password_hash="!",  # noqa: S106 - matches no password
            role="dispatcher",
            active=False,
        ).on_conflict_ignore().execute()
        user = User.get_by_id(SYSTEM_USER_ID)
    return user


def escalation_id(fault_id) -> UUID:
    """The automatic escalation's event id: one per fault, so taking it twice finds the first."""
    return uuid.uuid5(_ESCALATION_IDS, str(fault_id))


def clocks_near_limit(state: dict[str, Any]) -> dict[str, str]:
    """{clock: "warning" | "breached"} for the running clocks at 80 % of their limit or past
    it, from `read()`."""
    near = {}
    for name in ("respond", "resolve"):
        figures = state[name]
        if figures["stopped"]:
            continue
        if figures["breached"]:
            near[name] = "breached"
        elif figures["warning"]:
            near[name] = "warning"
    return near


def escalate_by_itself(fault_id, now: datetime | None = None) -> tuple[Fault, dict[str, str]]:
    """The sweep's work on one open fault, in the caller's transaction: when a running clock is
    at 80 % or past its limit, the fault is escalated to the dispatchers on duty by a system
    step (once: a fault someone escalated already, or escalated by itself before, is left as
    it is), and the assignee and the dispatchers are told (once per clock and level).

    The fault's row is locked first (PostgreSQL; SQLite has one writer), so two workers
    sweeping at once take turns and the second finds the first one's step."""
    fault = _locked(Fault.select().where(Fault.id == fault_id)).first()
    if fault is None or fault.deleted_at is not None or fault.status in life.ENDED:
        return fault, {}
    near = clocks_near_limit(read(fault, now))
    if not near:
        return fault, {}
    event_id = escalation_id(fault.id)
    if not fault.escalated_to and not FaultEvent.select().where(FaultEvent.id == event_id).exists():
        clock_name = "respond" if "respond" in near else "resolve"
        system = system_user()
        create_record(
            FaultEvent,
            actor=None,
            id=event_id,
            fault=fault.id,
            site=fault.site_id,
            kind="escalated",
            at=(now or server_now())  # on the site's clock, as the office's steps
            .astimezone(ZoneInfo(Site.get_by_id(fault.site_id).timezone))
            .replace(microsecond=0)
            .isoformat(),
            by=system.id,
            note="",
            details={"to": AUTOMATIC_ESCALATION, "clock": clock_name, "level": near[clock_name]},
        )
        fault = refresh(fault, actor=None)
    people = outbox.dispatchers()
    if fault.assignee_id:
        people.insert(0, User.get_by_id(fault.assignee_id))
    for clock_name, level in near.items():
        outbox.fault_clock(fault, clock_name, level, people)
    return fault, near
