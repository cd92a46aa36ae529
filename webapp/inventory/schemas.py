"""Contract for the equipment register (domain §4)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validates_schema

from .. import clock
from ..clock import latest_today
from ..models.choices import EQUIPMENT_STATUSES, EQUIPMENT_SYSTEMS
from ..schemas import SyncedOut
from ..validation import (
    Choice,
    Day,
    Int,
    Name,
    Schema,
    Text,
    in_range,
    max_length,
    partial,
    translate_messages,
)


class EquipmentIn(Schema):
    site_id = fields.UUID(required=True)
    location_id = fields.UUID(allow_none=True, load_default=None)
    code = Text(50)
    name = Name()
    system = Choice(EQUIPMENT_SYSTEMS, load_default="other")
    brand = Text(100)
    model = Text(100)
    serial_number = Text(100)
    manufacturer = Text(200)
    manufacturer_contact = Text(200)
    supplier = Text(200)
    installed_on = Day(allow_none=True, load_default=None)
    service_years = Int(allow_none=True, load_default=None, validate=in_range(0, 100))
    warranty_until = Day(allow_none=True, load_default=None)
    interfaces = Text(2000)
    free_interfaces = Text(2000)
    status = Choice(EQUIPMENT_STATUSES, load_default="in_service")
    fault_points = Text(2000)
    notes = Text(4000)

    @validates_schema
    def _dates(self, data, **kwargs):
        installed = data.get("installed_on")
        if installed and installed > latest_today():  # the typing device's today (clock.py)
            raise ValidationError(_("The installation date is in the future."), "installed_on")


EquipmentPatch = partial(EquipmentIn)


class EquipmentOut(SyncedOut, EquipmentIn):
    years_in_use = fields.Function(lambda e: e.years_in_use(clock.today()))


class EquipmentQuery(Schema):
    site_id = fields.UUID()
    location_id = fields.UUID()
    system = Choice(EQUIPMENT_SYSTEMS)
    status = Choice(EQUIPMENT_STATUSES)
    q = fields.String(validate=max_length(100))


OFFICE_FILTERS = ("site_id", "system", "status", "q")


def office_filters(args) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """The office list's and the exports' filters, read with the API's contract: what was typed
    (to refill the form and build links), the loaded values for `search_equipment`, and the
    errors in the reader's language (then nothing is loaded)."""
    typed = {k: args.get(k, "").strip() for k in OFFICE_FILTERS if args.get(k, "").strip()}
    if "q" in typed:
        typed["q"] = typed["q"][:100]  # the search box has no limit of its own
    try:
        return typed, EquipmentQuery().load(typed), {}
    except ValidationError as err:
        return typed, {}, translate_messages(err.normalized_messages())


def _author_name(user) -> str:
    return user.display_name or user.username


class HistoryOut(Schema):
    """One changed field of a device: who changed it, when, from what to what."""

    version = fields.Integer()
    field = fields.String()
    old_value = fields.Raw(allow_none=True)
    new_value = fields.Raw(allow_none=True)
    author = fields.Function(lambda h: _author_name(h.actor) if h.actor_id else "")
    at = fields.DateTime()
