"""Contracts for QR tags: the synced record, the public key, and the label sheet form."""

from __future__ import annotations

from marshmallow import fields

from ..schemas import SyncedOut
from ..validation import Choice, Schema, in_range, max_items
from .labels import DEFAULT_LAYOUT, LAYOUTS

MAX_SELECTION = 2000


class TagOut(SyncedOut):
    target_entity = fields.String(metadata={"enum": ["equipment", "location"]})
    target_id = fields.UUID()
    site_id = fields.UUID()
    serial = fields.Integer()
    token = fields.String(metadata={"description": "what the QR code carries after /t/"})
    status = fields.String(metadata={"enum": ["active", "revoked"]})
    revoked_at = fields.DateTime(allow_none=True)


class TagKeyOut(Schema):
    alg = fields.String(metadata={"enum": ["Ed25519"]})
    key = fields.String(metadata={"description": "raw 32-byte public key, base64url, no padding"})


class SheetForm(Schema):
    """A label sheet: the site, the stock, labels already used on the first sheet, and the
    selected tags (none: every active tag of the site)."""

    site = fields.UUID(required=True)
    layout = Choice(LAYOUTS, load_default=DEFAULT_LAYOUT)
    skip = fields.Integer(load_default=0, validate=in_range(0, 39))
    tag = fields.List(fields.UUID(), load_default=list, validate=max_items(MAX_SELECTION))
    all = fields.Boolean(load_default=False)
