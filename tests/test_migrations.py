"""The schema after all migrations equals what the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from playhouse import migrations as pw_migrations

from tests.conftest import PG_URL  # this test process's own database
from webapp.db import MIGRATIONS_DIR, open_database
from webapp.extensions import db
from webapp.models import ALL_MODELS


def _normalise_type(data_type: str) -> str:
    t = data_type.lower()
    aliases = {
        "character varying": "varchar",
        "timestamp without time zone": "timestamp",
        "int": "integer",
        "bool": "boolean",
    }
    return aliases.get(t, t)


def describe(database, schema: str | None = None) -> dict:
    """Tables -> columns (type, null, pk), indexes (columns, unique) and foreign keys."""
    out = {}
    for table in sorted(database.get_tables(schema=schema)):
        if table == "schema_migration":
            continue
        columns = {
            c.name: (_normalise_type(c.data_type), c.null, c.primary_key)
            for c in database.get_columns(table, schema=schema)
        }
        indexes = sorted(
            (tuple(i.columns), bool(i.unique))
            for i in database.get_indexes(table, schema=schema)
            if not (i.name.endswith("_pkey") or i.name.startswith("sqlite_autoindex_"))
        )
        fks = sorted(
            (f.column, f.dest_table, f.dest_column)
            for f in database.get_foreign_keys(table, schema=schema)
        )
        out[table] = {"columns": columns, "indexes": indexes, "foreign_keys": fks}
    return out


@pytest.fixture
def two_databases(tmp_path):
    """One database built by the migrations, one by the models, side by side."""
    if PG_URL:
        admin = open_database(PG_URL)
        with admin.connection_context():
            for name in ("mig_migrated", "mig_declared"):
                admin.execute_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
                admin.execute_sql(f"CREATE SCHEMA {name}")
        migrated = open_database(PG_URL, search_path="mig_migrated")
        declared = open_database(PG_URL, search_path="mig_declared")
        yield migrated, declared, ("mig_migrated", "mig_declared")
        with admin.connection_context():
            for name in ("mig_migrated", "mig_declared"):
                admin.execute_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    else:
        yield (
            open_database(f"sqlite:///{tmp_path / 'migrated.sqlite3'}"),
            open_database(f"sqlite:///{tmp_path / 'declared.sqlite3'}"),
            (None, None),
        )


def test_migrations_produce_the_declared_schema(two_databases):
    migrated, declared, (schema_m, schema_d) = two_databases
    previous = db.obj
    try:
        db.initialize(migrated)
        with migrated.connection_context():
            applied = pw_migrations.Runner(migrated, directory=str(MIGRATIONS_DIR)).up()
            assert applied, "no migrations were found"
            after_migrations = describe(migrated, schema_m)
        db.initialize(declared)
        with declared.connection_context():
            declared.create_tables(ALL_MODELS)
            from_models = describe(declared, schema_d)
    finally:
        db.initialize(previous)
    assert after_migrations == from_models


def test_upgrade_is_idempotent(runner):
    first = runner.invoke(args=["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "up to date" in first.output  # the app fixture already migrated this database
    status = runner.invoke(args=["db", "status"])
    assert "applied  0001_initial" in status.output
