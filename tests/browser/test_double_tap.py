"""A double tap on the phone (the second tap lands before the first one's save is done, as on a
slow phone, or a finger that taps again because nothing seemed to happen) saves one thing:
one resolution with one use of a part, one fault step, one leave request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import PASSWORD
from webapp.faults import operations as fault_ops
from webapp.models import Fault, FaultEvent, LeaveRequest, PartStock, PartUse
from webapp.parts import operations as parts_ops
from webapp.records import create_record

from .app_pages import FieldEngineer

pytestmark = pytest.mark.browser


@pytest.fixture
def fault(world):
    site = world["sites"][0]
    values = {
        "number": "F-2026-00042",
        "site": site.id,
        "equipment": world["equipment"][0].id,
        "description": "调音台无输出",
        "reported_at": (datetime.now(UTC) - timedelta(minutes=30))
        .replace(microsecond=0)
        .isoformat(),
        "reported_by": world["users"]["dispatcher"].id,
    }
    return create_record(Fault, actor=None, **values, **fault_ops.derived(Fault(**values)))


@pytest.fixture
def stock(world):
    office = world["users"]["dispatcher"]
    store = parts_ops.create_stock(
        actor=office,
        data={
            "site_id": None,
            "name": "电源模块",
            "model": "PW800W",
            "location": "",
            "minimum": 0,
            "opening": 4,
        },
    )
    parts_ops.transfer(store, actor=office, site_id=world["sites"][0].id, quantity=2, reason="")
    return PartStock.get(PartStock.site == world["sites"][0].id)


def offline_engineer(phone, live_server) -> FieldEngineer:
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    engineer.goes_offline()
    return engineer


def sent(engineer: FieldEngineer) -> None:
    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()


def test_a_resolution_with_a_part_tapped_twice_uses_the_part_once(phone, live_server, fault, stock):
    engineer = offline_engineer(phone, live_server)
    phone.goto(f"{live_server}/app/#/faults/{fault.id}")
    phone.get_by_test_id("step-resolve").click()
    form = phone.get_by_test_id("resolve-form")
    form.locator("textarea[name=diagnosis]").fill("电源模块损坏")
    form.locator("textarea[name=action]").fill("更换电源模块")
    form.locator(f'[data-testid=part-pick][data-stock="{stock.id}"]').get_by_test_id(
        "part-quantity"
    ).fill("1")
    phone.get_by_test_id("resolve-save").dblclick()
    phone.get_by_test_id("fault-status").and_(phone.locator('[data-status="resolved"]')).wait_for()
    assert engineer.state()["pending"] == 2  # the step and its part's use
    sent(engineer)
    assert PartUse.select().count() == 1
    assert PartStock.get_by_id(stock.id).quantity == 1
    assert FaultEvent.select().where(FaultEvent.kind == "resolved").count() == 1


def test_a_fault_step_tapped_twice_is_taken_once(phone, live_server, fault):
    engineer = offline_engineer(phone, live_server)
    phone.goto(f"{live_server}/app/#/faults/{fault.id}")
    phone.get_by_test_id("step-on-site").dblclick()
    phone.get_by_test_id("fault-status").and_(phone.locator('[data-status="on_site"]')).wait_for()
    assert engineer.state()["pending"] == 1
    sent(engineer)
    assert FaultEvent.select().where(FaultEvent.kind == "on_site").count() == 1


def test_a_leave_request_sent_twice_is_filed_once(phone, live_server, world):
    engineer = offline_engineer(phone, live_server)
    phone.goto(f"{live_server}/app/#/leave/new")
    phone.get_by_test_id("send-leave").dblclick()
    phone.get_by_test_id("leave-item").first.wait_for()
    assert engineer.state()["pending"] == 1
    sent(engineer)
    assert LeaveRequest.select().count() == 1
