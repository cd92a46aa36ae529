"""The database: bind the proxy from DATABASE_URL, one connection per request, `db` CLI."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask
from peewee import Database, SqliteDatabase
from playhouse import migrations as pw_migrations
from playhouse.db_url import connect as connect_url

from .extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 10_000,
}


def open_database(url: str, *, search_path: str | None = None) -> Database:
    """Return an unconnected peewee database for a URL (sqlite:///path, postgresql://...).

    `search_path` selects a PostgreSQL schema (used by tests to build two schemas side by side).
    """
    if url.startswith("sqlite:///"):
        return SqliteDatabase(url.removeprefix("sqlite:///"), pragmas=SQLITE_PRAGMAS)
    extra = {"options": f"-c search_path={search_path}"} if search_path else {}
    return connect_url(url, **extra)


def default_url(app: Flask) -> str:
    os.makedirs(app.instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(app.instance_path, "rounds.sqlite3")


def init_app(app: Flask) -> None:
    url = app.config.get("DATABASE_URL") or default_url(app)
    app.config["DATABASE_URL"] = url
    db.initialize(open_database(url))

    @app.before_request
    def _connect() -> None:
        db.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        if not db.is_closed():
            db.close()

    app.cli.add_command(db_cli)


def migrations_runner() -> pw_migrations.Runner:
    return pw_migrations.Runner(db.obj, directory=str(MIGRATIONS_DIR))


def upgrade() -> list[str]:
    """Apply every pending migration in order; return the names applied."""
    with db.connection_context():
        return migrations_runner().up()


@click.group("db", help="Database schema commands.")
def db_cli() -> None:
    pass


@db_cli.command("upgrade", help="Apply all pending migrations.")
def upgrade_command() -> None:
    applied = upgrade()
    click.echo("Applied: " + ", ".join(applied) if applied else "The schema is up to date.")


@db_cli.command("status", help="List migrations and whether they are applied.")
def status_command() -> None:
    with db.connection_context():
        for m in migrations_runner().status():
            click.echo(f"{'applied' if m.applied else 'pending'}  {m.name}")


def write_transaction():
    """A transaction for a request that writes.

    SQLite takes the write lock up front (BEGIN IMMEDIATE) so two writers never deadlock on a
    lock upgrade; PostgreSQL serialises where it must through row locks (see `next_server_seq`).
    """
    if isinstance(db.obj, SqliteDatabase):
        return db.atomic("IMMEDIATE")
    return db.atomic()


def savepoint():
    """A nested transaction: its writes roll back alone when the block raises."""
    return db.atomic()
