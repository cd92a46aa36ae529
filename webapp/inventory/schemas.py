"""Contract for the equipment register (domain §4)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validates_schema

from ..clock import latest_today
from ..models.choices import EQUIPMENT_STATUSES, EQUIPMENT_SYSTEMS
from ..schemas import SyncedOut
from ..validation import Choice, Int, Name, Text, in_range, max_length, partial


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
    installed_on = fields.Date(allow_none=True, load_default=None)
    service_years = Int(allow_none=True, load_default=None, validate=in_range(0, 100))
    warranty_until = fields.Date(allow_none=True, load_default=None)
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
    years_in_use = fields.Function(lambda e: e.years_in_use(date.today()))


class EquipmentQuery(Schema):
    site_id = fields.UUID()
    location_id = fields.UUID()
    system = Choice(EQUIPMENT_SYSTEMS)
    status = Choice(EQUIPMENT_STATUSES)
    q = fields.String(validate=max_length(100))


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
