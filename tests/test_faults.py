"""A fault's life through the sync API: steps made offline on several devices end in one
history, the fault carries what its events make of it, and who may take which step."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from tests import factories
from tests.conftest import sign_in_as
from tests.sync_client import Device
from webapp.faults import operations as ops
from webapp.models import Fault, FaultEvent

T = "2026-12-02T09:{:02d}:00+08:00".format


def device(app, user) -> Device:
    client = app.test_client()
    client.set_cookie("rounds_lang", "en")
    return Device(client=client, csrf=sign_in_as(client, user))


@pytest.fixture
def phone(app, world):
    return device(app, world["users"]["engineer"])


@pytest.fixture
def fault(phone, world):
    """A fault reported at 09:00 at site A (no round), through the phone."""
    fid = str(uuid.uuid4())
    phone.edit(
        "fault",
        fid,
        {"site_id": str(world["sites"][0].id), "description": "投影无信号", "reported_at": T(0)},
        op="create",
    )
    assert result(phone)["status"] == "applied"
    return fid


def step(dev: Device, fault_id: str, kind: str, at: str, **details) -> str:
    eid = str(uuid.uuid4())
    changes = {"fault_id": fault_id, "kind": kind, "at": at, **details}
    dev.edit("fault_event", eid, changes, "create")
    return eid


def result(dev: Device) -> dict:
    mutation = dev.outbox[-1]
    response = dev.push()
    assert response.status_code == 200, response.get_data(as_text=True)
    return dev.answers[mutation["mutation_id"]]


def pushed(dev: Device) -> list[dict]:
    batch = list(dev.outbox)
    response = dev.push()
    assert response.status_code == 200, response.get_data(as_text=True)
    return [dev.answers[m["mutation_id"]] for m in batch]


def history(dev: Device, fault_id: str) -> list[tuple[str, str]]:
    events = [
        r["data"]
        for (entity, _id), r in dev.records.items()
        if entity == "fault_event" and r["data"]["fault_id"] == fault_id
    ]
    from webapp.faults import life

    ordered = sorted(
        events,
        key=lambda e: life.order_key({"at": e["at"], "seq": e["server_seq"], "id": e["id"]}),
    )
    return [(e["kind"], e["at"]) for e in ordered]


def test_a_new_fault_has_its_clocks_running_from_the_report(fault):
    record = Fault.get_by_id(fault)
    assert record.status == "reported" and record.kind == "fault"
    assert record.respond_due == datetime(2026, 12, 2, 1, 10)  # 09:10 in Beijing
    assert record.resolve_due == datetime(2026, 12, 2, 3, 0)
    assert record.respond_breached is None


def test_responded_and_resolved_offline_the_fault_keeps_its_figures(phone, fault):
    step(phone, fault, "responded", T(4), channel="phone", note="客户来电")
    step(phone, fault, "on_site", T(12))
    step(phone, fault, "resolved", T(40), diagnosis="HDMI 线松动", action="重新插紧", parts="")
    assert [r["status"] for r in pushed(phone)] == ["applied"] * 3
    record = Fault.get_by_id(fault)
    assert (record.status, record.responded_at, record.resolved_at) == ("resolved", T(4), T(40))
    assert (record.respond_used, record.respond_breached) == (240, False)
    assert (record.resolve_used, record.resolve_breached) == (2400, False)
    assert record.respond_due is None and record.resolve_due is None
    phone.pull_all()
    pulled = phone.records[("fault", fault)]["data"]
    assert pulled["status"] == "resolved"
    assert pulled["policy"]["respond_minutes"] == 10 and pulled["policy"]["round_the_clock"]
    assert history(phone, fault) == [("responded", T(4)), ("on_site", T(12)), ("resolved", T(40))]


def test_two_engineers_offline_end_in_one_history_whatever_order_they_sync(app, world, fault):
    site = world["sites"][0]
    other = factories.create_user("engineer", "eng3")
    factories.assign(other, site)
    a, b = device(app, world["users"]["engineer"]), device(app, other)
    step(a, fault, "responded", T(6), channel="on_the_way")
    step(a, fault, "on_site", T(20))
    step(b, fault, "responded", T(3), channel="phone")
    step(b, fault, "waiting", T(8), waiting_for="parts")
    step(b, fault, "resumed", T(18))
    pushed(a)
    assert Fault.get_by_id(fault).responded_at == T(6)
    pushed(b)  # arrives later, happened earlier: the earlier response counts
    record = Fault.get_by_id(fault)
    assert (record.status, record.responded_at) == ("on_site", T(3))
    assert record.respond_used == 180
    a.pull_all()
    b.pull_all()
    expected = [
        ("responded", T(3)),
        ("responded", T(6)),
        ("waiting", T(8)),
        ("resumed", T(18)),
        ("on_site", T(20)),
    ]
    assert history(a, fault) == history(b, fault) == expected
    state = ops.read(record)
    assert [e["why"] for e in state["events"]] == [None, "already", None, None, None]
    assert state["pauses"] == [[T(8), T(18)]]


def test_a_step_after_closed_is_kept_and_shown(app, world, phone, fault):
    office = device(app, world["users"]["dispatcher"])
    step(phone, fault, "resolved", T(30), diagnosis="d", action="a")
    pushed(phone)
    step(office, fault, "closed", T(35))
    pushed(office)
    step(phone, fault, "waiting", T(50), waiting_for="client")
    assert result(phone)["status"] == "applied"  # kept, never dropped
    assert FaultEvent.select().where(FaultEvent.fault == fault).count() == 3
    record = Fault.get_by_id(fault)
    assert record.status == "closed"
    assert [e["why"] for e in ops.read(record)["events"]] == [None, None, "after_end"]


def test_the_dispatcher_assigns_and_the_assignee_may_act_outside_their_sites(app, world, fault):
    office = device(app, world["users"]["dispatcher"])
    stranger = device(app, world["engineer2"])  # stationed nowhere
    step(stranger, fault, "responded", T(2), channel="phone")
    assert result(stranger)["error"]["code"] == "not_found"
    step(office, fault, "assigned", T(1), assignee_id=str(world["engineer2"].id))
    assert result(office)["status"] == "applied"
    assert Fault.get_by_id(fault).assignee_id == world["engineer2"].id
    step(stranger, fault, "responded", T(2), channel="phone")
    assert result(stranger)["status"] == "applied"


def test_an_assignment_synced_in_a_push_renumbers_the_history_for_good(app, world, fault):
    """An assignment sent through sync is written inside the push's batch, where change
    numbers are provisional until the batch ends: the steps handed to the new assignee must
    end with real numbers, below every later change, and reach the assignee's phone."""
    from webapp.records import PROVISIONAL

    phone = device(app, world["users"]["engineer"])
    step(phone, fault, "responded", T(2), channel="phone")
    pushed(phone)
    office = device(app, world["users"]["dispatcher"])
    step(office, fault, "assigned", T(3), assignee_id=str(world["engineer2"].id))
    assert result(office)["status"] == "applied"
    seqs = [e.server_seq for e in FaultEvent.select().where(FaultEvent.fault == fault)]
    assert seqs and max(seqs) < PROVISIONAL
    assert Fault.get_by_id(fault).server_seq < PROVISIONAL
    assignee = device(app, world["engineer2"])
    assignee.pull_all()
    kinds = {
        r["data"]["kind"]
        for (entity, _id), r in assignee.records.items()
        if entity == "fault_event"
    }
    assert {"responded", "assigned"} <= kinds


@pytest.mark.parametrize(
    "role, kind, details, code",
    [
        ("engineer", "closed", {}, "forbidden"),
        ("engineer", "assigned", {"assignee_id": "engineer"}, "forbidden"),
        ("engineer", "escalated", {"to": "manufacturer"}, "forbidden"),
        ("engineer", "confirmed", {}, "forbidden"),
        ("client", "responded", {"channel": "phone"}, "forbidden"),
        ("client", "closed", {}, "forbidden"),
        ("client", "confirmed", {}, None),
        ("dispatcher", "closed", {}, None),
        ("dispatcher", "escalated", {"to": "specialist", "assignee_id": "engineer"}, None),
        ("admin", "assigned", {"assignee_id": "engineer"}, None),
    ],
)
def test_who_takes_which_step(app, world, fault, role, kind, details, code):
    dev = device(app, world["users"][role])
    if details.get("assignee_id"):
        details = {**details, "assignee_id": str(world["users"]["engineer"].id)}
    step(dev, fault, kind, T(5), **details)
    answer = result(dev)
    if code is None:
        assert answer["status"] == "applied"
    else:
        assert answer["error"]["code"] == code


def test_a_fault_of_another_site_is_not_found(app, world):
    other = factories.create_client("其他")
    site = factories.create_site(other, "外部")
    office = device(app, world["users"]["dispatcher"])
    fid = str(uuid.uuid4())
    office.edit(
        "fault", fid, {"site_id": str(site.id), "description": "x", "reported_at": T(0)}, "create"
    )
    assert result(office)["status"] == "applied"
    for role, kind in (("engineer", "responded"), ("client", "confirmed")):
        dev = device(app, world["users"][role])
        step(dev, fid, kind, T(5), **({"channel": "phone"} if kind == "responded" else {}))
        assert result(dev)["error"]["code"] == "not_found", role
    dev = device(app, world["users"]["engineer"])
    dev.pull_all()
    assert ("fault", fid) not in dev.records


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": "resolved", "action": "a"}, "diagnosis"),
        ({"kind": "resolved", "diagnosis": " ", "action": "a"}, "diagnosis"),
        ({"kind": "responded"}, "channel"),
        ({"kind": "responded", "channel": "fax"}, "channel"),
        ({"kind": "waiting"}, "waiting_for"),
        ({"kind": "cancelled", "reason": ""}, "reason"),
        ({"kind": "on_site", "diagnosis": "x"}, "diagnosis"),
        ({"kind": "on_site", "at": "2026-12-02T09:05:00"}, "at"),
        ({"kind": "on_site", "at": "yesterday"}, "at"),
        ({"kind": "on_site", "at": "2026-12-02T09:05:00.123456+08:00"}, "at"),
        ({"kind": "flew_away"}, "kind"),
        ({"kind": "on_site", "note": "x" * 2001}, "note"),
        ({"kind": "on_site", "fault_id": "nope"}, "fault_id"),
    ],
)
def test_bad_steps_are_refused_with_the_field_named(phone, fault, changes, field):
    eid = str(uuid.uuid4())
    phone.edit("fault_event", eid, {"fault_id": fault, "at": T(5), **changes}, "create")
    answer = result(phone)
    assert answer["status"] == "rejected"
    assert field in answer["error"]["fields"], answer
    assert not FaultEvent.select().where(FaultEvent.id == eid).exists()


def test_only_an_active_engineer_is_assigned(app, world, fault):
    office = device(app, world["users"]["dispatcher"])
    step(office, fault, "assigned", T(1), assignee_id=str(world["users"]["client"].id))
    answer = result(office)
    assert answer["error"]["fields"]["assignee_id"]


def test_a_step_sent_twice_is_one_step(phone, fault):
    eid = step(phone, fault, "responded", T(4), channel="phone")
    mutation = phone.outbox[-1]
    pushed(phone)
    phone.push([mutation])  # the answer was lost: the same mutation again
    assert FaultEvent.select().where(FaultEvent.id == eid).count() == 1
    phone.edit("fault_event", eid, {"fault_id": fault, "kind": "on_site", "at": T(9)}, "create")
    assert result(phone)["error"]["code"] == "exists"


def test_a_client_user_reports_a_fault_of_their_own_sites_only(app, world):
    phone = device(app, world["users"]["client"])
    mine, theirs = (str(uuid.uuid4()) for _ in range(2))
    for fid, site in ((mine, world["sites"][0]), (theirs, world["sites"][1])):
        phone.edit(
            "fault",
            fid,
            {
                "site_id": str(site.id),
                "description": "会议室话筒没声音",
                "severity": "high",
                "kind": "service_request",
                "reported_at": T(0),
            },
            "create",
        )
    answers = pushed(phone)
    assert answers[0]["status"] == "applied" and answers[0]["number"].startswith("F-")
    assert answers[1]["error"]["code"] == "not_found"
    record = Fault.get_by_id(mine)
    assert record.kind == "service_request"
    assert record.respond_due == datetime(2026, 12, 2, 1, 30)  # 30 minutes for a request


def test_a_client_user_raises_no_fault_from_a_round(app, world):
    phone = device(app, world["users"]["client"])
    fid = str(uuid.uuid4())
    changes = {
        "site_id": str(world["sites"][0].id),
        "round_id": str(uuid.uuid4()),
        "description": "x",
        "reported_at": T(0),
    }
    phone.edit("fault", fid, changes, "create")
    assert result(phone)["error"]["code"] == "forbidden"
