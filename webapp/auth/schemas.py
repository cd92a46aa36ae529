"""Contracts for sessions (signed-in devices)."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import fields

from ..validation import Schema


def _utc(value: datetime | None) -> str | None:
    """Stored naive UTC, sent with its offset so that a phone shows its own local time."""
    return value.replace(tzinfo=UTC).isoformat() if value else None


class SessionOut(Schema):
    id = fields.UUID()
    device = fields.String(metadata={"description": "Readable device; empty when unknown"})
    address = fields.String(metadata={"description": "Client address last seen"})
    created_at = fields.Function(lambda s: _utc(s.created_at), metadata={"format": "date-time"})
    last_seen_at = fields.Function(lambda s: _utc(s.last_seen_at), metadata={"format": "date-time"})
    client_ids = fields.Function(lambda s: s.sync_clients, metadata={"type": "array"})
    current = fields.Function(
        lambda s: bool(getattr(s, "is_current", False)),
        metadata={"description": "The session this request was made with"},
    )


class SignedOutOut(Schema):
    signed_out = fields.Integer(metadata={"description": "How many sessions were ended"})
