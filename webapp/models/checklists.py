"""Checklist templates, their immutable versions, and the schedules that make rounds due.

A template's content is a JSON document described in docs/checklists.md; `webapp/checklists/
content.py` owns its rules. A version is editable while it is a draft and frozen once published:
a round always points at the exact version it was filled against.
"""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from .base import SyncedModel
from .fields import JSONText
from .organisation import Location, Site
from .people import User


class ChecklistTemplate(SyncedModel):
    SYNC_ENTITY = "template"
    key = CharField(max_length=64, unique=True)  # stable name, e.g. "daily-round"
    form = CharField(max_length=32, default="round")  # round, maintenance_report, contact_form
    title = JSONText(default=dict)  # {"zh_Hans": ..., "zh_Hant": ..., "en": ...}
    status = CharField(max_length=16, default="draft")  # draft, published, retired
    published_version = IntegerField(default=0)  # number of the version new rounds use
    shipped = BooleanField(default=False)  # installed with the product


class TemplateVersion(SyncedModel):
    template = ForeignKeyField(ChecklistTemplate, backref="versions", on_delete="RESTRICT")
    number = IntegerField()
    content = JSONText(default=dict)
    status = CharField(max_length=16, default="draft")  # draft, published
    published_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("template", "number"), True),)


class Schedule(SyncedModel):
    """A round of `template` is due every `frequency` for a site, a location or a system."""

    template = ForeignKeyField(ChecklistTemplate, backref="schedules", on_delete="RESTRICT")
    site = ForeignKeyField(Site, backref="schedules", on_delete="RESTRICT")
    location = ForeignKeyField(Location, null=True, backref="schedules", on_delete="RESTRICT")
    system = CharField(max_length=32, default="")  # an equipment category, or every system
    frequency = CharField(max_length=16, default="daily")  # daily, weekly, monthly, quarterly
    starts_on = DateField(null=True)
    active = BooleanField(default=True)
