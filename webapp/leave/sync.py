"""Sync of leave requests and absence explanations (docs/sync-protocol.md): the handlers of the
phone's mutations and the feeds that bring the office's decisions back. Registered with one
line in the app factory."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from ..errors import validation_error
from ..models import AbsenceExplanation, LeaveRequest
from ..sync.registry import Feed
from ..validation import translate_messages
from . import operations as ops
from .schemas import ExplanationCreate, ExplanationOut, LeaveCreate, LeaveOut, Nothing

LEAVE_CREATE = LeaveCreate()
NOTHING = Nothing()
EXPLANATION_CREATE = ExplanationCreate()


def _load(schema, data: dict) -> dict:
    try:
        return schema.load(data)
    except ValidationError as err:
        raise validation_error(translate_messages(err.normalized_messages())) from None


def _applied(record) -> dict[str, Any]:
    return {"status": "applied", "version": record.version, "server_seq": record.server_seq}


def create_leave(m, *, ctx) -> dict[str, Any]:
    data = _load(LEAVE_CREATE, m["changes"])
    record = ops.create_leave(actor=ctx.user, id=m["id"], data=data, site_ids=ctx.site_ids)
    return {**_applied(record), "notice": record.notice}


def withdraw_leave(m, *, ctx) -> dict[str, Any]:
    _load(NOTHING, m["changes"])
    record = ops.leave_in_scope(m["id"], ctx.site_ids)
    return _applied(ops.withdraw_leave(record, actor=ctx.user))


def create_explanation(m, *, ctx) -> dict[str, Any]:
    data = _load(EXPLANATION_CREATE, m["changes"])
    record = ops.create_explanation(actor=ctx.user, id=m["id"], data=data, site_ids=ctx.site_ids)
    return _applied(record)


HANDLERS = {
    ("leave", "create"): create_leave,
    ("leave", "withdraw"): withdraw_leave,
    ("explanation", "create"): create_explanation,
}

# Both follow the record's site, and reach only the engineer who wrote them (a sick-leave reason
# is not for colleagues or the client); the office sees them all on its pages.
FEEDS = [
    Feed("leave", LeaveRequest, LeaveOut().dump, LeaveRequest.site, owner=LeaveRequest.engineer),
    Feed(
        "explanation",
        AbsenceExplanation,
        ExplanationOut().dump,
        AbsenceExplanation.site,
        owner=AbsenceExplanation.engineer,
    ),
]
