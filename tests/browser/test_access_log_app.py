"""The machine-room access log in a real browser (docs/checkins.md, "Access log"): at a restricted
room, offline, the check-in screen asks for the purpose, the number of people and who is
escorted, refuses to sign without a purpose, and signs them with the record (Chromium's virtual
authenticator); on sync the office sees the entry open, and the check-out closes it."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from webapp.checkins.record import canonical_bytes
from webapp.models import CheckIn, Location
from webapp.sites import operations as site_ops
from webapp.tags import operations as tag_ops

from .app_pages import FieldEngineer
from .pages import Admin
from .test_passkeys import add_virtual_authenticator

pytestmark = pytest.mark.browser


@pytest.fixture
def public_url(app, live_server):
    app.config["PUBLIC_URL"] = live_server
    return live_server


def test_a_restricted_room_asks_for_the_access_record_signs_it_and_the_office_sees_it_open(
    phone, desktop, public_url, world, app
):
    room = world["locations"][0]
    with app.test_request_context():
        site_ops.update_location(room, actor=None, changes={"restricted": True})
        tag = tag_ops.issue_tag(actor=None, target=room)
    engineer = FieldEngineer(phone, public_url)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    add_virtual_authenticator(phone)
    phone.goto(f"{public_url}/app/#/settings")
    card = phone.get_by_test_id("passkeys-card")
    card.locator("#passkey-name").fill("工作手机")
    card.get_by_test_id("add-passkey").click()
    expect(card.get_by_test_id("passkey")).to_have_count(1)
    engineer.taps_sync_now()  # the room, restricted, and the signed server time

    engineer.goes_offline()
    phone.goto(f"{public_url}/app/#/checkin/t/{tag.token}")
    form = phone.get_by_test_id("access-form")
    expect(form).to_be_visible()
    # The limits are the server's contract.
    expect(form.get_by_test_id("access-people")).to_have_attribute("max", "99")
    expect(form.get_by_test_id("access-purpose")).to_have_attribute("maxlength", "500")
    phone.get_by_test_id("check-in").click()  # no purpose: nothing is signed or queued
    expect(form.locator("[data-field=purpose]")).to_be_visible()
    expect(phone.get_by_test_id("checkin-row")).to_have_count(0)
    form.get_by_test_id("access-purpose").fill("更换核心交换机电源模块")
    form.get_by_test_id("access-people").fill("100")
    phone.get_by_test_id("check-in").click()
    expect(form.locator("[data-field=people]")).to_be_visible()
    expect(phone.get_by_test_id("checkin-row")).to_have_count(0)
    form.get_by_test_id("access-people").fill("3")
    form.get_by_test_id("access-escorts").fill("张伟\n 李娜 \n")
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("checkin-saved")).to_have_attribute("data-signed", "true")
    row = phone.get_by_test_id("checkin-row").first
    expect(row).to_have_attribute("data-state", "waiting")
    expect(row).to_contain_text("更换核心交换机电源模块")
    assert CheckIn.select().count() == 0  # nothing left the phone

    engineer.goes_online()
    engineer.taps_sync_now()
    kept = CheckIn.get()
    assert kept.verification == "verified" and kept.location_id == room.id
    purpose = "更换核心交换机电源模块"
    assert (kept.purpose, kept.people, kept.escorts) == (purpose, 3, ["张伟", "李娜"])
    signed = {
        "id": kept.id,
        "user_id": kept.user_id,
        "site_id": kept.site_id,
        "location_id": kept.location_id,
        "tag_token": kept.tag_token,
        "kind": kept.kind,
        "device_time": kept.device_text,
        "server_time": kept.server_stamp,
        "purpose": kept.purpose,
        "people": kept.people,
        "escorts": kept.escorts,
    }
    assert kept.content_hash == hashlib.sha256(canonical_bytes(signed)).hexdigest()

    desktop.set_viewport_size({"width": 390, "height": 800})  # the office on a phone too
    office = Admin(desktop, public_url)
    office.signs_in("disp", PASSWORD)
    day = kept.device_text[:10]
    office.opens(f"/office/checkins/access?from={day}&to={day}")
    entry = desktop.locator(f"[data-testid=access-entry][data-id='{kept.id}']")
    expect(entry).to_have_attribute("data-open", "true")
    expect(entry.get_by_test_id("access-open")).to_be_visible()
    expect(entry).to_contain_text("更换核心交换机电源模块")
    expect(entry).to_contain_text("张伟")
    assert desktop.evaluate("() => document.documentElement.scrollWidth") <= 390

    # The check-out at that room closes it (offline again, then sync).
    engineer.goes_offline()
    phone.get_by_test_id("check-out").click()
    expect(phone.get_by_test_id("checkin-row")).to_have_count(2)
    engineer.goes_online()
    engineer.taps_sync_now()
    assert CheckIn.select().where(CheckIn.kind == "out").count() == 1
    desktop.reload()
    expect(entry).to_have_attribute("data-open", "false")
    assert Location.get_by_id(room.id).restricted
