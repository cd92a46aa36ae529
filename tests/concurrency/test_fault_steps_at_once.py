"""Two engineers' phones send steps of one fault at the same time: one resolved it in the
machine room, the other (offline earlier) said they had responded. The fault's row is locked
while a step is written and the fault re-derived from all its steps, so the second push reads
the first's step and writes its version on top of the first's. Without the lock the second
works from the fault as read before the first committed: its version is written again (a
device holding version 2 would never take the second state), and any column the stale read
made look unchanged is not written."""

from __future__ import annotations

import threading
import time
import uuid

from tests import factories
from tests.sync_client import Device
from webapp.faults import operations as ops
from webapp.models import Fault, FaultEvent

from .served import HttpClient, filler_mutations

OVERLAP_DELAY = 0.25
T = "2026-12-02T09:{:02d}:00+08:00".format


def _device(served, user) -> Device:
    http = HttpClient(served.base_url)
    assert http.sign_in(user.username, factories.PASSWORD).status_code == 200
    return Device(client=http, csrf=http.csrf)


def _step(device: Device, fault_id: str, kind: str, at: str, **details) -> dict:
    changes = {"fault_id": fault_id, "kind": kind, "at": at, **details}
    return device.edit("fault_event", str(uuid.uuid4()), changes, op="create")


def test_two_steps_of_one_fault_at_once_are_both_read(served):
    world = factories.make_world()
    site, equipment = world["sites"][0], world["equipment"][0]
    other = factories.create_user("engineer", "eng7")
    factories.assign(other, site)
    values = {
        "number": "F-2026-00001",
        "site": site.id,
        "description": "大屏黑屏",
        "reported_at": T(0),
        "reported_by": world["users"]["engineer"].id,
    }
    from webapp.records import create_record

    fault = create_record(Fault, actor=None, **values, **ops.derived(Fault(**values)))
    p, q = _device(served, world["users"]["engineer"]), _device(served, other)
    resolved = _step(p, str(fault.id), "resolved", T(20), diagnosis="信号线", action="更换")
    filler_mutations(p, str(equipment.id), 499)  # holds P's transaction open
    responded = _step(q, str(fault.id), "responded", T(3), channel="phone")

    errors: list[BaseException] = []

    def push_p():
        try:
            p.push()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    first = threading.Thread(target=push_p)
    first.start()
    time.sleep(OVERLAP_DELAY)
    q.push()
    first.join(120)
    assert not errors, errors

    assert p.answers[resolved["mutation_id"]]["status"] == "applied"
    assert q.answers[responded["mutation_id"]]["status"] == "applied"
    assert FaultEvent.select().count() == 2
    record = Fault.get_by_id(fault.id)
    assert (record.status, record.responded_at, record.resolved_at) == ("resolved", T(3), T(20))
    assert (record.respond_used, record.resolve_used) == (180, 1200)
    # Each step took a version of the fault, the second from the row as the first left it.
    assert record.version == 3
