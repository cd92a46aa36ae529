"""Sync of faults' steps (docs/sync-protocol.md, "Fault events"): the handler of a step made
on a device, and the pull feeds of faults and of their steps. Registered with one line each in
webapp/sync/handlers.py (HANDLERS) and webapp/sync/pull.py (FEEDS)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from ..errors import validation_error
from ..models import Fault, FaultEvent
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


def feeds(feed_class) -> list:
    """The feeds of faults (with the contract their clocks run by) and of their steps."""
    return [
        feed_class("fault", Fault, FaultOut().dump, Fault.site, prepare=ops.attach_policies),
        feed_class(
            "fault_event",
            FaultEvent,
            FaultEventOut().dump,
            FaultEvent.site,
            prepare=ops.attach_authors,
        ),
    ]
