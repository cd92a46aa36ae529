"""The database: bind the proxy from DATABASE_URL, a connection per request (kept in a pool
between requests on PostgreSQL), `db` CLI."""

from __future__ import annotations

import heapq
import os
from pathlib import Path

import click
from flask import Flask
from peewee import Database, SqliteDatabase
from playhouse import migrations as pw_migrations
from playhouse.db_url import connect as connect_url
from playhouse.db_url import parse as parse_url
from playhouse.pool import PooledPostgresqlDatabase

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


# A pooled connection older than this is closed when it comes back, and a new one opened when
# next needed: long-lived server processes and a database moved behind the same name start over.
POOL_RECYCLE_SECONDS = 3600


class ConnectionPool(PooledPostgresqlDatabase):
    """PostgreSQL connections kept open between requests: up to `keep` idle ones per process.

    A connection comes out only after a round trip shows its server still answers (a restarted
    database, a killed backend, a dropped socket: it is thrown away and the next one tried, or
    a new one opened). It goes back only clean: an open transaction rolled back, then `DISCARD
    ALL` (settings, prepared statements, temporary tables, advisory locks, listeners all reset);
    if either fails it is closed. There is no cap on connections in use (each thread of a
    worker holds one while it serves a request, as without the pool): beyond `keep` idle ones,
    a returning connection is closed, the oldest first.
    """

    def __init__(self, database, keep: int, **kwargs):
        self.keep = keep
        super().__init__(
            database, max_connections=None, stale_timeout=POOL_RECYCLE_SECONDS, **kwargs
        )

    def _can_reuse(self, conn) -> bool:
        if not super()._can_reuse(conn):  # rolls back a transaction left open; False if lost
            return False
        try:
            conn.cursor().execute("DISCARD ALL")
        except Exception:
            return False
        return True

    def _close(self, conn, close_conn: bool = False) -> None:
        with self._pool_lock:
            super()._close(conn, close_conn)
            while len(self._connections) > self.keep:
                _timestamp, _counter, oldest = heapq.heappop(self._connections)
                self._close_raw(oldest)


def open_pool(url: str, keep: int) -> Database:
    """`open_database`, with up to `keep` PostgreSQL connections kept for the next requests;
    SQLite (a file: opening it costs next to nothing) and `keep` 0 get one per request."""
    if keep <= 0 or not url.startswith(("postgresql://", "postgres://")):
        return open_database(url)
    parsed = parse_url(url)
    return ConnectionPool(parsed.pop("database"), keep, **parsed)


def default_url(app: Flask) -> str:
    os.makedirs(app.instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(app.instance_path, "rounds.sqlite3")


def init_app(app: Flask) -> None:
    url = app.config.get("DATABASE_URL") or default_url(app)
    app.config["DATABASE_URL"] = url
    previous = db.obj
    db.initialize(open_pool(url, int(app.config["DATABASE_POOL_SIZE"])))
    if isinstance(previous, ConnectionPool):
        previous.close_idle()  # a new app in the same process (tests): the old pool's go

    @app.before_request
    def _connect() -> None:
        db.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        if db.is_closed():
            return
        # An atomic block an error left open (never the app's own `with` blocks): its work is
        # undone, not handed to the next request. A plain connection is closed with it; the
        # pool rolls it back before keeping the connection.
        while db.in_transaction():
            db.pop_transaction()
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
