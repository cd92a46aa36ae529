"""Connections between requests (webapp/db.py): on PostgreSQL each app process keeps them in a
pool. A kept connection whose server went away (a restart, a killed backend) is replaced before
a request gets it, and none goes back into the pool carrying a transaction, a setting or a lock
of the request that used it. On both stores, a transaction an error left open is undone, never
handed to the next request."""

from __future__ import annotations

import os

import pytest

from tests import factories
from tests.conftest import PG_URL, sign_in_as
from tests.sync_client import Device
from webapp.db import ConnectionPool, open_database
from webapp.extensions import db
from webapp.models import Client

on_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only: SQLite is not pooled"
)


class Boom(Exception):
    pass


@pytest.fixture
def probed(app):
    """The app with routes that tell which backend served them and what state it was in, and
    routes that fail leaving state behind."""

    @app.get("/_test/backend")
    def backend():
        pid, timeout, status = db.execute_sql(
            "SELECT pg_backend_pid(), current_setting('statement_timeout'),"
            " (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            "  AND pid = pg_backend_pid())"
        ).fetchone()
        return {"pid": pid, "statement_timeout": timeout, "advisory_locks": status}

    @app.get("/_test/dirty")
    def dirty():
        db.execute_sql("SET statement_timeout = 1234")
        db.execute_sql("SELECT pg_advisory_lock(4242)")
        db.execute_sql("BEGIN")
        Client.create(name="左下的客户")
        raise Boom

    @app.get("/_test/left-open")
    def left_open():
        db.atomic().__enter__()  # a block an error escaped without closing it
        Client.create(name="没关的客户")
        raise Boom

    @app.get("/api/_test/lost")
    def lost():
        db.execute_sql("SELECT pg_terminate_backend(pg_backend_pid())")  # dies under the request
        return {}

    return app


def kill_other_backends() -> int:
    """What a database restart does to the app's connections: every backend of this database
    but the one asking is terminated."""
    database = open_database(PG_URL)  # this test process's own database (pytest -n)
    with database.connection_context():
        killed = database.execute_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    database.close()
    return killed


@on_postgresql
def test_requests_share_a_kept_connection(probed):
    assert isinstance(db.obj, ConnectionPool)
    client = probed.test_client()
    first = client.get("/_test/backend").get_json()["pid"]
    assert client.get("/_test/backend").get_json()["pid"] == first


@on_postgresql
def test_a_request_after_the_backends_were_killed_succeeds(probed, world):
    client = probed.test_client()
    engineer = world["users"]["engineer"]
    device = Device(client=client, csrf=sign_in_as(client, engineer))
    assert device.pull_all()  # signed in, the connection back in the pool
    before = client.get("/_test/backend").get_json()["pid"]

    assert kill_other_backends() >= 1

    after = client.get("/_test/backend")
    assert after.status_code == 200
    assert after.get_json()["pid"] != before
    # and through a real endpoint, every connection the pool held being dead
    assert kill_other_backends() >= 1
    response = client.get("/api/sync/pull?limit=10", headers={"X-CSRF-Token": device.csrf})
    assert response.status_code == 200, response.get_data(True)


@on_postgresql
def test_a_connection_goes_back_without_the_requests_state(probed):
    client = probed.test_client()
    before = client.get("/_test/backend").get_json()["pid"]
    assert client.get("/_test/dirty").status_code == 500
    after = client.get("/_test/backend").get_json()
    assert after["pid"] == before  # kept and reused, so this shows what it carries
    assert after["statement_timeout"] == "0"
    assert after["advisory_locks"] == 0
    assert not Client.select().exists()  # the open transaction was rolled back
    other = open_database(PG_URL)  # advisory locks are per database: the app's own
    with other.connection_context():
        assert other.execute_sql("SELECT pg_try_advisory_lock(4242)").fetchone()[0]


def test_a_transaction_left_open_by_an_error_is_undone(probed):
    client = probed.test_client()
    assert client.get("/_test/left-open").status_code == 500
    assert db.is_closed() or not db.in_transaction()
    factories.create_site(name="之后的工地")  # the next work on this thread commits alone
    assert not Client.select().where(Client.name == "没关的客户").exists()
    assert client.get("/api/openapi.json").status_code == 200


@on_postgresql
def test_a_connection_lost_during_a_request_answers_503_and_is_not_kept(probed, world):
    """Signed in: the 503 must not need the database to say who is asking (its language)."""
    client = probed.test_client()
    sign_in_as(client, world["users"]["engineer"])
    response = client.get("/api/_test/lost", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["error"]["code"] == "unavailable"
    assert client.get("/_test/backend").status_code == 200
