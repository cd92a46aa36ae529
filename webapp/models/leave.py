"""Leave requests (请假申请) and absence explanations (《缺勤情况说明》), written by an engineer on
the phone, offline, and decided in the office (docs/attendance.md)."""

from __future__ import annotations

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import SyncedModel
from .organisation import Site
from .people import User


class LeaveRequest(SyncedModel):
    SYNC_ENTITY = "leave"
    engineer = ForeignKeyField(User, backref="leave_requests", on_delete="RESTRICT")
    site = ForeignKeyField(Site, backref="leave_requests", on_delete="RESTRICT")
    first_day = DateField()
    last_day = DateField()
    kind = CharField(max_length=16)  # models/choices.py LEAVE_KINDS
    reason = TextField(default="")
    stand_in = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    filed_at = CharField(max_length=40)  # the device's time, kept as sent
    notice = CharField(max_length=16)  # on_time, short_notice, afterwards (attendance/leave.py)
    notice_ahead = IntegerField(default=0)  # days between filing and the first day
    status = CharField(max_length=16, default="waiting", index=True)
    office_note = TextField(default="")
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    decided_at = DateTimeField(null=True)


class AbsenceExplanation(SyncedModel):
    SYNC_ENTITY = "explanation"
    engineer = ForeignKeyField(User, backref="absence_explanations", on_delete="RESTRICT")
    site = ForeignKeyField(Site, backref="absence_explanations", on_delete="RESTRICT")
    month = CharField(max_length=7)  # "2026-11"
    text = TextField()
    written_at = CharField(max_length=40)  # the device's time, kept as sent
    status = CharField(max_length=16, default="waiting", index=True)
    office_note = TextField(default="")
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    decided_at = DateTimeField(null=True)
