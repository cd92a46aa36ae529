"""The equipment register (设备登记), every field of domain §4."""

from __future__ import annotations

from peewee import CharField, DateField, ForeignKeyField, IntegerField, TextField

from .base import SyncedModel
from .fields import JSONText
from .organisation import Location, Site


class Equipment(SyncedModel):
    site = ForeignKeyField(Site, backref="equipment", on_delete="RESTRICT")
    location = ForeignKeyField(Location, null=True, backref="equipment", on_delete="RESTRICT")
    code = CharField(max_length=50, default="")  # the site's own asset number, printed on labels
    name = CharField(max_length=200)
    system = CharField(max_length=32, default="other")
    brand = CharField(max_length=100, default="")
    model = CharField(max_length=100, default="")
    serial_number = CharField(max_length=100, default="")
    manufacturer = CharField(max_length=200, default="")
    manufacturer_contact = CharField(max_length=200, default="")
    supplier = CharField(max_length=200, default="")
    installed_on = DateField(null=True)
    service_years = IntegerField(null=True)  # years in use, when the install date is unknown
    warranty_until = DateField(null=True)
    interfaces = TextField(default="")
    free_interfaces = TextField(default="")
    status = CharField(max_length=16, default="in_service")
    fault_points = TextField(default="")
    notes = TextField(default="")
    # Per field: the version that last changed it and who changed it, for merging edits made
    # offline against an older version (docs/sync-protocol.md, "Conflicts").
    field_meta = JSONText(default=dict)

    def years_in_use(self, today) -> int | None:
        """Whole years since installation, else the recorded years in use."""
        if self.installed_on:
            years = today.year - self.installed_on.year
            if (today.month, today.day) < (self.installed_on.month, self.installed_on.day):
                years -= 1
            return max(years, 0)
        return self.service_years
