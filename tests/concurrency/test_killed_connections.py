"""gunicorn's workers keep their PostgreSQL connections between requests (webapp/db.py). When
the database restarts or an operator kills its backends, the kept connections are dead: the
next requests must still be answered, each worker opening new ones, with nothing a phone sent
lost or applied twice."""

from __future__ import annotations

from tests import factories
from tests.sync_client import Device
from webapp.db import open_database
from webapp.extensions import db
from webapp.models import Equipment, SyncMutation

from .served import HttpClient

REQUESTS_AFTER = 8  # enough that both workers answer some


def backends(url: str, *, kill: bool = False) -> int:
    """The app's backends on the served database (all but the one asking); killed if asked.
    This test's own connection goes back to its pool first, to be checked there like the
    server's (held open across the kill, its next query would fail)."""
    if not db.is_closed():
        db.close()
    database = open_database(url)
    with database.connection_context():
        what = "count(pg_terminate_backend(pid))" if kill else "count(*)"
        count = database.execute_sql(
            f"SELECT {what} FROM pg_stat_activity"  # noqa: S608 - one of two fixed texts
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    database.close()
    return count


def test_requests_after_the_backends_were_killed_succeed(served):
    world = factories.make_world()
    equipment = world["equipment"][0]
    engineer = world["users"]["engineer"]
    http = HttpClient(served.base_url)
    assert http.sign_in(engineer.username, factories.PASSWORD).status_code == 200
    device = Device(client=http, csrf=http.csrf)
    device.pull_all()
    for _ in range(REQUESTS_AFTER):
        assert http.get("/api/sync/pull?limit=10").status_code == 200
    assert backends(served.database_url) >= 1  # kept between requests, not closed after each

    assert backends(served.database_url, kill=True) >= 1

    for _ in range(REQUESTS_AFTER):
        response = http.get("/api/sync/pull?limit=10")
        assert response.status_code == 200, response.get_data(True)

    assert backends(served.database_url, kill=True) >= 1
    device.edit("equipment", str(equipment.id), {"notes": "杀掉连接之后"})
    response = device.push()
    assert response.status_code == 200, response.get_data(True)
    assert [r["status"] for r in response.get_json()["results"]] == ["applied"]
    assert Equipment.get_by_id(equipment.id).notes == "杀掉连接之后"
    assert SyncMutation.select().where(SyncMutation.entity_id == str(equipment.id)).count() == 1
