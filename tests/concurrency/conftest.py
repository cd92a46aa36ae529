"""Fixtures for overlapping requests: one gunicorn (2 workers) per test process, on a
PostgreSQL database of its own, emptied before each test. PostgreSQL only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import sort_models

from webapp import create_app
from webapp.db import open_database, upgrade
from webapp.extensions import db
from webapp.models import ALL_MODELS

from .served import Served, start_gunicorn

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.concurrency)
            if not os.environ.get("TEST_DATABASE_URL"):
                item.add_marker(
                    pytest.mark.skip(reason="PostgreSQL only: SQLite lets one writer in at a time")
                )


def _own_database(url: str) -> str:
    """`<name>_conc_<worker>`: apart from the databases of the other tests."""
    import psycopg2
    from psycopg2 import sql

    base, _, name = url.rpartition("/")
    name = name.split("?")[0] or "postgres"
    mine = f"{name}_conc_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
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


def _config(url: str) -> dict:
    return {"TESTING": True, "SECRET_KEY": "concurrency-test-secret", "DATABASE_URL": url}


@pytest.fixture(scope="session")
def served_database() -> str:
    url = _own_database(os.environ["TEST_DATABASE_URL"])
    database = open_database(url)
    database.connect()
    database.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
    database.execute_sql("CREATE SCHEMA public")
    database.close()
    with create_app(_config(url)).app_context():
        upgrade()
    return url


@pytest.fixture(scope="session")
def gunicorn(served_database, tmp_path_factory) -> Iterator[Served]:
    served = start_gunicorn(served_database, tmp_path_factory.mktemp("served"))
    yield served
    served.stop()


@pytest.fixture
def served(gunicorn, served_database, tmp_path):
    """The running server on an emptied database; the test's own app is bound to the same
    database (for factories and for reading what the server stored)."""
    app = create_app(_config(served_database))
    app.instance_path = str(tmp_path / "instance")
    database = open_database(served_database)
    with database.connection_context(), database.atomic():
        for model in reversed(sort_models(ALL_MODELS)):
            database.execute_sql(f'DELETE FROM "{model._meta.table_name}"')
    db.connect(reuse_if_open=True)
    yield gunicorn
    if not db.is_closed():
        db.close()
    if gunicorn.process.poll() is not None:
        pytest.fail("gunicorn died during the test:\n" + gunicorn.log(), pytrace=False)
