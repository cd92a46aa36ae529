"""The fast write paths (webapp/bulk.py) store exactly what the ORM would, on SQLite and on
PostgreSQL (where rows go as multi-row INSERTs, a page at a time)."""

from __future__ import annotations

import uuid
from datetime import datetime

from webapp import bulk
from webapp.extensions import db
from webapp.models import RecordHistory


def history_rows(count: int) -> list[dict]:
    return [
        {
            "entity": "equipment",
            "entity_id": str(uuid.UUID(int=i)),
            "version": i + 1,
            "field": "notes",
            "old_value": None if i % 3 == 0 else {"text": f"旧 {i}", "n": [i, None]},
            "new_value": f"风扇异响 {i} 'quoted' \\ back",
            "mutation_id": uuid.UUID(int=10_000 + i) if i % 2 else None,
            "author": "张工",
            "actor": None,
            "at": datetime(2026, 12, 3, 8, 0, i % 60),
        }
        for i in range(count)
    ]


def test_many_rows_over_several_pages_are_stored_as_given(app):
    rows = history_rows(bulk.PAGE * 2 + 201)
    with app.app_context(), db.connection_context():
        with db.atomic():
            bulk.insert_many(RecordHistory, rows)
        stored = list(RecordHistory.select().order_by(RecordHistory.version))

    assert len(stored) == len(rows)
    for row, got in zip(rows, stored, strict=True):
        assert {name: getattr(got, name) for name in row if name != "actor"} == {
            name: value for name, value in row.items() if name != "actor"
        }
        assert got.actor_id is None


def test_nothing_to_insert_is_no_statement(app):
    with app.app_context(), db.connection_context():
        bulk.insert_many(RecordHistory, [])
        assert RecordHistory.select().count() == 0
