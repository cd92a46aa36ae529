"""Writing synced records the one way: bump the version, take a change number, audit.

Every change to a synced table goes through here, office edits included, so a pull never misses
one. Functions flush and never commit: the caller's transaction commits once.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from peewee import ForeignKeyField, Model

from .models import AuditEntry, Counter, SyncedModel, User, utcnow

M = TypeVar("M", bound=SyncedModel)

SERVER_SEQ = "server_seq"


def next_server_seq() -> int:
    """Take the next change number.

    The increment locks the counter row until the transaction ends, so numbers are handed out
    in commit order on PostgreSQL as on SQLite: a reader paging by `server_seq > cursor` can
    never see a later number commit before an earlier one.
    """
    Counter.insert(name=SERVER_SEQ, value=0).on_conflict_ignore().execute()
    Counter.update(value=Counter.value + 1).where(Counter.name == SERVER_SEQ).execute()
    return Counter.get_by_id(SERVER_SEQ).value


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value.get_id())
    return value


def audit(actor: User | None, action: str, record: Any, details: dict[str, Any]) -> None:
    AuditEntry.create(
        actor=actor,
        action=action,
        entity=type(record)._meta.table_name,
        entity_id=str(record.id),
        summary=json.dumps({k: _plain(v) for k, v in details.items()}, ensure_ascii=False),
    )


def create_record(model_class: type[M], /, *, actor: User | None, **values: Any) -> M:
    record = model_class(**values)
    record.version = 1
    record.server_seq = next_server_seq()
    record.created_at = record.updated_at = utcnow()
    record.save(force_insert=True)
    audit(actor, "create", record, values)
    return record


def update_record(record: M, *, actor: User | None, changes: dict[str, Any]) -> M:
    """Apply the fields that really change; a no-op edit takes no version."""
    changed = {}
    for name, value in changes.items():
        old = getattr(record, f"{name}_id" if _is_fk(record, name) else name)
        new = value.get_id() if isinstance(value, Model) else value
        if old != new:
            changed[name] = (old, new)
            setattr(record, name, value)
    if not changed:
        return record
    record.version += 1
    record.server_seq = next_server_seq()
    record.updated_at = utcnow()
    record.save()
    audit(actor, "update", record, {k: v[1] for k, v in changed.items()})
    return record


def delete_record(record: M, *, actor: User | None) -> M:
    """Leave a tombstone: synced rows are never physically deleted."""
    if record.deleted_at is None:
        record.deleted_at = record.updated_at = utcnow()
        record.version += 1
        record.server_seq = next_server_seq()
        record.save()
        audit(actor, "delete", record, {})
    return record


def _is_fk(record: SyncedModel, name: str) -> bool:
    return isinstance(record._meta.fields.get(name), ForeignKeyField)


def restore_record(record: M, *, actor: User | None) -> M:
    """Bring a tombstone back to life as a new version."""
    if record.deleted_at is not None:
        record.deleted_at = None
        record.updated_at = utcnow()
        record.version += 1
        record.server_seq = next_server_seq()
        record.save()
        audit(actor, "restore", record, {})
    return record
