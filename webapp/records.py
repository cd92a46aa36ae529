"""Writing synced records the one way: bump the version, take a change number, audit.

Every change to a synced table goes through here, office edits included, so a pull never misses
one. Functions flush and never commit: the caller's transaction commits once.

Overlapping requests (docs/sync-protocol.md): a write first locks the row it changes and takes
its values as stored (`lock`), so it decides on the row as it is; and its UPDATE holds only
`WHERE version = <the version read>`, so a write made on an older read changes nothing and
raises `StaleRecord` instead of putting an older version back. Versions only go up.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from peewee import ForeignKeyField, Model, SqliteDatabase

from . import bulk
from .extensions import db
from .models import AuditEntry, Counter, Departure, RecordHistory, SyncedModel, User, utcnow

M = TypeVar("M", bound=SyncedModel)

SERVER_SEQ = "server_seq"


class StaleRecord(Exception):
    """A row changed after it was read: the guarded UPDATE matched no row. Nothing of the
    transaction may stand; the JSON edge runs it again from the start (`api.endpoint`)."""

    def __init__(self, record: Model) -> None:
        super().__init__(f"{type(record)._meta.table_name} {record.get_id()} changed meanwhile")


def _allocate(count: int, name: str = SERVER_SEQ) -> int:
    """Advance the counter by `count`; return the last number taken.

    The increment locks the counter row until the transaction ends, so numbers are handed out
    in commit order on PostgreSQL as on SQLite: a reader paging by `server_seq > cursor` can
    never see a later number commit before an earlier one.
    """
    Counter.insert(name=name, value=0).on_conflict_ignore().execute()
    Counter.update(value=Counter.value + count).where(Counter.name == name).execute()
    return Counter.get_by_id(name).value


def _write_locked_counter() -> int:
    """SQLite: the change counter's value, with this transaction holding the database's write
    lock (a write statement takes it, if `BEGIN IMMEDIATE` had not already) until it ends."""
    Counter.insert(name=SERVER_SEQ, value=0).on_conflict_ignore().execute()
    return Counter.get_by_id(SERVER_SEQ).value


def next_number(name: str) -> int:
    """The next number of a named series (report numbers, fault numbers): no gaps, no repeats."""
    return _allocate(1, name)


# Change numbers a batch hands out before it takes real ones: above every real number, in the
# order taken, so rows written earlier in the transaction sort as they will once numbered.
PROVISIONAL = 2**62


class Batch:
    """Writes of one large transaction (a device's push), gathered to go out together:
    history and audit rows inserted in bulk at the end, and change numbers taken at the end.

    Rows are written with provisional change numbers (`PROVISIONAL` + 1, 2, …, invisible to
    everyone else until commit); `flush` takes the real block from the counter in one step and
    renumbers those rows, keeping their order. So the counter row, which every writer needs, is
    locked only from the end of the batch to its commit, not for the whole batch: pushes of
    different devices do their work side by side and queue only for that last step. The
    numbers still follow commit order (the lock is held to commit).

    On SQLite (`direct`) there is nothing to gain: the transaction holds the whole database's
    write lock from its first write to commit, so no one else can take a number meanwhile. The
    batch reads the counter when it takes its first number and hands out the real ones that
    follow; the counter is moved once at the end, and no row is written twice."""

    def __init__(self, direct: bool = False) -> None:
        self.taken = 0
        self.rows: dict[type[Model], list[dict[str, Any]]] = {}
        self.locked: set[tuple[str, Any]] = set()  # rows this transaction holds (or created)
        self.stamped: list[Model] = []  # written with a provisional number
        self.base: int | None = None  # the real number of provisional 0, once flushed
        self.direct = direct
        self.first: int | None = None  # direct: the counter's value before the first number

    def take_seq(self) -> int:
        if self.direct:
            if self.first is None:
                self.first = _write_locked_counter()
            self.taken += 1
            return self.first + self.taken
        self.taken += 1
        return PROVISIONAL + self.taken

    def stamp(self, record: Model) -> int:
        record.server_seq = self.take_seq()
        if not self.direct:
            self.stamped.append(record)
        return record.server_seq

    def add(self, model: type[Model], rows: list[dict[str, Any]]) -> None:
        self.rows.setdefault(model, []).extend(rows)

    def final(self, value: Any) -> Any:
        """A provisional number as the real one (after `flush`); anything else unchanged, and
        dicts and lists walked for `server_seq` keys (answers, rows, dumps). Only containers
        are descended into: a push's answers and history rows hold thousands of plain values."""
        if self.direct:
            return value  # real numbers from the start
        if isinstance(value, dict):
            return {
                k: self.final_seq(v)
                if k == SERVER_SEQ
                else (self.final(v) if isinstance(v, (dict, list)) else v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.final(v) if isinstance(v, (dict, list)) else v for v in value]
        return value

    def final_seq(self, value: Any) -> Any:
        if (
            self.base is not None
            and isinstance(value, int)
            and PROVISIONAL < value <= PROVISIONAL + self.taken
        ):
            return self.base + (value - PROVISIONAL)
        return value

    def flush(self) -> None:
        if self.direct and self.taken:
            if _allocate(self.taken) != self.first + self.taken:
                raise RuntimeError("another writer took change numbers inside a direct batch")
        elif self.taken:
            self.base = _allocate(self.taken) - self.taken
            by_model: dict[type[Model], set[Any]] = {}
            for record in self.stamped:
                by_model.setdefault(type(record), set()).add(record.get_id())
            shift = PROVISIONAL - self.base
            for model, ids in by_model.items():
                column = model._meta.fields[SERVER_SEQ]
                id_list = list(ids)
                for i in range(0, len(id_list), 500):
                    model.update({column: column - shift}).where(
                        model._meta.primary_key.in_(id_list[i : i + 500]) & (column > PROVISIONAL)
                    ).execute()
            for record in self.stamped:
                record.server_seq = self.final_seq(record.server_seq)
        for model, rows in self.rows.items():
            bulk.insert_many(model, [self.final(row) for row in rows])
        self.rows.clear()


_batch: ContextVar[Batch | None] = ContextVar("rounds_write_batch", default=None)


@contextmanager
def batched_writes() -> Iterator[Batch]:
    """Gather history and audit rows and take change numbers in blocks until the block ends.
    Use inside the transaction; nothing is written if the block raises."""
    batch = Batch(direct=isinstance(db.obj, SqliteDatabase))
    token = _batch.set(batch)
    try:
        yield batch
        batch.flush()
    finally:
        _batch.reset(token)


def _key(model: type[Model], id: Any) -> tuple[str, str]:
    return model._meta.table_name, str(id)


def lock_rows(model: type[M], ids: Any) -> dict[Any, M]:
    """Read these rows and keep them locked until commit (`SELECT ... FOR UPDATE`), by id:
    every transaction that locks several rows of a table takes them in the same order, so two
    never wait for each other in a circle. Take row locks before the first change number
    (`_allocate` locks the counter row until commit). On SQLite the write transaction already
    holds the whole database; the rows are read all the same."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    query = model.select().where(model._meta.primary_key.in_(list(ids)))
    if model._meta.database.for_update:
        query = query.order_by(model._meta.primary_key).for_update()
    rows = {row.get_id(): row for row in query}
    batch = _batch.get()
    if batch is not None:
        batch.locked.update(_key(model, i) for i in rows)
    return rows


def lock(record: M) -> M:
    """Lock `record`'s row until commit and take its values as stored now, so that what is
    decided next is decided on the row as it is. A row this push already locked (or created)
    is taken as it is."""
    model = type(record)
    batch = _batch.get()
    if batch is not None and _key(model, record.get_id()) in batch.locked:
        return record
    stored = lock_rows(model, [record.get_id()]).get(record.get_id())
    if stored is not None:
        record.__data__.update(stored.__data__)
        record._dirty.clear()
    return record


def _write(record: Model, columns: list[str], read: int) -> None:
    """UPDATE these columns of the row only if it still has the version read."""
    if bulk.update_columns(record, columns, version=read) != 1:
        record.version = read  # the object is as stale as it was; its transaction must not stand
        raise StaleRecord(record)


def next_server_seq() -> int:
    """Take the next change number (see `_allocate` for why they follow commit order); in a
    batch, a provisional one, only for a row inserted with the batch's rows (`insert_rows`,
    which renumbers it). A row written any other way takes its number with `stamp` or
    `restamp`, or it would keep the provisional number."""
    batch = _batch.get()
    return batch.take_seq() if batch is not None else _allocate(1)


def stamp(record: Model) -> None:
    """Give `record` its change number for the write about to be made (in a batch, a
    provisional one, renumbered in the database and on the object when the batch ends)."""
    batch = _batch.get()
    if batch is not None:
        batch.stamp(record)
    else:
        record.server_seq = _allocate(1)


def restamp(model: type[Model], record_id: Any) -> None:
    """Give a row a new change number and nothing else, so that pulls send it again as it is
    (a fault whose calendar changed, a fault's steps for its new assignee). In a batch the
    number is provisional and renumbered with the batch's rows, like `stamp`."""
    row = model(id=record_id)
    stamp(row)
    model.update(server_seq=row.server_seq).where(model.id == record_id).execute()


def insert_rows(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Insert now, or with the batch when one is open."""
    batch = _batch.get()
    if batch is not None:
        batch.add(model, rows)
    elif rows:
        bulk.insert_many(model, rows)


def plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value.get_id())
    return value


def audit(actor: User | None, action: str, record: Any, details: dict[str, Any]) -> None:
    row = {
        "at": utcnow(),
        "actor": actor.id if actor is not None else None,
        "action": action,
        "entity": type(record)._meta.table_name,
        "entity_id": str(record.id),
        "summary": json.dumps({k: plain(v) for k, v in details.items()}, ensure_ascii=False),
    }
    insert_rows(AuditEntry, [row])


def create_record(model_class: type[M], /, *, actor: User | None, **values: Any) -> M:
    record = model_class(**values)
    record.version = 1
    stamp(record)
    record.created_at = record.updated_at = utcnow()
    record.save(force_insert=True)
    batch = _batch.get()
    if batch is not None:  # nobody else sees it before commit
        batch.locked.add(_key(model_class, record.get_id()))
    audit(actor, "create", record, values)
    return record


def update_record(record: M, *, actor: User | None, changes: dict[str, Any]) -> M:
    """Apply an edit made on the current version (office pages, the API): no merge needed."""
    merge_changes(record, actor=actor, changes=changes, author=author_of(actor))
    return record


def author_of(actor: User | None) -> str:
    """Who a change comes from, for merging: a device's client_id, or a person in the office."""
    return f"user:{actor.id}" if actor is not None else "system"


def merge_changes(
    record: M,
    *,
    actor: User | None,
    changes: dict[str, Any],
    author: str,
    base_version: int | None = None,
    must_review: frozenset[str] = frozenset(),
    together: tuple[frozenset[str], ...] = (),
    mutation_id: UUID | None = None,
) -> list[tuple[str, Any, Any]]:
    """Apply the fields that really change; return the ones held back as conflicts.

    With a `base_version` (an edit made offline on that version), a field that someone else
    changed after it is concurrent: a `must_review` field keeps the server's value and is
    returned as (field, server value, proposed value); any other field takes this write, its
    old value kept in the history. An edit that changes nothing takes no version. The row is
    locked and read again first: the merge is decided on the row as it is.
    """
    lock(record)
    meta = getattr(record, "field_meta", None)
    proposed: dict[str, tuple[Any, Any, Any]] = {}
    held_names: set[str] = set()
    for name, value in changes.items():
        old = getattr(record, f"{name}_id" if _is_fk(record, name) else name)
        new = value.get_id() if isinstance(value, Model) else value
        if old == new:
            continue
        proposed[name] = (old, new, value)
        last = (meta or {}).get(name)
        concurrent = (
            base_version is not None
            and last is not None
            and last["v"] > base_version
            and last["by"] != author
        )
        if concurrent and name in must_review:
            held_names.add(name)
    for group in together:  # fields that only make sense together are held together
        if held_names & group:
            held_names |= group & proposed.keys()
    held = [(n, proposed[n][0], proposed[n][1]) for n in proposed if n in held_names]
    applied = {n: (o, nv) for n, (o, nv, _v) in proposed.items() if n not in held_names}
    for name in applied:
        setattr(record, name, proposed[name][2])
    if not applied:
        return held
    read = record.version
    record.version = read + 1
    stamp(record)
    record.updated_at = utcnow()
    columns = [*applied, "version", "server_seq", "updated_at"]
    if meta is not None:
        record.field_meta = {**meta, **{n: {"v": record.version, "by": author} for n in applied}}
        columns.append("field_meta")
    model = type(record)
    # only the columns that changed, and only on the version read
    _write(record, columns, read)
    entity = model._meta.table_name
    insert_rows(
        RecordHistory,
        [
            {
                "entity": entity,
                "entity_id": str(record.id),
                "version": record.version,
                "field": name,
                "old_value": plain(old),
                "new_value": plain(new),
                "mutation_id": mutation_id,
                "author": author,
                "actor": actor.id if actor is not None else None,
                "at": record.updated_at,
            }
            for name, (old, new) in applied.items()
        ],
    )
    audit(actor, "update", record, {k: v[1] for k, v in applied.items()})
    return held


def delete_record(record: M, *, actor: User | None) -> M:
    """Leave a tombstone: synced rows are never physically deleted."""
    lock(record)
    if record.deleted_at is None:
        read = record.version
        record.deleted_at = record.updated_at = utcnow()
        record.version = read + 1
        stamp(record)
        _write(record, ["deleted_at", "updated_at", "version", "server_seq"], read)
        audit(actor, "delete", record, {})
    return record


def _is_fk(record: SyncedModel, name: str) -> bool:
    return isinstance(record._meta.fields.get(name), ForeignKeyField)


def restore_record(record: M, *, actor: User | None) -> M:
    """Bring a tombstone back to life as a new version."""
    lock(record)
    if record.deleted_at is not None:
        read = record.version
        record.deleted_at = None
        record.updated_at = utcnow()
        record.version = read + 1
        stamp(record)
        _write(record, ["deleted_at", "updated_at", "version", "server_seq"], read)
        audit(actor, "restore", record, {})
    return record


def note_departure(record: SyncedModel, *, from_site: Any) -> None:
    """Record that `record` left `from_site` for the site it has now (call after the change
    that moved it). The devices holding the old site receive a removal with its own change
    number (docs/sync-protocol.md, "Records that move"); the new site's devices receive the
    record by its own change number as usual."""
    insert_rows(
        Departure,
        [
            {
                "entity": type(record).sync_entity(),
                "entity_id": str(record.id),
                "site": from_site,
                "to_site": record.site_id,
                "version": record.version,
                "server_seq": next_server_seq(),
                "at": utcnow(),
            }
        ],
    )


def move_record(record: M, *, actor: User | None, site: Any) -> M:
    """Give a record that follows another (a file, a tag) that one's site: a new version for
    the new site's devices, a departure for the old one's."""
    before = record.site_id
    update_record(record, actor=actor, changes={"site": site})
    if record.site_id != before:
        note_departure(record, from_site=before)
    return record
