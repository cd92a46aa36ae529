"""A month that asks for a written absence explanation reaches the engineer's phone: the home
screen asks for it, the form opens filled with that month and site, the explanation is written
offline, syncs, and the office's month sheet links to it (docs/attendance.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, assign
from webapp.models import AbsenceExplanation, Assignment

from .app_pages import FieldEngineer
from .pages import Visitor

pytestmark = pytest.mark.browser


def test_the_phone_asks_for_the_flagged_months_explanation_offline(
    phone, desktop, live_server, world
):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    # Stationed since well before last month, never checked in: last month is flagged.
    assign(world["users"]["engineer"], world["sites"][1])  # two sites: the prompt picks one
    Assignment.update(created_at=datetime(2000, 1, 1)).execute()

    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    page = engineer.page
    # The site the plain form starts with; the prompt must open the other one's month.
    page.goto(f"{live_server}/app/#/explanations/new")
    first = page.locator("select[name=site_id]").input_value()
    site = next(s for s in world["sites"] if str(s.id) != first)
    page.goto(f"{live_server}/app/#/")
    prompt = page.locator(
        f'[data-testid="explanation-prompt"][data-month="{last_month}"][data-site="{site.id}"]'
    )
    expect(prompt).to_contain_text("缺勤情况说明")
    expect(prompt).to_contain_text(site.name)

    engineer.goes_offline()
    prompt.click()
    expect(page.get_by_test_id("month")).to_have_value(last_month)
    expect(page.locator("select[name=site_id]")).to_have_value(str(site.id))
    page.get_by_test_id("explanation-text").fill("上月驻场调整，未能按时签到，当天均在岗。")
    page.get_by_test_id("send-explanation").click()
    expect(page.get_by_test_id("explanation-item")).to_contain_text("等待审批")
    page.goto(f"{live_server}/app/#/")
    page.get_by_test_id("leave-link").wait_for()  # home is drawn
    expect(prompt).to_have_count(0)  # written on the phone: no longer asked for
    assert AbsenceExplanation.select().count() == 0  # still on the phone

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    stored = AbsenceExplanation.get()
    assert (stored.month, stored.site_id, stored.status) == (last_month, site.id, "waiting")

    office = Visitor(desktop, live_server)
    office.signs_in("disp", PASSWORD)
    office.opens(f"/office/checkins/sheet?month={last_month}&site_id={site.id}")
    link = desktop.get_by_test_id("explanation-link")
    expect(link).to_have_attribute("data-status", "waiting")
    link.click()
    expect(desktop.locator("body")).to_contain_text("上月驻场调整")
