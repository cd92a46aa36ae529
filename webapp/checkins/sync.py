"""The check-ins' part of sync (docs/sync-protocol.md, entity `checkin`): the handler of a
`checkin` create mutation, and the pull feed that sends kept check-ins back with their
verification. Registered by the app factory."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from ..errors import validation_error
from ..models import CheckIn
from ..passkeys.relying_party import current_rp
from ..sync.registry import Feed
from ..validation import translate_messages
from . import operations as ops
from .schemas import CheckInIn, CheckInOut

CHECKIN_IN = CheckInIn()


def create_checkin(m, *, ctx) -> dict[str, Any]:
    try:
        data = CHECKIN_IN.load(m["changes"])
    except ValidationError as err:
        raise validation_error(translate_messages(err.normalized_messages())) from None
    record = ops.record_checkin(
        actor=ctx.user, id=m["id"], data=data, site_ids=ctx.site_ids, rp=current_rp()
    )
    return {
        "status": "applied",
        "version": record.version,
        "server_seq": record.server_seq,
        "verification": record.verification,
        "flags": record.flags,
    }


HANDLERS = {("checkin", "create"): create_checkin}


# The pull feed of check-ins, by site, and only the engineer's own (who checked in where and when,
# with whom, is not for colleagues or the client); the office sees them all on its pages.
FEEDS = [Feed("checkin", CheckIn, CheckInOut().dump, CheckIn.site, owner=CheckIn.user)]
