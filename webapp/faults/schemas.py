"""Contracts of a fault's steps (docs/sync-protocol.md, "Fault events"), as devices send them
and as they pull them with the faults."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError, fields, validates_schema

from ..models.choices import (
    AUTOMATIC_ESCALATION,
    FAULT_CHANNELS,
    FAULT_EFFECTS,
    FAULT_ESCALATIONS,
    FAULT_KINDS,
    FAULT_STATUSES,
    FAULT_STEPS,
    FAULT_WAITING,
    SEVERITIES,
)
from ..rounds.schemas import FaultOut as RoundFaultOut
from ..schemas import SyncedOut
from ..validation import Choice, Name, Schema, Text, in_range, max_length

# The steps and their words: one owner, models/choices.py (the phone gets them in its contract).
KIND_LABELS = FAULT_STEPS
STATUS_LABELS = FAULT_STATUSES
CHANNELS = FAULT_CHANNELS
ESCALATE_TO = FAULT_ESCALATIONS
# what a person may choose on the board: the automatic escalation is the worker's alone
# (faults.operations refuses it from anyone else)
ESCALATE_BY_HAND = {k: v for k, v in FAULT_ESCALATIONS.items() if k != AUTOMATIC_ESCALATION}
WAITING_FOR = FAULT_WAITING
WHY_LABELS = FAULT_EFFECTS

# What each step carries besides its note; anything else sent with it is refused.
DETAILS = {
    "responded": ("channel",),
    "on_site": (),
    "waiting": ("waiting_for",),
    "resumed": (),
    "resolved": ("diagnosis", "action", "parts"),
    "confirmed": (),
    "closed": (),
    "cancelled": ("reason",),
    "assigned": ("assignee_id",),
    "escalated": ("to", "assignee_id", "contact"),
    "reviewed": ("root_cause", "improvement", "lessons"),
}
REQUIRED = {
    "responded": ("channel",),
    "waiting": ("waiting_for",),
    "resolved": ("diagnosis", "action"),
    "cancelled": ("reason",),
    "assigned": ("assignee_id",),
    "escalated": ("to",),
    "reviewed": ("root_cause",),
}
# A device time with its offset, to the millisecond at most: both sides read it the same.
DEVICE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$")


def device_time(value: str) -> None:
    if not DEVICE_TIME.match(value):
        raise ValidationError(_("Not a time with its offset (2026-12-02T09:00:00+08:00)."))
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("Not a valid datetime.")) from None


class FaultEventIn(Schema):
    fault_id = fields.UUID(required=True)
    kind = Choice(KIND_LABELS, required=True)
    at = fields.String(required=True, validate=[max_length(40), device_time])
    note = Text(2000)
    channel = Choice(CHANNELS)
    waiting_for = Choice(WAITING_FOR)
    diagnosis = fields.String(validate=max_length(2000))
    action = fields.String(validate=max_length(2000))
    parts = fields.String(validate=max_length(1000))
    reason = fields.String(validate=max_length(500))
    to = Choice(ESCALATE_TO)
    contact = fields.String(validate=max_length(200))
    assignee_id = fields.UUID(allow_none=True)
    root_cause = fields.String(validate=max_length(2000))
    improvement = fields.String(validate=max_length(2000))
    lessons = fields.String(validate=max_length(2000))

    @validates_schema
    def details_of_the_kind(self, data, **kwargs):
        kind = data.get("kind")
        if kind not in DETAILS:
            return
        errors = {}
        for name in REQUIRED.get(kind, ()):
            value = data.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                errors[name] = [_("Missing data for required field.")]
        for name in set(data) - {"fault_id", "kind", "at", "note", *DETAILS[kind]}:
            errors[name] = [_("Not sent with this step.")]
        if errors:
            raise ValidationError(errors)


def details_of(data: dict) -> dict:
    """The step's own fields, as stored on the event."""
    return {
        name: str(data[name]) if name == "assignee_id" and data[name] else data[name]
        for name in DETAILS[data["kind"]]
        if name in data
    }


class FaultEventOut(SyncedOut):
    fault_id = fields.UUID()
    site_id = fields.UUID()
    kind = fields.String()
    at = fields.String()
    by_id = fields.UUID()
    by_name = fields.Function(lambda e: e.by.name)
    note = fields.String()
    details = fields.Dict()


class FaultOut(RoundFaultOut):
    """A fault as devices hold it: its report, what its events made of it, and the contract
    its clocks run by (faults/life.py Policy), so that the phone reads them offline."""

    kind = fields.String()
    assignee_id = fields.UUID(allow_none=True)
    escalated_to = fields.String()
    responded_at = fields.String()
    resolved_at = fields.String()
    closed_at = fields.String()
    policy = fields.Function(lambda f: f.policy)


class FaultReport(Schema):
    """A fault logged in the office from a phone call."""

    site_id = fields.UUID(required=True)
    equipment_id = fields.UUID(load_default=None, allow_none=True)
    kind = Choice(FAULT_KINDS, load_default="fault")
    severity = Choice(SEVERITIES, load_default="medium")
    description = Name(2000)


class BoardFilter(Schema):
    """What the office's fault board shows; an empty value means "any"."""

    class Meta:
        unknown = EXCLUDE

    view = fields.String(load_default="open", validate=lambda v: v in ("open", "closed", "all"))
    site_id = fields.UUID(load_default=None)
    severity = Choice(SEVERITIES, load_default=None)


class FaultFilter(Schema):
    """Which faults the office's list and its exports hold; an empty value means "any". The
    period is the report's day on the device that reported it."""

    class Meta:
        unknown = EXCLUDE  # a bookmarked address with an old parameter still opens

    site_id = fields.UUID(load_default=None)
    client_id = fields.UUID(load_default=None)
    status = Choice(FAULT_STATUSES, load_default=None)
    kind = Choice(FAULT_KINDS, load_default=None)
    assignee_id = fields.UUID(load_default=None)
    date_from = fields.Date(load_default=None)
    date_to = fields.Date(load_default=None)
    breached = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=in_range(1, 100_000))

    @validates_schema
    def _dates_in_order(self, data, **kwargs):
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The end date is before the start date."), "date_to")
