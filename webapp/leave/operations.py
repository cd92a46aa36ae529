"""The rules of leave requests and absence explanations. Operations take the acting user as
`actor=`, check who may do what themselves, flush and never commit.

Who may do what:
- an engineer files leave and writes explanations for themselves, at a site they are stationed
  at, and withdraws their own leave while it waits;
- dispatchers and admins decide: approve or return a request, accept or return an explanation;
- nobody else writes either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any
from uuid import UUID

from flask_babel import format_date
from flask_babel import gettext as _

from .. import clock
from ..attendance.leave import AFTERWARDS, notice
from ..auth import permissions
from ..checkins.clock import read_stamp
from ..errors import ApiError, not_found, validation_error
from ..models import AbsenceExplanation, Assignment, LeaveRequest, Site, User, utcnow
from ..notify import outbox
from ..records import create_record, lock, lock_rows, update_record
from .schemas import parse_instant

# A phone's clock may run a little ahead; a filing time later than this after the server's
# "now" is a wrong clock, and the notice read from it would be wrong too.
CLOCK_AHEAD_ALLOWED = timedelta(hours=1)
LIVE = ("waiting", "approved")  # leave that holds its days: overlapping requests are refused


def _engineer_only(actor: User) -> None:
    permissions.require(actor, "leave", "file")


def _office_only(actor: User) -> None:
    permissions.require(actor, "leave", "decide")


def _stationed(engineer_id: Any, site_id: Any) -> bool:
    return (
        Assignment.live()
        .where((Assignment.engineer == engineer_id) & (Assignment.site == site_id))
        .exists()
    )


def _site_of_actor(actor: User, site_id: Any, site_ids: set) -> Site:
    """The site, which the engineer is stationed at; 404 otherwise (unknown alike)."""
    if site_id not in site_ids or not _stationed(actor.id, site_id):
        raise not_found()
    return Site.get_by_id(site_id)


def _filed_at(value: str, field: str):
    moment = parse_instant(value)
    if moment > clock.now() + CLOCK_AHEAD_ALLOWED:
        raise validation_error(
            {
                field: [
                    _("The phone's clock is ahead of the real time; set it right and send again.")
                ]
            }
        )
    return moment


def _signed(stamp: str):
    """The time of a server stamp the phone held (aware UTC), or None: no stamp, or one that is
    not ours (a replaced key, a forgery) counts for nothing, as the phone's own clock then
    decides; the stamp cannot move the judged time earlier, only later."""
    held = read_stamp(stamp) if stamp else None
    return held.replace(tzinfo=UTC) if held is not None else None


def _exists(model, id: UUID) -> None:
    if model.select().where(model.id == id).exists():
        raise ApiError(409, "exists", _("A record with this id already exists."))


# Leave ----------------------------------------------------------------------------------------


def overlapping(engineer_id: Any, first: date, last: date, *, exclude: Any = None):
    """The engineer's waiting or approved leave that shares a day with first..last."""
    query = LeaveRequest.live().where(
        (LeaveRequest.engineer == engineer_id)
        & LeaveRequest.status.in_(LIVE)
        & (LeaveRequest.first_day <= last)
        & (LeaveRequest.last_day >= first)
    )
    if exclude is not None:
        query = query.where(LeaveRequest.id != exclude)
    return query.order_by(LeaveRequest.first_day)


def _days(first: date, last: date) -> str:
    if first == last:
        return format_date(first, "medium")
    return f"{format_date(first, 'medium')} – {format_date(last, 'medium')}"


def create_leave(*, actor: User, id: UUID, data: dict[str, Any], site_ids: set) -> LeaveRequest:
    _engineer_only(actor)
    _exists(LeaveRequest, id)
    site = _site_of_actor(actor, data["site_id"], site_ids)
    stand_in = data["stand_in_id"]
    if stand_in is not None:
        if stand_in == actor.id:
            raise validation_error({"stand_in_id": [_("The stand-in is someone else.")]})
        person = User.get_or_none(User.id == stand_in)
        if person is None or person.role != "engineer" or not _stationed(stand_in, site.id):
            raise validation_error(
                {"stand_in_id": [_("The stand-in must be an engineer stationed at this site.")]}
            )
    filed = _filed_at(data["filed_at"], "filed_at")
    given = notice(
        data["first_day"], data["last_day"], filed, site.timezone, _signed(data["server_time"])
    )
    if given.status == AFTERWARDS and not data["reason"].strip():
        raise validation_error(
            {"reason": [_("Leave filed afterwards is an emergency: say what happened.")]}
        )
    # One request at a time per engineer: two phones of the same person sending overlapping
    # leave at once must not both pass the check below.
    lock_rows(User, [actor.id])
    clash = overlapping(actor.id, data["first_day"], data["last_day"]).first()
    if clash is not None:
        raise ApiError(
            409,
            "overlap",
            _(
                "You already asked for leave on %(days)s; withdraw that request first or choose "
                "other days.",
                days=_days(clash.first_day, clash.last_day),
            ),
        )
    return create_record(
        LeaveRequest,
        actor=actor,
        id=id,
        engineer=actor.id,
        site=site.id,
        first_day=data["first_day"],
        last_day=data["last_day"],
        kind=data["kind"],
        reason=data["reason"],
        stand_in=stand_in,
        filed_at=data["filed_at"],
        notice=given.status,
        notice_ahead=given.ahead,
        status="waiting",
    )


def leave_in_scope(leave_id: Any, site_ids: set) -> LeaveRequest:
    record = LeaveRequest.get_or_none(LeaveRequest.id == leave_id)
    if record is None or record.site_id not in site_ids or record.deleted_at is not None:
        raise not_found()
    return record


def withdraw_leave(record: LeaveRequest, *, actor: User) -> LeaveRequest:
    if record.engineer_id != actor.id:
        raise ApiError(403, "forbidden", _("Only the engineer who asked may withdraw it."))
    lock(record)
    if record.status == "withdrawn":  # from another phone, or sent again
        raise ApiError(409, "withdrawn", _("You have already withdrawn this request."))
    if record.status != "waiting":
        raise ApiError(409, "decided", _("The office has already decided on this request."))
    return update_record(record, actor=actor, changes={"status": "withdrawn"})


def decide_leave(record: LeaveRequest, *, actor: User, decision: str, note: str) -> LeaveRequest:
    _office_only(actor)
    if decision not in ("approve", "return"):
        raise validation_error({"decision": [_("Approve or return.")]})
    lock(record)
    if record.status != "waiting":
        raise ApiError(409, "decided", _("This request is no longer waiting for a decision."))
    status = "approved" if decision == "approve" else "returned"
    record = update_record(
        record,
        actor=actor,
        changes={
            "status": status,
            "office_note": note.strip(),
            "decided_by": actor.id,
            "decided_at": utcnow(),
        },
    )
    outbox.leave_decided(record, User.get_by_id(record.engineer_id))
    return record


def approved_leave(engineer: Any, first: date, last: date) -> dict[date, LeaveRequest]:
    """Each day from first to last (both included) that approved leave of the engineer covers,
    with the request covering it (its type explains a sheet's cell). Leave is the person's, at
    whichever site it was asked: an engineer stationed at two sites asks once (a second request
    on the same days is refused as overlapping), and is on leave at both."""
    days: dict[date, LeaveRequest] = {}
    query = LeaveRequest.live().where(
        (LeaveRequest.engineer == engineer)
        & (LeaveRequest.status == "approved")
        & (LeaveRequest.first_day <= last)
        & (LeaveRequest.last_day >= first)
    )
    for row in query:
        day = max(row.first_day, first)
        end = min(row.last_day, last)
        while day <= end:
            days[day] = row
            day += timedelta(days=1)
    return days


def approved_leave_days(engineer: Any, first: date, last: date) -> set[date]:
    """The days from first to last (both included) that approved leave of the engineer covers:
    what webapp/attendance/rules.evaluate_month(leave_days=...) takes."""
    return set(approved_leave(engineer, first, last))


# Absence explanations -------------------------------------------------------------------------


def create_explanation(
    *, actor: User, id: UUID, data: dict[str, Any], site_ids: set
) -> AbsenceExplanation:
    _engineer_only(actor)
    _exists(AbsenceExplanation, id)
    site = _site_of_actor(actor, data["site_id"], site_ids)
    _filed_at(data["written_at"], "written_at")
    lock_rows(User, [actor.id])
    standing = (
        AbsenceExplanation.live()
        .where(
            (AbsenceExplanation.engineer == actor.id)
            & (AbsenceExplanation.site == site.id)
            & (AbsenceExplanation.month == data["month"])
            & AbsenceExplanation.status.in_(("waiting", "accepted"))
        )
        .exists()
    )
    if standing:
        raise ApiError(
            409,
            "exists",
            _(
                "An explanation for %(month)s at this site is already with the office.",
                month=data["month"],
            ),
        )
    return create_record(
        AbsenceExplanation,
        actor=actor,
        id=id,
        engineer=actor.id,
        site=site.id,
        month=data["month"],
        text=data["text"],
        written_at=data["written_at"],
        status="waiting",
    )


def explanation_in_scope(explanation_id: Any, site_ids: set) -> AbsenceExplanation:
    record = AbsenceExplanation.get_or_none(AbsenceExplanation.id == explanation_id)
    if record is None or record.site_id not in site_ids or record.deleted_at is not None:
        raise not_found()
    return record


def decide_explanation(
    record: AbsenceExplanation, *, actor: User, decision: str, note: str
) -> AbsenceExplanation:
    _office_only(actor)
    if decision not in ("accept", "return"):
        raise validation_error({"decision": [_("Accept or return.")]})
    lock(record)
    if record.status != "waiting":
        raise ApiError(409, "decided", _("This explanation is no longer waiting for a decision."))
    status = "accepted" if decision == "accept" else "returned"
    record = update_record(
        record,
        actor=actor,
        changes={
            "status": status,
            "office_note": note.strip(),
            "decided_by": actor.id,
            "decided_at": utcnow(),
        },
    )
    outbox.explanation_decided(record, User.get_by_id(record.engineer_id))
    return record


@dataclass(frozen=True)
class ExplanationState:
    """What the attendance sheet shows for an engineer's month that asks for an explanation."""

    status: str  # missing, waiting, accepted, returned
    explanation: AbsenceExplanation | None


def explanation_required(engineer: Any, site: Any, year: int, month: int) -> ExplanationState:
    """The hook for the attendance month sheet: for a month whose flags ask for a written
    explanation (rules.Month.explanation_required), where the engineer's explanation stands.
    The newest one counts; `missing` when none was written (the sheet asks for one)."""
    latest = (
        AbsenceExplanation.live()
        .where(
            (AbsenceExplanation.engineer == engineer)
            & (AbsenceExplanation.site == site)
            & (AbsenceExplanation.month == f"{year:04d}-{month:02d}")
            & (AbsenceExplanation.status != "withdrawn")
        )
        .order_by(AbsenceExplanation.created_at.desc())
        .first()
    )
    if latest is None:
        return ExplanationState("missing", None)
    return ExplanationState(latest.status, latest)
