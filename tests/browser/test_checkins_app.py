"""Checking in at a room offline, signed by a passkey, in a real browser: Chromium's virtual
authenticator signs the SHA-256 of the record the phone built, with the network off; the phone
syncs when the network comes back, and the server holds one check-in whose hash and assertion it
checked itself. A record changed in the phone's storage after signing is refused by name, shown
on the check-in screen and kept in the outbox."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from webapp.checkins.record import canonical_bytes
from webapp.models import CheckIn, Passkey
from webapp.tags import operations as tag_ops

from .app_pages import FieldEngineer
from .pages import Admin
from .test_passkeys import add_virtual_authenticator
from .test_scanning import (  # the scanning tests' fake camera and labels
    issue,
    label_of_text,
    phone_with_camera,  # noqa: F401 - a fixture
    video_of,
    wait_for_tag_on_phone,
)

pytestmark = pytest.mark.browser

TAMPERED_ZH = "此签到记录在手机上签名后被改动过，未被接受。"

# Change the kind of the newest waiting check-in in the phone's outbox, as someone with the
# phone's storage could: the signed bytes stay as they were.
TAMPER = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('rounds');
  open.onsuccess = () => {
    const tx = open.result.transaction('outbox', 'readwrite');
    const store = tx.objectStore('outbox');
    const all = store.getAll();
    all.onsuccess = () => {
      const waiting = all.result.filter((e) => e.entity === 'checkin' && e.status === 'pending');
      const entry = waiting.pop();
      entry.changes.kind = entry.changes.kind === 'in' ? 'out' : 'in';
      store.put(entry);
      tx.oncomplete = () => { open.result.close(); resolve(entry.id); };
    };
  };
  open.onerror = () => reject(open.error);
})"""


@pytest.fixture
def public_url(app, live_server):
    app.config["PUBLIC_URL"] = live_server
    return live_server


def test_a_check_in_signed_offline_at_a_room_is_verified_on_sync_and_a_tampered_one_refused(
    phone, desktop, public_url, world, app
):
    room = world["locations"][0]
    with app.test_request_context():
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
    engineer.taps_sync_now()  # the newest signed server time is on the phone now

    engineer.goes_offline()
    phone.goto(f"{public_url}/app/#/checkin/t/{tag.token}")
    expect(phone.get_by_test_id("checkin-place")).to_contain_text(room.name)
    expect(phone.get_by_test_id("access-form")).to_be_hidden()  # not a restricted room
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("checkin-saved")).to_have_attribute("data-signed", "true")
    expect(phone.get_by_test_id("checkin-row").first).to_have_attribute("data-state", "waiting")

    phone.get_by_test_id("check-out").click()
    expect(phone.get_by_test_id("checkin-row")).to_have_count(2)
    tampered_id = phone.evaluate(TAMPER)
    assert CheckIn.select().count() == 0  # nothing left the phone

    engineer.goes_online()
    engineer.taps_sync_now()
    kept = CheckIn.get()
    assert kept.kind == "in" and kept.verification == "verified" and kept.signed
    assert kept.passkey_id == Passkey.get().id and kept.tag_id == tag.id
    signed = {
        "id": kept.id,
        "user_id": kept.user_id,
        "site_id": kept.site_id,
        "location_id": kept.location_id,
        "tag_token": kept.tag_token,
        "kind": kept.kind,
        "device_time": kept.device_text,
        "server_time": kept.server_stamp,
    }
    assert kept.content_hash == hashlib.sha256(canonical_bytes(signed)).hexdigest()
    assert kept.window_start is not None and "clock_outside_window" not in kept.flags

    refused = phone.locator(f"[data-testid=checkin-row][data-id='{tampered_id}']")
    expect(refused).to_have_attribute("data-state", "refused")
    expect(refused).to_contain_text(TAMPERED_ZH)
    verified = phone.locator(f"[data-testid=checkin-row][data-id='{kept.id}']")
    expect(verified).to_have_attribute("data-state", "verified")
    # The refused record stays in the outbox with its reason: nothing signed is lost.
    phone.goto(f"{public_url}/app/#/outbox")
    expect(phone.get_by_text(TAMPERED_ZH).first).to_be_visible()

    # The office sees it, verified, at phone width too.
    desktop.set_viewport_size({"width": 390, "height": 800})
    office = Admin(desktop, public_url)
    office.signs_in("disp", PASSWORD)
    office.opens(f"/office/checkins?month={kept.device_time:%Y-%m}")
    card = desktop.locator(f"[data-testid=office-checkin][data-id='{kept.id}']")
    expect(card).to_have_attribute("data-verification", "verified")
    expect(card).to_contain_text(room.name)
    assert desktop.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert (
        desktop.locator("[data-testid=office-checkin]").count() == 1
    )  # the refused one is not kept


def test_the_rooms_label_scanned_through_the_camera_offline_signs_a_verified_check_in(
    phone_with_camera,  # noqa: F811 - the fixture imported above
    public_url,
    world,
    app,
    tmp_path,
):
    site, room = world["sites"][0], world["locations"][0]
    tag = issue(app, room)
    label = label_of_text(f"{public_url}/t/{tag.token}")
    engineer = phone_with_camera(video_of(label, tmp_path / "room.y4m"))
    phone = engineer.page
    add_virtual_authenticator(phone)
    phone.goto(f"{public_url}/app/#/settings")
    card = phone.get_by_test_id("passkeys-card")
    card.locator("#passkey-name").fill("工作手机")
    card.get_by_test_id("add-passkey").click()
    expect(card.get_by_test_id("passkey")).to_have_count(1)
    engineer.taps_sync_now()
    wait_for_tag_on_phone(engineer, tag)

    engineer.goes_offline()
    phone.goto(f"{public_url}/app/#/sites/{site.id}")
    phone.get_by_test_id("open-checkin").click()
    expect(phone.get_by_test_id("checkin-place")).not_to_contain_text(room.name)
    phone.get_by_test_id("checkin-scan").click()
    expect(phone.get_by_test_id("checkin-place")).to_contain_text(room.name, timeout=20_000)
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("checkin-saved")).to_have_attribute("data-signed", "true")

    engineer.goes_online()
    engineer.taps_sync_now()
    kept = CheckIn.get()
    assert kept.verification == "verified" and kept.tag_id == tag.id and kept.location_id == room.id
    expect(phone.get_by_test_id("checkin-row").first).to_have_attribute("data-state", "verified")


def test_a_phone_without_a_passkey_keeps_the_check_in_unsigned_and_says_so(
    phone, public_url, world
):
    engineer = FieldEngineer(phone, public_url)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    add_virtual_authenticator(phone, verifies=False)  # the screen lock check fails
    engineer.goes_offline()
    phone.goto(f"{public_url}/app/#/checkin/{world['sites'][0].id}")
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("checkin-saved")).to_have_attribute("data-signed", "false")
    expect(phone.get_by_test_id("checkin-row").first).to_have_attribute("data-state", "unsigned")
    engineer.goes_online()
    engineer.taps_sync_now()
    kept = CheckIn.get()
    assert kept.verification == "unsigned" and not kept.signed
    assert kept.flags == ["no_tag"]
