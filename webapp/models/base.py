"""Model bases: every table uses the proxy; synced tables carry the sync columns of DESIGN §2."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from peewee import BigIntegerField, DateTimeField, IntegerField, Model, UUIDField

from ..extensions import db


def utcnow() -> datetime:
    """Naive UTC: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class SyncedModel(BaseModel):
    """A record the PWA keeps offline: client-made UUID, version, change sequence, tombstone."""

    id = UUIDField(primary_key=True, default=uuid.uuid4)
    version = IntegerField(default=1)
    server_seq = BigIntegerField(default=0, index=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    # The name devices know the records by (a feed's entity, a mutation's `entity`, a removal's);
    # the table's name unless a model says otherwise.
    SYNC_ENTITY: str | None = None

    @classmethod
    def sync_entity(cls) -> str:
        return cls.SYNC_ENTITY or cls._meta.table_name

    @classmethod
    def live(cls):
        """Rows that are not tombstones."""
        return cls.select().where(cls.deleted_at.is_null())

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
