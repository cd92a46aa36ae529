"""Contracts of the push subscription API: what the browser's PushSubscription.toJSON() gives,
and what the phone is told back."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError, fields

from ..auth.schemas import _utc
from ..validation import Schema, max_length


def _endpoint(value: str) -> None:
    """A push service's address: https (plain http only where tests allow it), with a host."""
    parts = urlsplit(value)
    allowed = ("https", "http") if current_app.config.get("PUSH_ALLOW_HTTP") else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ValidationError(_("This is not a push service's address."))


def _b64url(length: int):
    def check(value: str) -> None:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != length:
            raise ValidationError(_("The browser's push keys could not be read."))

    return check


class SubscriptionKeys(Schema):
    p256dh = fields.String(required=True, validate=_b64url(65))  # an uncompressed P-256 point
    auth = fields.String(required=True, validate=_b64url(16))


class SubscriptionIn(Schema):
    endpoint = fields.String(
        required=True, validate=[max_length(1000), _endpoint], metadata={"format": "uri"}
    )
    keys = fields.Nested(SubscriptionKeys, required=True)
    expirationTime = fields.Float(allow_none=True, load_default=None)  # noqa: N815 - the browser's


class SubscriptionEnd(Schema):
    endpoint = fields.String(required=True, validate=max_length(1000))


class SubscriptionOut(Schema):
    id = fields.UUID()
    endpoint = fields.String()
    this_device = fields.Boolean(metadata={"description": "Made from the signed-in device asking"})
    created_at = fields.Function(lambda s: _utc(s.created_at), metadata={"format": "date-time"})
    last_sent_at = fields.Function(
        lambda s: _utc(s.last_sent_at), metadata={"format": "date-time"}, allow_none=True
    )


class PushKeyOut(Schema):
    public_key = fields.String(
        metadata={"description": "The VAPID application server key, base64url (P-256 point)"}
    )
