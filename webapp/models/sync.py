"""What the server keeps to make sync exact: devices, applied mutations, conflicts, history,
attachments and departures."""

from __future__ import annotations

from peewee import (
    AutoField,
    BigIntegerField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    UUIDField,
)

from .base import BaseModel, SyncedModel, utcnow
from .fields import JSONText
from .organisation import Site
from .people import User


class SyncClient(BaseModel):
    """One installation of the app for one user; `last_seq` is the last client_seq taken."""

    id = UUIDField(primary_key=True)
    user = ForeignKeyField(User, backref="sync_clients", on_delete="CASCADE")
    last_seq = BigIntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)


class SyncMutation(BaseModel):
    """A mutation the server has answered, kept so that a re-sent one gets the same answer."""

    mutation_id = UUIDField(primary_key=True)
    client = ForeignKeyField(SyncClient, backref="mutations", on_delete="CASCADE")
    client_seq = BigIntegerField()
    user = ForeignKeyField(User, backref="mutations", on_delete="CASCADE")
    entity = CharField(max_length=32)
    entity_id = CharField(max_length=36)
    op = CharField(max_length=16)
    base_version = IntegerField(default=0)
    changes = JSONText(default=dict)
    client_time = CharField(max_length=40, default="")
    status = CharField(max_length=16)
    result = JSONText(default=dict)
    received_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("client", "client_seq"), True),)


class SyncConflict(SyncedModel):
    """A concurrent change to a field where a wrong value matters: a person resolves it."""

    SYNC_ENTITY = "conflict"
    entity = CharField(max_length=32)
    entity_id = CharField(max_length=36, index=True)
    site = ForeignKeyField(Site, backref="conflicts", on_delete="RESTRICT")
    field = CharField(max_length=64)
    base_version = IntegerField()
    server_value = JSONText(null=True)
    client_value = JSONText(null=True)
    mutation_id = UUIDField(null=True)
    raised_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    status = CharField(max_length=16, default="open")  # open, resolved
    resolution = CharField(max_length=16, default="")  # server, client
    resolved_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    resolved_at = DateTimeField(null=True)


class RecordHistory(BaseModel):
    """Old values of a record's fields, one row per changed field."""

    id = AutoField()
    entity = CharField(max_length=32)
    entity_id = CharField(max_length=36, index=True)
    version = IntegerField()
    field = CharField(max_length=64)
    old_value = JSONText(null=True)
    new_value = JSONText(null=True)
    mutation_id = UUIDField(null=True)
    author = CharField(max_length=64, default="")
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    at = DateTimeField(default=utcnow)


class Attachment(SyncedModel):
    """A file (photo, document, signature) that belongs to a record; bytes arrive separately."""

    owner_entity = CharField(max_length=32)
    owner_id = CharField(max_length=36, index=True)
    site = ForeignKeyField(Site, backref="attachments", on_delete="RESTRICT")
    kind = CharField(max_length=16)  # photo, document, signature
    filename = CharField(max_length=200, default="")
    mime = CharField(max_length=100)
    size = BigIntegerField()
    sha256 = CharField(max_length=64)
    received = BigIntegerField(default=0)
    status = CharField(max_length=16, default="pending")  # pending, complete
    uploaded_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


class Departure(BaseModel):
    """A synced record that left a site (a device moved to another client's site, with its files
    and tags). Devices that hold the old site receive it as a removal, in change-number order
    (docs/sync-protocol.md, "Records that move"); the record itself reaches the new site's."""

    id = AutoField()
    entity = CharField(max_length=32)
    entity_id = CharField(max_length=36)
    site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")  # the site it left
    to_site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")  # never sent to devices
    version = IntegerField()  # the record's version once moved
    server_seq = BigIntegerField(index=True)
    at = DateTimeField(default=utcnow)
