"""The Quick start as a new user lives it: the demo is seeded, the engineer opens the app on a
phone in Hangzhou at 07:30 the same day and sees today's daily rounds, one per room, nothing
overdue; a room's round asks about that room's devices only."""

from __future__ import annotations

import pytest

from webapp.demo import DEMO_PASSWORD
from webapp.models import Equipment, Location

from .app_pages import FieldEngineer
from .conftest import PHONE_UA, TIMEOUT_MS

pytestmark = pytest.mark.browser


def test_a_fresh_demo_shows_todays_rounds_room_by_room_and_nothing_overdue(
    browser, live_server, runner
):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        user_agent=PHONE_UA,
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        engineer = FieldEngineer(page, live_server)
        engineer.signs_in("engineer", DEMO_PASSWORD)
        engineer.opens_the_app()
        page.get_by_test_id("due-list").wait_for()
        assert page.get_by_test_id("due-overdue").count() == 0
        due = page.get_by_test_id("due-due")
        rooms = [due.nth(i).inner_text() for i in range(due.count())]
        daily = [r for r in rooms if "日常巡检" in r]
        assert len(daily) >= 5  # the two buildings' rooms with devices, one round each

        # The first room's round: 看听闻摸 for its own devices, no others.
        due.filter(has_text="日常巡检").first.click()
        page.get_by_test_id("round").wait_for()
        per_device = page.locator(".round-section").filter(has=page.get_by_test_id("all-normal"))
        names = per_device.locator(".device-name strong").all_inner_texts()
        room = next(r for r in Location.select() if any(r.name in text for text in daily[:1]))
        in_room = Equipment.live().where(
            (Equipment.location == room.id) & (Equipment.status != "retired")
        )
        assert sorted(names) == sorted(e.name for e in in_room)
        assert page.get_by_test_id("round-item").count() == 2 + 7 * len(names)
    finally:
        context.close()
