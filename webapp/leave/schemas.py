"""Contracts of leave requests and absence explanations: what a phone sends, what it pulls and
what the office posts."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validates, validates_schema

from ..models.choices import LEAVE_KINDS
from ..sites.schemas import SyncedOut
from ..validation import Choice, Text, max_length, not_blank, one_of

MAX_LEAVE_DAYS = 90  # a longer absence is not a leave request but a matter for the office
MONTH_FORMAT = "%Y-%m"


def DeviceTime(**kw):  # noqa: N802 - a field factory
    """An instant as the phone wrote it (ISO 8601 with its offset); kept verbatim."""
    return fields.String(validate=[not_blank, max_length(40)], **kw)


def parse_instant(value: str) -> datetime:
    """An ISO 8601 instant with an offset ("Z" accepted), or ValidationError."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(_("Not a valid time.")) from None
    if moment.tzinfo is None:
        raise ValidationError(_("The time must say its offset from UTC."))
    return moment


class LeaveCreate(Schema):
    """The `changes` of a leave `create` mutation."""

    site_id = fields.UUID(required=True)
    first_day = fields.Date(required=True)
    last_day = fields.Date(required=True)
    kind = Choice(LEAVE_KINDS, required=True)
    reason = Text(1000)
    stand_in_id = fields.UUID(load_default=None, allow_none=True)
    filed_at = DeviceTime(required=True)
    # The newest server-signed time the phone held when filing (checkins/clock.py), if any.
    server_time = fields.String(load_default="", validate=max_length(200))

    @validates("filed_at")
    def _instant(self, value: str, **_kw) -> None:
        parse_instant(value)

    @validates_schema
    def _days(self, data, **_kw) -> None:
        first, last = data.get("first_day"), data.get("last_day")
        if first is None or last is None:
            return
        if last < first:
            raise ValidationError(_("The last day is before the first day."), "last_day")
        if (last - first).days + 1 > MAX_LEAVE_DAYS:
            raise ValidationError(
                _("A leave request covers at most %(days)d days.", days=MAX_LEAVE_DAYS),
                "last_day",
            )


class Nothing(Schema):
    """The `changes` of a `withdraw`: none."""


class LeaveOut(SyncedOut):
    engineer_id = fields.UUID()
    engineer_name = fields.Function(lambda r: r.engineer.name)
    site_id = fields.UUID()
    first_day = fields.Date()
    last_day = fields.Date()
    kind = fields.String()
    reason = fields.String()
    stand_in_id = fields.UUID(allow_none=True)
    stand_in_name = fields.Function(lambda r: r.stand_in.name if r.stand_in_id else "")
    filed_at = fields.String()
    notice = fields.String()
    notice_ahead = fields.Integer()
    status = fields.String()
    office_note = fields.String()
    decided_at = fields.DateTime(allow_none=True)


class Decision(Schema):
    """What the office posts on a leave request or an explanation."""

    decision = fields.String(
        required=True, validate=one_of({"approve": 1, "accept": 1, "return": 1})
    )
    note = Text(1000)

    @validates_schema
    def _note(self, data, **_kw) -> None:
        if data.get("decision") == "return" and not data.get("note", "").strip():
            raise ValidationError(_("Say what should change: the note is required."), "note")


class ExplanationCreate(Schema):
    """The `changes` of an explanation `create` mutation."""

    site_id = fields.UUID(required=True)
    month = fields.String(required=True)
    text = fields.String(required=True, validate=[not_blank, max_length(4000)])
    written_at = DeviceTime(required=True)

    @validates("month")
    def _month(self, value: str, **_kw) -> None:
        try:
            datetime.strptime(value, MONTH_FORMAT)
        except ValueError:
            raise ValidationError(_("A month is written YYYY-MM.")) from None
        if len(value) != 7:
            raise ValidationError(_("A month is written YYYY-MM."))

    @validates("written_at")
    def _instant(self, value: str, **_kw) -> None:
        parse_instant(value)


class ExplanationOut(SyncedOut):
    engineer_id = fields.UUID()
    engineer_name = fields.Function(lambda r: r.engineer.name)
    site_id = fields.UUID()
    month = fields.String()
    text = fields.String()
    written_at = fields.String()
    status = fields.String()
    office_note = fields.String()
    decided_at = fields.DateTime(allow_none=True)


class LeaveFilter(Schema):
    """The office list's filters."""

    site_id = fields.UUID(load_default=None)
    engineer_id = fields.UUID(load_default=None)
    month = fields.String(load_default=None)

    @validates("month")
    def _month(self, value, **_kw) -> None:
        if value is None:
            return
        try:
            datetime.strptime(value, MONTH_FORMAT)
        except ValueError:
            raise ValidationError(_("A month is written YYYY-MM.")) from None
