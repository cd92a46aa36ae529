"""Spare parts on the phone, offline: an engineer resolves a fault using one part from the
site's stock and puts in a device with a new serial; once synced the stock went down by one,
the register holds the new serial, and the device's timeline names the fault. A request for
parts made offline reaches the office, and the office's answer comes back to the phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import PASSWORD
from webapp.faults import operations as fault_ops
from webapp.inventory import operations as inventory_ops
from webapp.models import Equipment, Fault, PartRequest, PartStock, PartUse, SyncConflict
from webapp.parts import operations as ops
from webapp.records import create_record

from .app_pages import FieldEngineer

pytestmark = pytest.mark.browser


@pytest.fixture
def stocked(world):
    office = world["users"]["dispatcher"]
    store = ops.create_stock(
        actor=office,
        data={
            "site_id": None,
            "name": "电源模块",
            "model": "Yamaha PW800W",
            "location": "仓库B-2",
            "minimum": 1,
            "opening": 4,
        },
    )
    ops.transfer(store, actor=office, site_id=world["sites"][0].id, quantity=2, reason="")
    return store, PartStock.get(PartStock.site == world["sites"][0].id)


@pytest.mark.parametrize("office_corrects_the_serial", [False, True], ids=["alone", "meanwhile"])
def test_a_fault_resolved_offline_with_a_part_from_the_site_s_stock(
    phone, live_server, world, stocked, office_corrects_the_serial
):
    """`meanwhile`: the office corrects the device's serial while the phone is offline; the
    office's serial is kept and the engineer's waits as a conflict on the device."""
    _, stock = stocked
    site, device = world["sites"][0], world["equipment"][0]
    reported = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0)
    values = {
        "number": "F-2026-00042",
        "site": site.id,
        "equipment": device.id,
        "description": "调音台无输出",
        "reported_at": reported.isoformat(),
        "reported_by": world["users"]["dispatcher"].id,
    }
    fault = create_record(Fault, actor=None, **values, **fault_ops.derived(Fault(**values)))

    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    engineer.goes_offline()
    phone.goto(f"{live_server}/app/#/faults/{fault.id}")
    phone.get_by_test_id("fault-screen").wait_for()
    phone.get_by_test_id("step-resolve").click()
    form = phone.get_by_test_id("resolve-form")
    form.locator("textarea[name=diagnosis]").fill("电源模块损坏")
    form.locator("textarea[name=action]").fill("更换电源模块")
    pick = form.locator(f'[data-testid=part-pick][data-stock="{stock.id}"]')
    assert "2" in pick.inner_text()  # what the site holds, read offline
    pick.get_by_test_id("part-quantity").fill("1")
    form.get_by_test_id("old-serial").fill("SN-A")
    form.get_by_test_id("new-serial").fill("SN-A-NEW")
    phone.get_by_test_id("resolve-save").click()
    phone.get_by_test_id("fault-status").and_(phone.locator('[data-status="resolved"]')).wait_for()
    used = phone.get_by_test_id("fault-part")
    used.wait_for()
    assert "× 1" in used.inner_text() and "SN-A-NEW" in used.inner_text()
    assert PartUse.select().count() == 0  # nothing has left the phone
    if office_corrects_the_serial:
        inventory_ops.update_equipment(
            Equipment.get_by_id(device.id),
            actor=world["users"]["admin"],
            changes={"serial_number": "SN-OFFICE"},
            allowed_sites=None,
        )
    # The site's stock on the phone already counts the use waiting to be sent.
    phone.goto(f"{live_server}/app/#/parts/{site.id}")
    item = phone.locator(f'[data-testid=stock-item][data-stock="{stock.id}"]')
    assert item.get_by_test_id("stock-left").inner_text() == "1"

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    engineer.taps_sync_now()  # pull the register and the stock as the server now holds them

    assert PartStock.get_by_id(stock.id).quantity == 1
    serial = "SN-OFFICE" if office_corrects_the_serial else "SN-A-NEW"
    assert Equipment.get_by_id(device.id).serial_number == serial
    conflicts = [(c.field, c.server_value, c.client_value) for c in SyncConflict.select()]
    assert conflicts == (
        [("serial_number", "SN-OFFICE", "SN-A-NEW")] if office_corrects_the_serial else []
    )
    assert Fault.get_by_id(fault.id).status == "resolved"
    use = PartUse.get()
    assert (use.fault_id, use.equipment_id, use.quantity) == (fault.id, device.id, 1)

    phone.goto(f"{live_server}/app/#/equipment/{device.id}")
    timeline = phone.get_by_test_id("timeline")
    replaced = timeline.locator('li[data-kind="part"]')
    replaced.wait_for()
    assert "F-2026-00042" in replaced.inner_text()
    assert "SN-A → SN-A-NEW" in replaced.inner_text()
    assert serial in phone.locator("dl.facts").inner_text()


def test_a_request_for_parts_made_offline_gets_the_office_s_answer(
    phone, live_server, world, stocked
):
    store, stock = stocked
    site = world["sites"][0]
    values = {
        "number": "F-2026-00043",
        "site": site.id,
        "description": "功放无输出",
        "reported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "reported_by": world["users"]["dispatcher"].id,
    }
    fault = create_record(Fault, actor=None, **values, **fault_ops.derived(Fault(**values)))
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    engineer.goes_offline()
    phone.goto(f"{live_server}/app/#/sites/{site.id}")
    phone.get_by_test_id("open-parts").click()
    phone.get_by_test_id("parts-screen").wait_for()
    form = phone.get_by_test_id("part-request-form")
    form.get_by_test_id("request-part").select_option(str(stock.id))
    form.get_by_test_id("request-quantity").fill("2")
    form.locator("textarea[name=reason]").fill("备用不足")
    form.get_by_test_id("request-fault").select_option(str(fault.id))
    phone.get_by_test_id("request-save").click()
    phone.get_by_test_id("part-request").wait_for()
    assert PartRequest.select().count() == 0

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    request = PartRequest.get()
    assert (request.stock_id, request.quantity, request.reason) == (stock.id, 2, "备用不足")
    assert request.fault_id == fault.id
    ops.decide_request(
        request,
        actor=world["users"]["dispatcher"],
        data={"decision": "approve", "source_id": store.id, "quantity": None, "note": "已发"},
    )
    engineer.taps_sync_now()
    phone.goto(f"{live_server}/app/#/parts/{site.id}")
    answer = phone.get_by_test_id("part-request")
    answer.locator('[data-status="approved"]').wait_for()
    assert "已发" in answer.inner_text() and "F-2026-00043" in answer.inner_text()
    item = phone.locator(f'[data-testid=stock-item][data-stock="{stock.id}"]')
    assert item.get_by_test_id("stock-left").inner_text() == "4"
