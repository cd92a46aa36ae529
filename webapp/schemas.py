"""Shapes every feature's contract shares: the fields of any synced record as it is sent."""

from __future__ import annotations

from marshmallow import Schema, fields


class SyncedOut(Schema):
    id = fields.UUID()
    version = fields.Integer()
    server_seq = fields.Integer()
    updated_at = fields.DateTime()
    deleted_at = fields.DateTime(allow_none=True)
