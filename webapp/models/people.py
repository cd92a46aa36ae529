"""Users, their roles, and which engineer is stationed at which site."""

from __future__ import annotations

import uuid

from flask_login import UserMixin
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, UUIDField

from .base import BaseModel, SyncedModel, utcnow
from .choices import OFFICE_ROLES
from .organisation import Client, Site


class User(UserMixin, BaseModel):
    id = UUIDField(primary_key=True, default=uuid.uuid4)
    username = CharField(max_length=64, unique=True)
    display_name = CharField(max_length=100, default="")
    password_hash = CharField(max_length=255)
    role = CharField(max_length=16)
    client = ForeignKeyField(Client, null=True, backref="users", on_delete="RESTRICT")
    phone = CharField(max_length=50, default="")
    locale = CharField(max_length=16, null=True)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_office(self) -> bool:
        return self.role in OFFICE_ROLES

    @property
    def name(self) -> str:
        return self.display_name or self.username


class Assignment(SyncedModel):
    """An engineer stationed at a site. Unassigning leaves a tombstone; reassigning revives it."""

    engineer = ForeignKeyField(User, backref="assignments", on_delete="RESTRICT")
    site = ForeignKeyField(Site, backref="assignments", on_delete="RESTRICT")

    class Meta:
        indexes = ((("engineer", "site"), True),)
