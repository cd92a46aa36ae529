"""The office's page of the notification outbox in a real browser, on a phone's width: filtered
by state, nothing wider than the screen (docs/notifications.md, "The outbox")."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from webapp.models import Notification

from .pages import Admin

pytestmark = pytest.mark.browser


def test_the_dispatcher_finds_the_failed_notification_on_a_phone(desktop, live_server, world):
    engineer = world["users"]["engineer"]
    first = datetime(2026, 12, 3, 0, 0)
    for n, state in enumerate(("sent", "failed", "queued")):
        Notification.create(
            user=engineer,
            key=f"test:{n}",
            kind="fault_assigned",
            title=f"Fault F-2026-{n:05d} assigned to you, at the server room of the east building",
            state=state,
            attempts=5 if state == "failed" else 1,
            last_error="410 Gone: the subscription has expired or was removed" if n == 1 else "",
            created_at=first + timedelta(minutes=n),
        )
    desktop.set_viewport_size({"width": 390, "height": 800})
    office = Admin(desktop, live_server)
    office.signs_in("disp", PASSWORD)
    office.opens("/office/notifications")
    rows = desktop.get_by_test_id("outbox-row")
    expect(rows).to_have_count(3)

    filters = desktop.get_by_test_id("outbox-filter")
    filters.get_by_role("combobox").select_option("failed")
    with desktop.expect_navigation():
        filters.get_by_role("button", name="Filter").click()

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("410 Gone")
    expect(rows.first).to_contain_text("Failed")
    assert not office.has_horizontal_scroll()
