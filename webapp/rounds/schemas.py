"""Contracts of the rounds' sync operations and of what devices pull (docs/checklists.md)."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validates_schema

from ..models.choices import (
    ANSWER_STATUSES,
    FAULT_KINDS,
    HANDOVER,
    REASONS,
    SATISFACTION,
    SEVERITIES,
)
from ..schemas import SyncedOut
from ..validation import Choice, Name, Schema, Text, max_items, max_length, not_blank, sha256_hex

MAX_DEVICES = 500


def DeviceTime(**kw):  # noqa: N802 - a field factory
    """A time as the device wrote it; kept verbatim because the seal covers it."""
    return fields.String(validate=[not_blank, max_length(40)], **kw)


class Header(Schema):
    """The paper form's header; every key is always present so that the seal is well defined."""

    client_name = Text(200)
    contact = Text(100)
    phone = Text(50)
    address = Text(300)
    service_time = Text(100)


class RoundCreate(Schema):
    template_version_id = fields.UUID(required=True)
    site_id = fields.UUID(required=True)
    location_id = fields.UUID(load_default=None, allow_none=True)
    equipment_id = fields.UUID(load_default=None, allow_none=True)
    schedule_id = fields.UUID(load_default=None, allow_none=True)
    equipment_ids = fields.List(fields.UUID(), load_default=list, validate=max_items(MAX_DEVICES))
    period = fields.String(load_default="", validate=max_length(16))
    started_at = DeviceTime(required=True)
    header = fields.Nested(Header, load_default=lambda: Header().load({}))
    revision_of = fields.UUID(load_default=None, allow_none=True)
    fault_id = fields.UUID(load_default=None, allow_none=True)  # a contact form's fault


class RoundUpdate(Schema):
    header = fields.Nested(Header)
    summary = fields.String(validate=max_length(4000))
    responsible = fields.String(validate=max_length(100))


class RoundSubmit(Schema):
    summary = Text(4000)
    responsible = Text(100)
    submitted_at = DeviceTime(required=True)


class Acceptance(Schema):
    """The client's acceptance block (domain §3). Every key is sent, so the seal is defined.
    One rule for every form the client signs (rounds, maintenance reports, the customer service
    contact form); static/js/acceptance.js is the phone's copy, both run
    tests/acceptance_vectors.json."""

    accepted = fields.Boolean(required=True)
    handover = Choice(HANDOVER, required=True)
    satisfaction = Choice(SATISFACTION, required=True)
    reasons = fields.List(Choice(REASONS), required=True, validate=max_items(3))
    comments = fields.String(required=True, validate=max_length(2000))
    signer = Name(100)
    signed_at = DeviceTime(required=True)

    @validates_schema(skip_on_field_errors=False)  # named with the other fields, as the phone does
    def reasons_when_unsatisfied(self, data, **kwargs):
        unsatisfied = data.get("satisfaction") == "unsatisfied"
        if unsatisfied and not data.get("reasons"):
            raise ValidationError(_("Say why the client is not satisfied."), "reasons")
        if not unsatisfied and data.get("reasons"):
            raise ValidationError(_("Reasons are only given when unsatisfied."), "reasons")
        if len(set(data.get("reasons") or [])) != len(data.get("reasons") or []):
            raise ValidationError(_("Each reason once."), "reasons")


class RoundSign(Schema):
    acceptance = fields.Nested(Acceptance, required=True)
    signature_id = fields.UUID(required=True)
    seal_hash = fields.String(required=True, validate=sha256_hex)


class AnswerIn(Schema):
    round_id = fields.UUID(required=True)
    item_key = fields.String(required=True, validate=[not_blank, max_length(120)])
    status = Choice(ANSWER_STATUSES, required=True)
    value = fields.Raw(load_default=None, allow_none=True)
    note = Text(2000)
    photos = fields.List(fields.UUID(), load_default=list, validate=max_items(20))
    answered_at = fields.String(load_default="", validate=max_length(40))


class AnswerUpdate(Schema):
    """A later answer to the same item: the whole answer again."""

    status = Choice(ANSWER_STATUSES, required=True)
    value = fields.Raw(load_default=None, allow_none=True)
    note = Text(2000)
    photos = fields.List(fields.UUID(), load_default=list, validate=max_items(20))
    answered_at = fields.String(load_default="", validate=max_length(40))


class FaultIn(Schema):
    site_id = fields.UUID(required=True)
    location_id = fields.UUID(load_default=None, allow_none=True)
    equipment_id = fields.UUID(load_default=None, allow_none=True)
    round_id = fields.UUID(load_default=None, allow_none=True)
    item_key = fields.String(load_default="", validate=max_length(120))
    description = Name(2000)
    severity = Choice(SEVERITIES, load_default="medium")
    photos = fields.List(fields.UUID(), load_default=list, validate=max_items(10))
    reported_at = DeviceTime(required=True)
    kind = Choice(FAULT_KINDS, load_default="fault")  # a fault or a service request


# --- what devices pull -------------------------------------------------------------------------


class TemplateOut(SyncedOut):
    key = fields.String()
    form = fields.String()
    title = fields.Dict()
    status = fields.String()
    published_version = fields.Integer()


class TemplateVersionOut(SyncedOut):
    template_id = fields.UUID()
    number = fields.Integer()
    content = fields.Dict()
    status = fields.String()


class ScheduleOut(SyncedOut):
    template_id = fields.UUID()
    site_id = fields.UUID()
    location_id = fields.UUID(allow_none=True)
    system = fields.String()
    frequency = fields.String()
    starts_on = fields.Date(allow_none=True)
    active = fields.Boolean()


class RoundOut(SyncedOut):
    number = fields.String()
    template_version_id = fields.UUID()
    schedule_id = fields.UUID(allow_none=True)
    site_id = fields.UUID()
    location_id = fields.UUID(allow_none=True)
    equipment_id = fields.UUID(allow_none=True)
    equipment_ids = fields.List(fields.String())
    engineer_id = fields.UUID()
    period = fields.String()
    status = fields.String()
    started_at = fields.String()
    submitted_at = fields.String()
    header = fields.Dict()
    summary = fields.String()
    responsible = fields.String()
    acceptance = fields.Dict(allow_none=True)
    signature_id = fields.UUID(allow_none=True)
    seal_hash = fields.String()
    sealed_at = fields.DateTime(allow_none=True)
    revision_of_id = fields.UUID(allow_none=True)
    revision = fields.Integer()
    fault_id = fields.UUID(allow_none=True)


class AnswerOut(SyncedOut):
    round_id = fields.UUID()
    site_id = fields.UUID()
    item_key = fields.String()
    equipment_id = fields.UUID(allow_none=True)
    status = fields.String()
    value = fields.Raw(allow_none=True)
    note = fields.String()
    photos = fields.List(fields.String())
    answered_at = fields.String()


class FaultOut(SyncedOut):
    number = fields.String()
    site_id = fields.UUID()
    location_id = fields.UUID(allow_none=True)
    equipment_id = fields.UUID(allow_none=True)
    round_id = fields.UUID(allow_none=True)
    item_key = fields.String()
    description = fields.String()
    severity = fields.String()
    status = fields.String()
    photos = fields.List(fields.String())
    reported_at = fields.String()
    reported_by_id = fields.UUID()
