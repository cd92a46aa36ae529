"""Signed-in devices in a real browser: a phone the office signs out ("lost phone") stops
syncing, asks for the password and keeps what it has not sent; on the phone, the engineer sees
their devices and signs the others out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from webapp.models import Equipment, UserSession

from .app_pages import FieldEngineer
from .pages import Admin, Visitor

pytestmark = pytest.mark.browser


@pytest.fixture
def engineer(phone, live_server, world):
    person = FieldEngineer(phone, live_server)
    person.signs_in("eng", PASSWORD)
    person.opens_the_app()
    return person


def test_a_phone_signed_out_in_the_office_stops_syncing_and_keeps_its_outbox(
    engineer, desktop, live_server, world
):
    device = world["equipment"][0]
    page = engineer.page
    engineer.goes_offline()
    engineer.edits(str(device.id), notes="手机丢失前录入")

    office = Admin(desktop, live_server)
    office.signs_in("adm", PASSWORD)
    office.opens(f"/office/users/{world['users']['engineer'].id}")
    devices = desktop.get_by_test_id("user-sessions")
    lost = devices.get_by_role("row").filter(has_text="Redmi Note 12")
    expect(lost).to_have_count(1)
    with desktop.expect_navigation():
        lost.get_by_role("button", name="Sign out").click()
    assert "Device signed out." in office.notices()

    engineer.goes_online()  # the app syncs when the network returns, and gets a 401
    page.wait_for_function("() => window.__rounds.state().paused")
    expect(page.get_by_test_id("sign-in-again")).to_be_visible()
    assert engineer.state()["pending"] == 1, "the outbox kept the change"
    assert Equipment.get_by_id(device.id).notes != "手机丢失前录入"
    page.reload()  # still kept after the app is opened again
    page.wait_for_function("() => window.__rounds && window.__rounds.state().paused")
    assert engineer.state()["pending"] == 1

    page.get_by_test_id("sign-in-again").click()
    form = page.get_by_test_id("sign-in")
    form.locator("#si-password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    engineer.waits_until_sent()
    assert Equipment.get_by_id(device.id).notes == "手机丢失前录入"


def test_the_engineer_signs_out_their_other_devices_from_the_phone(
    engineer, desktop, live_server, world
):
    other = Visitor(desktop, live_server)
    other.signs_in("eng", PASSWORD)  # left signed in on a shared office PC
    other.opens("/api/auth/me")
    assert '"username":"eng"' in desktop.content().replace(" ", "")

    page = engineer.page
    page.goto(f"{live_server}/app/#/settings")
    devices = page.get_by_test_id("devices")
    expect(devices.locator("li")).to_have_count(2)
    expect(page.get_by_test_id("this-device")).to_contain_text("Redmi Note 12")
    expect(page.get_by_test_id("this-device")).to_contain_text("本设备")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("sign-out-others").click()
    expect(page.get_by_text("已退出 1 台设备。")).to_be_visible()
    expect(devices.locator("li")).to_have_count(1)
    expect(page.get_by_test_id("sign-out-others")).to_be_hidden()

    other.opens("/api/auth/me")
    assert '"code":"unauthenticated"' in desktop.content().replace(" ", "")
    live = UserSession.select().where(UserSession.revoked_at.is_null())
    assert [s.device for s in live] == ["XiaoMi Redmi Note 12 · Android 13 · Chrome Mobile 131"]
    engineer.taps_sync_now()
    assert not engineer.state()["paused"], "this phone goes on syncing"


def test_the_engineer_changes_their_password_on_the_phone(engineer, desktop, live_server, world):
    other = Visitor(desktop, live_server)
    other.signs_in("eng", PASSWORD)  # the same account on an office PC
    page = engineer.page
    page.goto(f"{live_server}/app/#/settings")
    form = page.get_by_test_id("password-form")
    form.get_by_label("现在的密码").fill("不是这个密码")
    form.get_by_label("新密码").fill("a-new-password-1")
    form.get_by_role("button", name="修改密码").click()
    expect(form.get_by_text("这不是您现在的密码。")).to_be_visible()

    form.get_by_label("现在的密码").fill(PASSWORD)
    form.get_by_role("button", name="修改密码").click()
    expect(page.get_by_test_id("password-status")).to_have_text("密码已修改。 已退出 1 台设备。")
    assert form.get_by_label("新密码").input_value() == "", "the password is not left on the screen"
    other.opens("/api/auth/me")
    assert "401" in desktop.title() or '"username":"eng"' not in desktop.content().replace(" ", "")
    engineer.taps_sync_now()
    assert not engineer.state()["paused"], "the phone it was changed on keeps syncing"


def test_a_first_start_signs_in_in_the_app_without_an_error_in_the_console(
    phone, live_server, world
):
    """Nobody on the device and no session: the app learns it from the token's answer, not from
    a 401 of /api/auth/me, which the browser logs as an error (an audit of the page counts it)."""
    errors, refused = [], []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
    Visitor(phone, live_server).opens("/app/")
    form = phone.get_by_test_id("sign-in")
    form.locator("#si-username").fill("eng")
    form.locator("#si-password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(phone.get_by_test_id("site-tile").filter(has_text="主楼")).to_be_visible()
    assert refused == [] and errors == []
