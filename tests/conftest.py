"""Fixtures: an app on a fresh database per test (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), a client, a CLI runner, and signing in as a role."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from peewee import sort_models

from webapp import create_app
from webapp.auth.login import SESSION_KEY
from webapp.auth.sessions import start_session
from webapp.db import open_database, upgrade
from webapp.extensions import db
from webapp.models import ALL_MODELS

from . import factories
from .object_store import ENVIRONMENT, REGION, ObjectStore, make_bucket, start_object_store


def _worker_database(url: str | None) -> str | None:
    """With several test processes (pytest -n), each gets a PostgreSQL database of its own
    (`<name>_gw0`, ...), made on first use, so their fresh-database fixtures cannot collide."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    import psycopg2
    from psycopg2 import sql

    base, _, name = url.rpartition("/")
    name = name.split("?")[0] or "postgres"
    mine = f"{name}_{worker}"
    connection = psycopg2.connect(url, connect_timeout=10)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (mine,))
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(mine)))
    finally:
        connection.close()
    return f"{base}/{mine}"


PG_URL = _worker_database(os.environ.get("TEST_DATABASE_URL"))


def _config(url: str, tmp: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 1000,
    }


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """Migrate once per run: a SQLite file to copy, or the PostgreSQL schema to truncate."""
    if PG_URL:
        database = open_database(PG_URL)
        try:
            database.connect()
        except Exception as exc:  # a missing server must fail the run, never skip it
            pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL cannot be reached: {exc}")
        database.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
        database.close()
        app = create_app(_config(PG_URL, tmp_path_factory.mktemp("inst")))
        with app.app_context():
            upgrade()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app(_config(f"sqlite:///{path}", path.parent))
    with app.app_context():
        upgrade()
        db.connect(reuse_if_open=True)
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
    return str(path)


def _fresh_url(template: str, tmp_path: Path) -> str:
    if PG_URL:
        database = open_database(PG_URL)
        # DELETE beats TRUNCATE on tables this small (TRUNCATE rewrites files and syncs).
        with database.connection_context(), database.atomic():
            database.execute_sql("SET LOCAL synchronous_commit = off")
            for model in reversed(sort_models(ALL_MODELS)):
                database.execute_sql(f'DELETE FROM "{model._meta.table_name}"')
        return PG_URL
    target = tmp_path / "test.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def fresh_app(database_template: str, directory: Path) -> Flask:
    """A new app on an emptied copy of the migrated database (also used inside property tests,
    whose examples cannot use function-scoped fixtures)."""
    directory.mkdir(parents=True, exist_ok=True)
    app = create_app(_config(_fresh_url(database_template, directory), directory))
    app.instance_path = str(directory / "instance")
    return app


@pytest.fixture
def app(database_template, tmp_path) -> Iterator[Flask]:
    app = fresh_app(database_template, tmp_path)
    # No app context is kept pushed: each request gets its own, as in production (a shared one
    # would share `g`, and with it the cached user and language, across requests).
    db.connect(reuse_if_open=True)
    yield app
    if not db.is_closed():
        db.close()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


TEST_CLIENT_AGENT = "Werkzeug test client"


def sign_in_as(client: FlaskClient, user) -> str:
    """Sign the user in on this client as the sign-in does, without the slow password check: a
    real session row and its token in the cookie. Returns the CSRF token, the same for a user
    every time (tests sign in again and keep using it); a password sign-in makes a random one."""
    _, session_token = start_session(user=user, address="127.0.0.1", user_agent=TEST_CLIENT_AGENT)
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session[SESSION_KEY] = session_token
        session["_csrf"] = token = f"csrf-{user.id}"
        session.permanent = True
    return token


class Api:
    """A JSON client that sends the CSRF header."""

    def __init__(self, client: FlaskClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def _headers(self, extra=None):
        headers = {"X-CSRF-Token": self.token} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, url, **kw):
        return self.client.get(url, headers=self._headers(kw.pop("headers", None)), **kw)

    def send(self, method, url, json=None, **kw):
        return self.client.open(
            url, method=method, json=json, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def post(self, url, json=None, **kw):
        return self.send("POST", url, json, **kw)

    def patch(self, url, json=None, **kw):
        return self.send("PATCH", url, json, **kw)

    def delete(self, url, **kw):
        return self.send("DELETE", url, None, **kw)


@pytest.fixture
def api_as(client):
    """`api_as(user)` -> an Api signed in as that user; `api_as(None)` -> anonymous."""

    def make(user=None) -> Api:
        if user is None:
            return Api(client)
        return Api(client, sign_in_as(client, user))

    return make


@pytest.fixture
def world(app):
    """Two clients; site A (client A) has engineer and client users in scope; site B is outside."""
    return factories.make_world()


@pytest.fixture(scope="session")
def object_store(tmp_path_factory) -> Iterator[ObjectStore]:
    """A local S3-compatible server (moto) for this test process; missing, the run fails."""
    try:
        store = start_object_store(tmp_path_factory.mktemp("object-store") / "moto.log")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield store
    store.stop()


@pytest.fixture(params=["local", "s3"])
def any_storage(request, app, monkeypatch) -> str:
    """Attachments in a folder, then the same test with them in a bucket of its own."""
    if request.param == "s3":
        store = request.getfixturevalue("object_store")
        for name, value in ENVIRONMENT.items():
            monkeypatch.setenv(name, value)
        bucket = f"rounds-{uuid.uuid4().hex[:16]}"
        make_bucket(store.url, bucket)
        request.addfinalizer(store.reset)
        app.config.update(
            STORAGE="s3", S3_BUCKET=bucket, S3_ENDPOINT_URL=store.url, S3_REGION=REGION
        )
    return request.param
