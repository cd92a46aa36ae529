"""Tables the server keeps for itself: change sequence, server facts, audit log."""

from __future__ import annotations

from peewee import (
    AutoField,
    BigIntegerField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    TextField,
)

from .base import BaseModel, utcnow
from .people import User


class Counter(BaseModel):
    """Named counters. `server_seq` is taken under this row's lock, so it follows commit order."""

    name = CharField(max_length=32, primary_key=True)
    value = BigIntegerField(default=0)


class ServerMeta(BaseModel):
    key = CharField(max_length=32, primary_key=True)
    value = TextField()


class AuditEntry(BaseModel):
    """Who changed what, readable by office roles (DESIGN §4)."""

    id = AutoField()
    at = DateTimeField(default=utcnow, index=True)
    actor = ForeignKeyField(User, null=True, backref="audit_entries", on_delete="SET NULL")
    action = CharField(max_length=32)
    entity = CharField(max_length=32)
    entity_id = CharField(max_length=36, index=True)
    summary = TextField(default="")
