"""On PostgreSQL a change number taken early but committed late must not be skipped by a pull.

The scenario: transaction A takes its change number and stays open; transaction B takes a later
one and commits; a device pulls; then A commits. The next pull must still return A's change.
The same scenario run with a naive allocator (a plain sequence) loses A's change, which shows the
test can fail.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from tests.conftest import sign_in_as
from tests.factories import create_equipment
from tests.sync_client import Device
from webapp import records
from webapp.extensions import db
from webapp.models import Equipment

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="PostgreSQL only: SQLite lets one writer in at a time",
)


_ALLOCATE = records._allocate


def naive_allocate(count: int, name: str = records.SERVER_SEQ) -> int:
    """What a careless implementation would do for change numbers: a sequence, not tied to
    commit order (named series such as report numbers keep the real allocator)."""
    if name != records.SERVER_SEQ:
        return _ALLOCATE(count, name)
    cursor = db.execute_sql("SELECT setval('naive_seq', nextval('naive_seq') + %s - 1)", (count,))
    return cursor.fetchone()[0]


def _edit_in_thread(
    item_id, notes, hold: threading.Event | None, took: threading.Event, errors, pid=None
):
    try:
        db.connect(reuse_if_open=True)
        if pid is not None:
            pid.append(db.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
        with db.atomic():
            item = Equipment.get_by_id(item_id)
            records.update_record(item, actor=None, changes={"notes": notes})
            took.set()
            if hold is not None:
                hold.wait(10)
    except Exception as exc:  # surfaced by the test
        errors.append(exc)
        took.set()
    finally:
        db.close()


def _until_committed_or_waiting(thread: threading.Thread, pid: list[int]) -> None:
    """Return once B has committed (nothing held it back) or its backend waits on a lock (the
    allocator holds it until A commits): no sleep that a slow machine could outrun."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        thread.join(0.02)
        if not thread.is_alive():
            return
        if pid:
            row = db.execute_sql(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid[0],)
            ).fetchone()
            if row and row[0] == "Lock":
                return
    raise AssertionError("B neither committed nor waited on a lock within 30 s")


def run_scenario(app, world) -> tuple[set[str], set[str]]:
    site = world["sites"][0]
    first, second = create_equipment(site, name="甲"), create_equipment(site, name="乙")
    office = app.test_client()
    device = Device(client=office, csrf=sign_in_as(office, world["users"]["admin"]))
    device.pull_all()

    errors: list[Exception] = []
    hold, a_took, b_took = threading.Event(), threading.Event(), threading.Event()
    a = threading.Thread(
        target=_edit_in_thread, args=(first.id, "A 先取号后提交", hold, a_took, errors)
    )
    a.start()
    assert a_took.wait(10)
    b_pid: list[int] = []
    b = threading.Thread(
        target=_edit_in_thread, args=(second.id, "B 后取号先提交", None, b_took, errors, b_pid)
    )
    b.start()
    _until_committed_or_waiting(b, b_pid)
    device.pull_all()
    hold.set()
    a.join(10)
    b.join(10)
    assert not errors, errors
    device.pull_all()
    seen = {
        r["data"]["notes"] for (entity, _id), r in device.records.items() if entity == "equipment"
    }
    return {"A 先取号后提交", "B 后取号先提交"}, seen


def test_a_late_commit_is_not_skipped(app, world):
    expected, seen = run_scenario(app, world)
    assert expected <= seen


def test_the_scenario_catches_a_naive_sequence(app, world, monkeypatch):
    db.execute_sql("DROP SEQUENCE IF EXISTS naive_seq")
    db.execute_sql("CREATE SEQUENCE naive_seq START 1000000")
    monkeypatch.setattr(records, "_allocate", naive_allocate)
    try:
        expected, seen = run_scenario(app, world)
    finally:
        db.execute_sql("DROP SEQUENCE IF EXISTS naive_seq")
    assert "A 先取号后提交" not in seen, "naive paging should have skipped the late commit"
