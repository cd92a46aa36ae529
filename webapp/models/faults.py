"""The steps of a fault's life, append-only (docs/faults.md, "A fault's life").

An event is made where the step happened, often offline on a phone, with the device's time; it
is never changed afterwards. The fault's status, times and clocks are derived from all its
events by one rule (webapp/faults/life.py) and written onto the fault as it arrives.
"""

from __future__ import annotations

from peewee import CharField, ForeignKeyField, TextField

from .base import SyncedModel
from .fields import JSONText
from .organisation import Site
from .people import User
from .rounds import Fault


class FaultEvent(SyncedModel):
    fault = ForeignKeyField(Fault, backref="events", on_delete="RESTRICT")
    site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")  # the fault's, for scope
    kind = CharField(max_length=16)  # responded, on_site, resolved, ... (faults/life.py KINDS)
    at = CharField(max_length=40)  # the device's time, kept as the device sent it
    by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    note = TextField(default="")
    details = JSONText(default=dict)  # channel, diagnosis, action, parts, to, for, reason, ...
