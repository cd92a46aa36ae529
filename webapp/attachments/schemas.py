"""The attachments' contract: what a device announces of a file, what it pulls, upload status."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..schemas import SyncedOut
from ..validation import Int, at_least, max_length, one_of, sha256_hex

# Largest file per kind, checked on the device before a record is saved and again here.
ATTACHMENT_KINDS = {"photo": 5 * 2**20, "document": 20 * 2**20, "signature": 1 * 2**20}
ATTACHMENT_TYPES = {
    "photo": {"image/jpeg", "image/png", "image/webp"},
    "document": {"application/pdf", "image/jpeg", "image/png", "image/webp"},
    "signature": {"image/png", "image/svg+xml"},
}


class AttachmentMeta(Schema):
    """The `changes` of an attachment `create` mutation."""

    owner_entity = fields.String(
        required=True, validate=one_of({"equipment": 1, "round": 1, "fault": 1, "explanation": 1})
    )
    owner_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=one_of(ATTACHMENT_KINDS))
    filename = fields.String(load_default="", validate=max_length(200))
    mime = fields.String(required=True, validate=max_length(100))
    size = Int(required=True, validate=at_least(1))
    sha256 = fields.String(required=True, validate=sha256_hex)


class AttachmentOut(SyncedOut):
    owner_entity = fields.String()
    owner_id = fields.String()
    site_id = fields.UUID()
    kind = fields.String()
    filename = fields.String()
    mime = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    received = fields.Integer()
    status = fields.String()


class AttachmentStatus(Schema):
    received = fields.Integer()
    size = fields.Integer()
    status = fields.String()
