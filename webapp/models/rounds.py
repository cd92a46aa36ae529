"""Rounds (inspections and maintenance reports) filled offline, their answers, and faults.

A round is created on a device; the server gives it a report number on arrival. Answers are one
row per item (per device for repeated sections) and are only ever written by the round's device.
Once the client signs, the round is sealed: `seal_hash` is the SHA-256 of its canonical content
(docs/checklists.md) and the round, its answers and its attachments can no longer change.
"""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    UUIDField,
)

from .base import SyncedModel
from .checklists import Schedule, TemplateVersion
from .equipment import Equipment
from .fields import JSONText
from .organisation import Location, Site
from .people import User


class Round(SyncedModel):
    number = CharField(max_length=32, default="", index=True)  # report number, from the server
    template_version = ForeignKeyField(TemplateVersion, backref="rounds", on_delete="RESTRICT")
    schedule = ForeignKeyField(Schedule, null=True, backref="rounds", on_delete="SET NULL")
    site = ForeignKeyField(Site, backref="rounds", on_delete="RESTRICT")
    location = ForeignKeyField(Location, null=True, backref="rounds", on_delete="RESTRICT")
    equipment = ForeignKeyField(Equipment, null=True, backref="rounds", on_delete="RESTRICT")
    equipment_ids = JSONText(default=list)  # devices of repeated sections, fixed at the start
    engineer = ForeignKeyField(User, backref="rounds", on_delete="RESTRICT")
    period = CharField(max_length=16, default="")  # 2026-11-21, 2026-W47, 2026-11, 2026-Q4
    status = CharField(max_length=16, default="in_progress")  # in_progress, submitted, sealed
    started_at = CharField(max_length=40)  # device times are kept exactly as the device sent them
    submitted_at = CharField(max_length=40, default="")
    header = JSONText(default=dict)  # client name, contact, phone, address, service time
    summary = TextField(default="")
    responsible = CharField(max_length=100, default="")
    acceptance = JSONText(null=True)
    signature_id = UUIDField(null=True)  # the attachment holding the drawn signature
    seal_hash = CharField(max_length=64, default="")
    sealed_at = DateTimeField(null=True)
    revision_of = ForeignKeyField("self", null=True, backref="revisions", on_delete="RESTRICT")
    revision = IntegerField(default=0)
    # The fault a customer service contact form (客户服务联络单) was started from: its signing
    # by the client confirms the fault (docs/contact-form.md). A plain id, not a foreign key:
    # faults are declared after rounds and point at them.
    fault_id = UUIDField(null=True, index=True)


class Answer(SyncedModel):
    round = ForeignKeyField(Round, backref="answers", on_delete="RESTRICT")
    site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")
    item_key = CharField(max_length=120)  # "terminal.voltage" or "daily.look@<equipment id>"
    equipment = ForeignKeyField(Equipment, null=True, backref="answers", on_delete="RESTRICT")
    status = CharField(max_length=16, default="")  # normal, abnormal, na
    value = JSONText(null=True)
    note = TextField(default="")
    photos = JSONText(default=list)  # attachment ids
    answered_at = CharField(max_length=40, default="")

    class Meta:
        indexes = ((("round", "item_key"), True),)


class Fault(SyncedModel):
    number = CharField(max_length=32, default="", index=True)  # F-2026-00042, from the server
    site = ForeignKeyField(Site, backref="faults", on_delete="RESTRICT")
    location = ForeignKeyField(Location, null=True, backref="faults", on_delete="RESTRICT")
    equipment = ForeignKeyField(Equipment, null=True, backref="faults", on_delete="RESTRICT")
    round = ForeignKeyField(Round, null=True, backref="faults", on_delete="RESTRICT")
    item_key = CharField(max_length=120, default="")
    description = TextField()
    severity = CharField(max_length=16, default="medium")  # low, medium, high, critical
    photos = JSONText(default=list)  # attachment ids
    reported_at = CharField(max_length=40)
    reported_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    kind = CharField(max_length=16, default="fault")  # fault, service_request
    # Derived from the fault's events (webapp/faults/life.py) each time one arrives; never
    # written otherwise. Times are the devices' own; dues and figures are the clocks'.
    status = CharField(max_length=16, default="reported")
    assignee = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    escalated_to = CharField(max_length=16, default="")  # specialist, manufacturer
    responded_at = CharField(max_length=40, default="")
    resolved_at = CharField(max_length=40, default="")
    closed_at = CharField(max_length=40, default="")
    respond_due = DateTimeField(null=True, index=True)  # UTC; null while stopped or paused
    resolve_due = DateTimeField(null=True, index=True)
    respond_used = IntegerField(null=True)  # seconds, once the clock has stopped
    resolve_used = IntegerField(null=True)
    respond_breached = BooleanField(null=True)  # met (False) or breached (True), once stopped
    resolve_breached = BooleanField(null=True)
