"""The check-in contract: the `changes` of a `checkin` create mutation, and what the pull sends
back (docs/sync-protocol.md, docs/checkins.md)."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..sites.schemas import SyncedOut
from ..validation import max_length, one_of

KINDS = {"in": 1, "out": 1}


class CheckInIn(Schema):
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
