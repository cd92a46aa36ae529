"""Contracts of spare parts: what the phone sends (a use on a fault, a request), what it pulls
(its sites' stock, uses and requests) and what the office posts."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError, fields, validates, validates_schema

from ..faults.schemas import device_time
from ..schemas import SyncedOut
from ..validation import Int, Name, Schema, Text, at_least, max_length, one_of

MAX_QUANTITY = 100_000  # more of one part than any store keeps: a typing mistake


def Quantity(**kw):  # noqa: N802 - a field factory
    """A whole number of parts, at least one."""
    return Int(maximum=MAX_QUANTITY, validate=at_least(1), **kw)


def DeviceTime(**kw):  # noqa: N802 - a field factory
    """The phone's time with its offset, kept as sent."""
    return fields.String(validate=[max_length(40), device_time], **kw)


class StockIn(Schema):
    """A stock item as the office creates or edits it (the quantity moves only by movements)."""

    site_id = fields.UUID(load_default=None, allow_none=True)  # none: the office's store
    name = Name(100)
    model = Text(100)
    location = Text(200)
    minimum = Int(maximum=MAX_QUANTITY, validate=at_least(0), load_default=0)


class StockCreate(StockIn):
    opening = Int(maximum=MAX_QUANTITY, validate=at_least(0), load_default=0)


class StockEdit(Schema):
    name = Name(100)
    model = Text(100)
    location = Text(200)
    minimum = Int(maximum=MAX_QUANTITY, validate=at_least(0), load_default=0)


class Receive(Schema):
    quantity = Quantity(required=True)
    reason = Text(500)


class Transfer(Schema):
    site_id = fields.UUID(required=True)
    quantity = Quantity(required=True)
    reason = Text(500)


class Reconcile(Schema):
    reason = Name(500)


class PartUseIn(Schema):
    """The `changes` of a `part_use` `create`: parts taken from the site's stock for a fault;
    optionally the serial of the device taken out and of the one put in."""

    fault_id = fields.UUID(required=True)
    stock_id = fields.UUID(required=True)
    quantity = Quantity(required=True)
    used_at = DeviceTime(required=True)
    old_serial = Text(100)
    new_serial = Text(100)
    # The version of the device the phone held when the serial was replaced: someone else's
    # change of the serial since then is a conflict, not overwritten.
    device_version = Int(load_default=None, allow_none=True, validate=at_least(1))


class PartRequestIn(Schema):
    """The `changes` of a `part_request` `create`."""

    site_id = fields.UUID(required=True)
    stock_id = fields.UUID(load_default=None, allow_none=True)  # the site's item to refill
    name = Name(100)
    model = Text(100)
    quantity = Quantity(required=True)
    reason = Text(1000)
    fault_id = fields.UUID(load_default=None, allow_none=True)
    asked_at = DeviceTime(required=True)


class RequestDecision(Schema):
    """The office's answer: approve (sent from an office item) or refuse with a note."""

    decision = fields.String(required=True, validate=one_of({"approve": 1, "refuse": 1}))
    source_id = fields.UUID(load_default=None, allow_none=True)
    quantity = Int(maximum=MAX_QUANTITY, validate=at_least(1), load_default=None, allow_none=True)
    note = Text(1000)

    @validates_schema
    def _complete(self, data, **_kw) -> None:
        if data.get("decision") == "refuse" and not data.get("note", "").strip():
            raise ValidationError(_("Say why: the note is required to refuse."), "note")
        if data.get("decision") == "approve" and data.get("source_id") is None:
            raise ValidationError(_("Choose the office's stock to send from."), "source_id")


class StockFilter(Schema):
    """The office list's filters: a site, or "office" for the office's store; low stock only."""

    class Meta:
        unknown = EXCLUDE

    site = fields.String(load_default="")
    low = fields.Boolean(load_default=False)

    @validates("site")
    def _site(self, value: str, **_kw) -> None:
        if value in ("", "office"):
            return
        try:
            fields.UUID().deserialize(value)
        except ValidationError:
            raise ValidationError(_("No such site.")) from None


class StockOut(SyncedOut):
    site_id = fields.UUID(allow_none=True)
    name = fields.String()
    model = fields.String()
    quantity = fields.Integer()
    short = fields.Integer()
    location = fields.String()
    minimum = fields.Integer()


class PartUseOut(SyncedOut):
    site_id = fields.UUID()
    stock_id = fields.UUID()
    fault_id = fields.UUID()
    fault_number = fields.Function(lambda u: u.fault.number)
    part_name = fields.Function(lambda u: u.stock.name)
    part_model = fields.Function(lambda u: u.stock.model)
    equipment_id = fields.UUID(allow_none=True)
    quantity = fields.Integer()
    short = fields.Integer()
    old_serial = fields.String()
    new_serial = fields.String()
    used_at = fields.String()
    by_id = fields.UUID()


class PartRequestOut(SyncedOut):
    site_id = fields.UUID()
    engineer_id = fields.UUID()
    stock_id = fields.UUID(allow_none=True)
    name = fields.String()
    model = fields.String()
    quantity = fields.Integer()
    reason = fields.String()
    fault_id = fields.UUID(allow_none=True)
    asked_at = fields.String()
    status = fields.String()
    office_note = fields.String()
    decided_at = fields.DateTime(allow_none=True)
