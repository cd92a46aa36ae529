"""The office's fault board: open faults by time left, warnings and breaches, the figures kept
on closed faults, the dispatcher's steps, and a fault's page with its whole history."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import sign_in_as
from webapp.errors import ApiError
from webapp.faults import board as board_ops
from webapp.faults import operations as ops
from webapp.models import Fault, FaultEvent
from webapp.records import create_record

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(autouse=True)
def now():
    """One "now" per test for every time a test writes, read when the test starts."""
    global NOW
    NOW = datetime.now(UTC).replace(microsecond=0)


def report(world, minutes_ago: float, number: str, **kw) -> Fault:
    at = NOW - timedelta(minutes=minutes_ago)
    values = {
        "number": number,
        "site": world["sites"][0].id,
        "description": f"故障 {number}",
        "reported_at": at.isoformat(),
        "reported_by": world["users"]["engineer"].id,
        **kw,
    }
    return create_record(Fault, actor=None, **values, **ops.derived(Fault(**values)))


def take(fault: Fault, user, kind: str, minutes_ago: float, **details) -> None:
    at = NOW - timedelta(minutes=minutes_ago)
    ops.add_event(
        actor=user,
        id=uuid.uuid4(),
        data={"fault_id": fault.id, "kind": kind, "at": at.isoformat(), "note": ""},
        details=details,
        site_ids={fault.site_id},
    )


@pytest.fixture
def office(client, world):
    token = sign_in_as(client, world["users"]["dispatcher"])
    client.set_cookie("rounds_lang", "en")
    return client, token


def numbers(body: str) -> list[str]:
    return re.findall(r"<strong>(F-\d{4}-\d{5})</strong>", body)


def test_open_faults_come_by_time_left_respond_first(office, world):
    client, _ = office
    engineer = world["users"]["engineer"]
    report(world, 2, "F-2026-00001")  # 8 min left to respond
    report(world, 9, "F-2026-00002")  # 1 min left to respond: warning
    late = report(world, 30, "F-2026-00003")  # responded, 90 min left to resolve
    take(late, engineer, "responded", 25, channel="phone")
    report(world, 12, "F-2026-00004")  # 2 min over: breached
    body = client.get("/office/faults").get_data(as_text=True)
    assert numbers(body) == ["F-2026-00004", "F-2026-00002", "F-2026-00001", "F-2026-00003"]
    rows = board_ops.board()
    assert [r.current.breached for r in rows] == [True, False, False, False]
    assert [r.current.warning for r in rows] == [False, True, False, False]
    assert "is-breached" in body and "is-warning" in body and "Breached" in body


def test_a_closed_fault_keeps_met_or_breached_with_the_figures(office, world):
    client, _ = office
    engineer, dispatcher = world["users"]["engineer"], world["users"]["dispatcher"]
    fault = report(world, 200, "F-2026-00009")
    take(fault, engineer, "responded", 185, channel="on_the_way")  # 15 min: breached
    take(fault, engineer, "resolved", 140, diagnosis="d", action="a")  # 60 min: met
    take(fault, dispatcher, "closed", 100)
    fault = Fault.get_by_id(fault.id)
    assert (fault.respond_breached, fault.respond_used) == (True, 900)
    assert (fault.resolve_breached, fault.resolve_used) == (False, 3600)
    assert numbers(client.get("/office/faults").get_data(as_text=True)) == []
    body = client.get("/office/faults?view=closed").get_data(as_text=True)
    assert numbers(body) == ["F-2026-00009"]
    assert "15 min of 10 min" in body and "1 h 0 min of 2 h 0 min" in body
    assert "Met" in body and "Breached" in body


def test_the_dispatcher_assigns_reassigns_and_escalates_from_the_page(office, world):
    client, token = office
    fault = report(world, 1, "F-2026-00010")
    url = f"/office/faults/{fault.id}/steps"
    form = {"csrf_token": token, "kind": "assigned"}
    eng, eng2 = world["users"]["engineer"], world["engineer2"]
    assert client.post(url, data={**form, "assignee_id": str(eng.id)}).status_code == 302
    assert Fault.get_by_id(fault.id).assignee_id == eng.id
    client.post(url, data={**form, "assignee_id": str(eng2.id), "note": "换人"})
    client.post(
        url,
        data={"csrf_token": token, "kind": "escalated", "to": "manufacturer", "contact": "厂家"},
    )
    record = Fault.get_by_id(fault.id)
    assert (record.assignee_id, record.escalated_to) == (eng2.id, "manufacturer")
    page = client.get(f"/office/faults/{fault.id}").get_data(as_text=True)
    assert page.count('data-kind="assigned"') == 2 and "换人" in page and "厂家" in page


def test_a_bad_step_on_the_page_says_why_and_writes_nothing(office, world):
    client, token = office
    fault = report(world, 1, "F-2026-00011")
    url = f"/office/faults/{fault.id}/steps"
    response = client.post(url, data={"csrf_token": token, "kind": "cancelled", "reason": " "})
    assert response.status_code == 302
    page = client.get(f"/office/faults/{fault.id}").get_data(as_text=True)
    assert "Missing data for required field." in page
    client.post(url, data={"csrf_token": token, "kind": "closed"})
    assert FaultEvent.select().count() == 1  # closing an unresolved fault is kept, no effect
    page = client.get(f"/office/faults/{fault.id}").get_data(as_text=True)
    assert "an earlier step is missing" in page
    client.post(url, data={"csrf_token": token, "kind": "responded", "channel": "phone"})
    assert FaultEvent.select().count() == 1  # phone steps are not taken here
    assert client.post(url, data={"kind": "closed"}).status_code == 403  # no CSRF token


def test_the_board_speaks_chinese(client, world):
    sign_in_as(client, world["users"]["dispatcher"])
    report(world, 9, "F-2026-00012")
    body = client.get("/office/faults", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "响应" in body and "剩余" in body


def test_the_dispatcher_logs_a_fault_from_a_call(office, world):
    client, token = office
    site = world["sites"][0]
    form = {"csrf_token": token, "site_id": str(site.id), "kind": "service_request"}
    response = client.post("/office/faults/new", data={**form, "description": "  "})
    assert response.status_code == 422
    assert "This field may not be empty." in response.get_data(as_text=True)
    assert Fault.select().count() == 0
    response = client.post("/office/faults/new", data={**form, "site_id": "nonsense"})
    assert response.status_code == 422 and Fault.select().count() == 0
    response = client.post(
        "/office/faults/new",
        data={**form, "description": "电话报修：大屏黑屏", "severity": "critical"},
    )
    assert response.status_code == 302
    fault = Fault.get()
    assert fault.number.startswith("F-") and fault.kind == "service_request"
    assert fault.respond_due is not None and fault.reported_by_id == world["users"]["dispatcher"].id
    assert fault.number in client.get("/office/faults").get_data(as_text=True)


def test_a_call_is_logged_for_a_site_that_exists_and_by_the_office_only(office, world):
    client, token = office
    form = {"csrf_token": token, "site_id": str(uuid.uuid4()), "description": "黑屏"}
    assert client.post("/office/faults/new", data=form).status_code == 422
    assert Fault.select().count() == 0
    data = {"site_id": world["sites"][0].id, "kind": "fault", "severity": "low", "description": "x"}
    with pytest.raises(ApiError) as refused:
        ops.report_fault(actor=world["users"]["engineer"], data=data)
    assert refused.value.status == 403


def test_the_office_sets_how_a_clients_clocks_run(office, world):
    client, token = office
    customer = world["clients"][0]
    form = {
        "csrf_token": token,
        "name": customer.name,
        "client_type": "annual_contract",
        "response_minutes": "10",
        "request_response_minutes": "30",
        "resolution_hours": "2",
        "clock_mode": "working_hours",
    }  # the checkbox left unticked: waiting does not stop the clock
    assert client.post(f"/office/clients/{customer.id}", data=form).status_code == 302
    fault = report(world, 1, "F-2026-00020")
    policy = ops.policy_of(fault)
    assert (policy.round_the_clock, policy.waiting_stops_clock) == (False, False)
    assert policy.periods == (("08:30", "12:00"), ("14:00", "17:30"))
    bad = client.post(f"/office/clients/{customer.id}", data={**form, "clock_mode": "sometimes"})
    assert bad.status_code == 422


def test_a_step_posted_again_from_a_second_tab_is_refused_with_why(office, world):
    """Two dispatchers (or two tabs) close the same resolved fault: the first closes it, the
    second is told it is already closed, and the history holds one closing."""
    client, token = office
    fault = report(world, 30, "F-2026-00013")
    take(fault, world["users"]["engineer"], "resolved", 10, diagnosis="d", action="a")
    url = f"/office/faults/{fault.id}/steps"
    for kind in ("closed", "closed", "cancelled", "confirmed"):
        client.post(url, data={"csrf_token": token, "kind": kind, "reason": "重复"})
    assert [e.kind for e in ops.events_of(fault)] == ["resolved", "closed"]
    page = client.get(f"/office/faults/{fault.id}").get_data(as_text=True)
    assert "This fault is already closed or cancelled" in page
    confirmed = report(world, 30, "F-2026-00014")
    take(confirmed, world["users"]["engineer"], "resolved", 10, diagnosis="d", action="a")
    url = f"/office/faults/{confirmed.id}/steps"
    for _ in range(2):
        client.post(url, data={"csrf_token": token, "kind": "confirmed"})
    assert [e.kind for e in ops.events_of(confirmed)] == ["resolved", "confirmed"]
    page = client.get(f"/office/faults/{confirmed.id}").get_data(as_text=True)
    assert "This step has already been taken" in page


def test_a_call_logged_at_a_quarter_to_eight_in_china_is_that_morning_on_every_screen(
    app, office, world
):
    """07:40 on 3 December in China is still 2 December in UTC: the fault the dispatcher logs
    and the steps they take are written on the site's clock, as a phone there writes them, so
    the page, the list and its period filter, the board and the phones read 07:40 on the 3rd."""
    client, token = office
    site = world["sites"][0]
    app.config["CLOCK"] = lambda: datetime(2026, 12, 2, 23, 40, 5, tzinfo=UTC)
    client.post(
        "/office/faults/new",
        data={"csrf_token": token, "site_id": str(site.id), "description": "电话报修：黑屏"},
    )
    fault = Fault.get()
    assert fault.reported_at == "2026-12-03T07:40:05+08:00"
    client.post(
        f"/office/faults/{fault.id}/steps",
        data={
            "csrf_token": token,
            "kind": "assigned",
            "assignee_id": world["users"]["engineer"].id,
        },
    )
    assert [e.at for e in ops.events_of(fault)] == ["2026-12-03T07:40:05+08:00"]
    page = client.get(f"/office/faults/{fault.id}").get_data(as_text=True)
    assert "2026-12-03 07:40" in page and "2026-12-02 23:40" not in page
    listed = client.get("/office/faults/list?date_from=2026-12-03&date_to=2026-12-03")
    assert fault.number in listed.get_data(as_text=True)


def test_the_clocks_run_on_the_servers_clock_as_the_steps_are_timed(app, office, world):
    """The office's steps are timed by the app's clock; the board, the page, the list and the
    case report read the clocks against the same one, not against the machine's."""
    client, token = office
    logged = datetime(2026, 12, 2, 23, 40, 5, tzinfo=UTC)
    app.config["CLOCK"] = lambda: logged
    client.post(
        "/office/faults/new",
        data={"csrf_token": token, "site_id": str(world["sites"][0].id), "description": "黑屏"},
    )
    fault = Fault.get()

    app.config["CLOCK"] = lambda: logged + timedelta(minutes=2)
    with app.app_context():
        row = board_ops.board()[0]
        assert not row.current.breached and not row.current.warning
        assert not ops.read(fault)["respond"]["breached"]
    assert "Breached" not in client.get(f"/office/faults/{fault.id}").get_data(as_text=True)

    app.config["CLOCK"] = lambda: logged + timedelta(minutes=12)
    with app.app_context():
        assert board_ops.board()[0].current.breached
        assert ops.read(fault)["respond"]["breached"]
    assert "Breached" in client.get(f"/office/faults/{fault.id}").get_data(as_text=True)
