"""Sync of faults' steps (docs/sync-protocol.md, "Fault events"): the handler of a step made
on a device, and the pull feeds of faults and of their steps. Registered by the app factory."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from ..auth import scope
from ..errors import validation_error
from ..models import Fault, FaultEvent
from ..sync.registry import Feed
from ..validation import translate_messages
from . import operations as ops
from .schemas import FaultEventIn, FaultEventOut, FaultOut, details_of

FAULT_EVENT_IN = FaultEventIn()


def create_fault_event(m, *, ctx) -> dict[str, Any]:
    try:
        data = FAULT_EVENT_IN.load(m["changes"])
    except ValidationError as err:
        raise validation_error(translate_messages(err.normalized_messages())) from None
    event, fault = ops.add_event(
        actor=ctx.user, id=m["id"], data=data, details=details_of(data), site_ids=ctx.site_ids
    )
    return {
        "status": "applied",
        "version": event.version,
        "server_seq": event.server_seq,
        "fault_status": fault.status,
    }


HANDLERS = {("fault_event", "create"): create_fault_event}


FEEDS = [  # faults carry the contract their clocks run by; their steps, who took them. Both
    # also reach the fault's assignee when it is at a site outside their own (auth/scope.py).
    Feed(
        "fault",
        Fault,
        FaultOut().dump,
        Fault.site,
        prepare=ops.attach_policies,
        reader=lambda user_id: Fault.id.in_(scope.assigned_faults(user_id)),
    ),
    Feed(
        "fault_event",
        FaultEvent,
        FaultEventOut().dump,
        FaultEvent.site,
        prepare=ops.attach_authors,
        reader=lambda user_id: FaultEvent.fault.in_(scope.assigned_faults(user_id)),
    ),
]
