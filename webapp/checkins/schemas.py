"""The check-in contract: the `changes` of a `checkin` create mutation, and what the pull sends
back (docs/sync-protocol.md, docs/checkins.md)."""

from __future__ import annotations

from marshmallow import fields

from ..sites.schemas import SyncedOut
from ..validation import Int, Schema, in_range, max_items, max_length, not_blank, one_of

KINDS = {"in": 1, "out": 1}

# The access record at a restricted room (机房出入登记); the phone reads these limits from the
# contract (form "checkin_access"), never literals.
MAX_PEOPLE = 99
MAX_ESCORTS = 30


class CheckInAccess(Schema):
    """At a restricted room: the purpose (来访事由), the number of people (人数) and the names of
    the people escorted (陪同/随行人员). Signed with the check-in. Which of them a check-in needs
    is the rule in operations.py (the room decides); here, their form."""

    purpose = fields.String(load_default="", validate=max_length(500))
    people = Int(load_default=None, allow_none=True, validate=in_range(1, MAX_PEOPLE))
    escorts = fields.List(
        fields.String(validate=[not_blank, max_length(100)]),
        load_default=list,
        validate=max_items(MAX_ESCORTS),
    )


class CheckInIn(CheckInAccess):
    """What the phone sends: the signed fields, the bytes it signed, and the passkey's answer
    (null when the record was saved unsigned)."""

    user_id = fields.UUID(required=True)
    site_id = fields.UUID(required=True)
    location_id = fields.UUID(load_default=None, allow_none=True)
    tag_token = fields.String(load_default="", validate=max_length(200))
    kind = fields.String(required=True, validate=one_of(KINDS))
    device_time = fields.String(required=True, validate=max_length(40))
    server_time = fields.String(load_default="", validate=max_length(200))
    canonical = fields.String(
        required=True,
        validate=max_length(4000),
        metadata={"description": "base64url of the canonical bytes the passkey signed"},
    )
    assertion = fields.Dict(
        load_default=None,
        allow_none=True,
        metadata={"description": "the answer of navigator.credentials.get(), as JSON"},
    )


class CheckInOut(SyncedOut):
    user_id = fields.UUID()
    site_id = fields.UUID()
    location_id = fields.UUID(allow_none=True)
    kind = fields.String()
    device_time = fields.String(attribute="device_text")
    device_time_utc = fields.DateTime(attribute="device_time")
    window_start = fields.DateTime(allow_none=True)
    received_at = fields.DateTime()
    content_hash = fields.String()
    signed = fields.Boolean()
    credential_id = fields.String()
    backed_up = fields.Boolean()
    verification = fields.String(metadata={"enum": ["verified", "unsigned"]})
    flags = fields.List(fields.String())
    purpose = fields.String()
    people = fields.Integer(allow_none=True)
    escorts = fields.List(fields.String())


class FlagOut(Schema):
    """A month of the engineer's at a site that asks for a written absence explanation."""

    site_id = fields.Function(lambda f: str(f.site.id))
    site_name = fields.Function(lambda f: f.site.name)
    month = fields.String(metadata={"description": "YYYY-MM"})
    absences = fields.Integer()
    late_minutes = fields.Integer()
    explanation = fields.String(
        metadata={
            "description": "where the explanation stands: missing, waiting, accepted, returned"
        }
    )
