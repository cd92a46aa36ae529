"""Two notification workers (`flask worker --once`, two processes) against one PostgreSQL
database: 1,000 due notifications reach a local push service — which decrypts each one — exactly
once each; a subscription the push service says is gone (410) is removed; and the escalation
sweep, run by both at once, escalates each fault once and queues each notice once.

The workers claim with SELECT … FOR UPDATE SKIP LOCKED and a lease (webapp/notify/worker.py):
without SKIP LOCKED they would wait on each other; without the lease committed before sending,
the second would take rows the first is still sending and deliver them twice."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from peewee import sort_models

from tests import factories
from tests.push_receiver import PushReceiver
from webapp import create_app
from webapp.auth.sessions import start_session
from webapp.db import open_database
from webapp.extensions import db
from webapp.faults import operations as faults
from webapp.models import (
    ALL_MODELS,
    Fault,
    FaultEvent,
    Notification,
    PushSubscription,
    User,
)
from webapp.notify import keys
from webapp.records import create_record

ROOT = Path(__file__).resolve().parents[2]
USERS = 20
NOTIFICATIONS = 1000
FAULTS = 30


@pytest.fixture
def pg(served_database, tmp_path):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "concurrency-test-secret", "DATABASE_URL": served_database}
    )
    app.instance_path = str(tmp_path / "instance")
    database = open_database(served_database)
    with database.connection_context(), database.atomic():
        for model in reversed(sort_models(ALL_MODELS)):
            database.execute_sql(f'DELETE FROM "{model._meta.table_name}"')
    db.connect(reuse_if_open=True)
    with app.app_context():
        keys.vapid()  # made once, before the workers start, in the folder they are given
    yield app
    if not db.is_closed():
        db.close()


@pytest.fixture
def receiver():
    served = PushReceiver()
    yield served
    served.close()


def start_workers(app, count: int = 2) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "ROUNDS_SECRET_KEY": "concurrency-test-secret",
        "ROUNDS_INSTANCE_PATH": app.instance_path,
    }
    command = [sys.executable, "-m", "flask", "--app", "webapp", "worker", "--once"]
    return [
        subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(count)
    ]


def finish(workers: list[subprocess.Popen]) -> list[dict[str, int]]:
    """Each worker's summary line ("escalated: 0, sent: 512") as a dict."""
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        line = out.strip().splitlines()[-1]
        results.append({k: int(v) for k, v in (part.split(": ") for part in line.split(", "))})
    return results


def test_two_workers_send_each_notification_exactly_once(pg, receiver):
    people = [factories.create_user("engineer", f"eng{i}") for i in range(USERS)]
    for i, person in enumerate(people):
        session, _ = start_session(user=person, address="127.0.0.1", user_agent="test")
        answer = 410 if i == 0 else 201  # the first one's phone dropped its subscription
        sub = receiver.subscription(f"u{i}", answer=answer)
        PushSubscription.create(
            user=person, session=session, endpoint=sub["endpoint"], **sub["keys"]
        )
    rows = [
        {
            "user": people[n % USERS].id,
            "key": f"test:{n}",
            "kind": "fault_assigned",
            "title": f"故障 F-2026-{n:05d} 已指派给您",
            "body": "大屏黑屏",
            "url": "/app/",
            "delivered": [],
        }
        for n in range(NOTIFICATIONS)
    ]
    with db.atomic():
        for start in range(0, NOTIFICATIONS, 200):
            Notification.insert_many(rows[start : start + 200]).execute()

    results = finish(start_workers(pg))

    expected = NOTIFICATIONS - NOTIFICATIONS // USERS  # all but the gone subscription's
    received = receiver.ids()
    assert len(received) == expected
    assert set(received.values()) == {1}, "a notification arrived more than once"
    states = Counter(n.state for n in Notification.select())
    assert states == {"sent": expected, "gone": NOTIFICATIONS // USERS}
    assert sum(r.get("sent", 0) for r in results) == expected
    assert all(r.get("sent", 0) > 0 for r in results), results  # both took a share
    # what arrived is what was queued, decrypted with the subscriber's own key
    titles = {p["id"]: p["title"] for _n, p, _h in receiver.received}
    for row in Notification.select().where(Notification.state == "sent").limit(20):
        assert titles[str(row.id)] == row.title
    assert receiver.refused == ["u0"]  # tried once, then the subscription was gone
    assert not PushSubscription.select().where(PushSubscription.user == people[0].id).exists()
    assert PushSubscription.select().count() == USERS - 1


def test_two_workers_escalate_each_fault_once(pg):
    world = factories.make_world()
    dispatcher, engineer = world["users"]["dispatcher"], world["users"]["engineer"]
    second = factories.create_user("dispatcher", "disp2")
    started = datetime.now(UTC) - timedelta(minutes=9)  # 9 of 10 minutes to respond
    for n in range(FAULTS):
        values = {
            "number": f"F-2026-{n:05d}",
            "site": world["sites"][0].id,
            "description": "大屏黑屏",
            "reported_at": started.replace(microsecond=0).isoformat(),
            "reported_by": dispatcher.id,
        }
        fault = create_record(Fault, actor=None, **values, **faults.derived(Fault(**values)))
        create_record(
            FaultEvent,
            actor=None,
            fault=fault.id,
            site=fault.site_id,
            kind="assigned",
            at=values["reported_at"],
            by=dispatcher.id,
            details={"assignee_id": str(engineer.id)},
        )
        faults.refresh(fault, actor=None)

    results = finish(start_workers(pg))

    # each fault went through the locked pass once or twice (both workers saw work to do)
    assert FAULTS <= sum(r["escalated"] for r in results) <= 2 * FAULTS
    steps = list(FaultEvent.select().where(FaultEvent.kind == "escalated"))
    assert len(steps) == FAULTS  # and only one escalated it
    assert {s.id for s in steps} == {faults.escalation_id(f.id) for f in Fault.select()}
    assert {f.escalated_to for f in Fault.select()} == {"dispatch"}
    told = Counter((n.user_id, n.key) for n in Notification.select())
    assert set(told.values()) == {1}
    assert {u for u, _k in told} == {dispatcher.id, second.id, engineer.id}
    assert len(told) == 3 * FAULTS
    assert User.get_by_id(faults.SYSTEM_USER_ID).active is False
