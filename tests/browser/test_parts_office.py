"""The office keeps its store of parts at a desk: adds an item with its opening stock, receives a
delivery, sends some to a site, and finds the site's item on the low-stock list once a phone
used it below its minimum."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from webapp.models import PartMovement, PartStock

from .pages import Visitor

pytestmark = pytest.mark.browser


def test_the_office_adds_receives_sends_and_sees_low_stock(desktop, live_server, world):
    site = world["sites"][0]
    dispatcher = Visitor(desktop, live_server)
    dispatcher.signs_in("disp", PASSWORD)
    page = desktop
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Spare parts").click()
    page.get_by_test_id("new-part").click()
    form = page.get_by_test_id("stock-form")
    form.get_by_label("Part").fill("投影灯泡")
    form.get_by_label("Brand / model").fill("Epson ELPLP96")
    form.get_by_label("Where kept").fill("仓库A-1")
    form.get_by_label("Minimum (low stock at or below)").fill("1")
    form.get_by_label("Opening stock").fill("2")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("item-quantity")).to_have_text("2")

    receive = page.get_by_test_id("receive-form")
    receive.get_by_label("Quantity").fill("3")
    receive.get_by_label("Why").fill("采购入库")
    receive.get_by_role("button", name="Receive").click()
    expect(page.get_by_test_id("item-quantity")).to_have_text("5")

    send = page.get_by_test_id("transfer-form")
    send.get_by_label("Site").select_option(str(site.id))
    send.get_by_label("Quantity").fill("9")
    send.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("The office holds 5")
    send = page.get_by_test_id("transfer-form")
    send.get_by_label("Quantity").fill("4")
    send.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("item-quantity")).to_have_text("1")
    kinds = page.get_by_test_id("movement").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert kinds == ["transfer_out", "receive", "receive"]

    site_item = PartStock.get(PartStock.site == site.id)
    assert site_item.quantity == 4
    assert sum(m.quantity for m in PartMovement.select()) == 5  # 2 + 3 received, nothing lost
    page.goto(f"{live_server}/office/parts?low=1&site={site.id}")
    expect(page.get_by_test_id("stock-row")).to_have_count(0)
    page.goto(f"{live_server}/office/parts?low=1&site=office")
    expect(page.get_by_test_id("stock-row")).to_have_count(1)  # 1 left, minimum 1
    assert not dispatcher.has_horizontal_scroll()
    page.screenshot(path="/tmp/parts_office.png", full_page=True)


def test_a_double_click_on_receive_receives_once(desktop, live_server, world, monkeypatch):
    """The server is slow to answer (a second here), and the dispatcher clicks "Receive" again
    before the page has changed: the stock goes up once."""
    import time

    from webapp.parts import operations as ops

    item = ops.create_stock(
        actor=world["users"]["dispatcher"],
        data={"name": "投影灯泡", "model": "Epson ELPLP96", "location": "仓库A-1", "minimum": 1},
    )
    dispatcher = Visitor(desktop, live_server)
    dispatcher.signs_in("disp", PASSWORD)
    desktop.goto(f"{live_server}/office/parts/{item.id}")
    receive = ops.receive

    def slow(*args, **kwargs):
        time.sleep(1.0)
        return receive(*args, **kwargs)

    monkeypatch.setattr(ops, "receive", slow)
    form = desktop.get_by_test_id("receive-form")
    form.get_by_label("Quantity").fill("3")
    form.get_by_label("Why").fill("采购入库")
    # The mouse itself, twice: a locator's click would wait for the first post's page.
    box = form.get_by_role("button", name="Receive").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    desktop.mouse.click(x, y)
    desktop.wait_for_timeout(300)
    desktop.mouse.click(x, y)
    expect(desktop.get_by_test_id("item-quantity")).to_have_text("3")
    desktop.wait_for_timeout(1500)  # a second post, had there been one, has been answered too
    assert PartStock.get_by_id(item.id).quantity == 3
    assert PartMovement.select().where(PartMovement.kind == "receive").count() == 1
