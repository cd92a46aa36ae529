"""The offline app in a real browser: nothing an engineer enters is lost or arrives twice.

Each test drives the real app (service worker, IndexedDB, sync runner) against the test's own
server and database, and checks the database for the outcome.
"""

from __future__ import annotations

import hashlib

import pytest
from PIL import Image

from tests.conftest import sign_in_as
from tests.factories import PASSWORD, assign
from tests.sync_client import Device
from webapp.attachments import storage
from webapp.models import Attachment, Equipment, SyncConflict, SyncMutation
from webapp.records import create_record

from .app_pages import FieldEngineer

pytestmark = pytest.mark.browser


@pytest.fixture
def engineer(phone, live_server, world):
    person = FieldEngineer(phone, live_server)
    person.signs_in("eng", PASSWORD)
    person.opens_the_app()
    return person


def test_an_edit_made_offline_survives_a_reload_and_arrives_once(engineer, world):
    device = world["equipment"][0]

    engineer.goes_offline()
    engineer.edits(str(device.id), notes="风扇已清灰", serial_number="SN-8842")
    response = engineer.reloads()

    assert response is not None and response.from_service_worker, "the shell came from the network"
    assert engineer.sees_pending_note()
    assert engineer.state()["pending"] == 1
    assert Equipment.get_by_id(device.id).notes != "风扇已清灰"

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()

    stored = Equipment.get_by_id(device.id)
    assert (stored.notes, stored.serial_number) == ("风扇已清灰", "SN-8842")
    assert stored.location_id == device.location_id, "a field the user did not touch changed"
    assert stored.version == device.version + 1
    assert SyncMutation.select().where(SyncMutation.entity_id == str(device.id)).count() == 1


def test_a_captive_portal_page_or_a_lost_answer_leaves_the_outbox_as_it_was(engineer, world):
    device = world["equipment"][0]
    page = engineer.page
    portal = "<html><body>Welcome to the hotel Wi-Fi</body></html>"
    page.route(
        "**/api/sync/push",
        lambda route: route.fulfill(status=200, content_type="text/html", body=portal),
    )
    engineer.edits(str(device.id), notes="换了电源模块")
    engineer.taps_sync_now()
    assert engineer.state()["pending"] == 1
    page.unroute("**/api/sync/push")

    def lose_the_answer(route):
        route.fetch()  # the server applies the batch...
        route.abort("connectionreset")  # ...and the answer never arrives

    page.route("**/api/sync/push", lose_the_answer)
    engineer.taps_sync_now()
    assert engineer.state()["pending"] == 1
    assert Equipment.get_by_id(device.id).notes == "换了电源模块"
    page.unroute("**/api/sync/push")

    engineer.taps_sync_now()
    engineer.waits_until_sent()
    assert Equipment.get_by_id(device.id).version == device.version + 1, "applied twice"


def test_an_expired_session_pauses_sync_and_signing_in_again_resumes_it(engineer, world):
    device = world["equipment"][0]
    page = engineer.page

    engineer.goes_offline()
    engineer.edits(str(device.id), notes="会话过期后录入")
    engineer.context.clear_cookies()  # the session ends while the phone is in the machine room
    engineer.goes_online()  # the app syncs on its own when the network returns, and gets a 401
    page.wait_for_function("() => window.__rounds.state().paused")

    assert engineer.state()["pending"] == 1
    page.get_by_test_id("sign-in-again").click()
    form = page.get_by_test_id("sign-in")
    form.locator("#si-password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    engineer.waits_until_sent()

    assert Equipment.get_by_id(device.id).notes == "会话过期后录入"
    assert not engineer.state()["paused"]


def test_a_new_version_waits_for_the_user_and_loses_nothing_typed(engineer, world, monkeypatch):
    from webapp.pwa import views as pwa

    device = world["equipment"][0]
    page = engineer.page
    page.goto(f"{engineer.base_url}/app/#/equipment/{device.id}/edit")
    page.get_by_test_id("equipment-form").wait_for()
    page.fill("#f-notes", "还没保存的备注")

    real = pwa.precache_manifest
    monkeypatch.setattr(pwa, "precache_manifest", lambda: ("new-release", real()[1]))
    page.evaluate("() => navigator.serviceWorker.getRegistration('/app/').then(r => r.update())")
    update = page.get_by_test_id("update")
    update.wait_for(timeout=15_000)

    assert page.input_value("#f-notes") == "还没保存的备注", "the form was reset by the update"
    with page.expect_navigation():
        update.click()
    page.get_by_test_id("equipment-form").wait_for()
    assert page.input_value("#f-notes") == "还没保存的备注", "the draft did not survive the update"
    version = page.evaluate(
        "() => navigator.serviceWorker.controller && new Promise((resolve) => {"
        " const c = new MessageChannel(); c.port1.onmessage = (e) => resolve(e.data.version);"
        " navigator.serviceWorker.controller.postMessage({type: 'GET_VERSION'}, [c.port2]); })"
    )
    assert version == "new-release"
    page.get_by_test_id("save").click()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    assert Equipment.get_by_id(device.id).notes == "还没保存的备注"


def test_a_concurrent_serial_number_change_becomes_a_conflict_the_engineer_resolves(
    engineer, world, api_as
):
    device = world["equipment"][0]
    office = api_as(world["users"]["admin"])
    engineer.goes_offline()
    engineer.edits(str(device.id), serial_number="SN-PHONE")
    answer = office.patch(f"/api/equipment/{device.id}", {"serial_number": "SN-OFFICE"})
    assert answer.status_code == 200

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    assert engineer.state()["conflicts"] == 1
    assert Equipment.get_by_id(device.id).serial_number == "SN-OFFICE"

    engineer.page.goto(f"{engineer.base_url}/app/#/equipment/{device.id}")
    conflicts = engineer.page.get_by_test_id("conflicts")
    assert "SN-OFFICE" in conflicts.inner_text() and "SN-PHONE" in conflicts.inner_text()
    mine = conflicts.locator("[data-testid=conflict-side][data-mine=yes]")
    assert "SN-PHONE" in mine.inner_text() and "你的值" in mine.inner_text()
    mine.get_by_role("button", name="使用我的值").click()
    engineer.page.wait_for_function("() => window.__rounds.state().conflicts === 0")

    assert Equipment.get_by_id(device.id).serial_number == "SN-PHONE"
    # The office's value, not used, stays in the device's history.
    not_used = engineer.page.get_by_test_id("conflict-not-used")
    not_used.wait_for()
    assert "SN-OFFICE" in not_used.inner_text()


def test_use_my_value_keeps_mine_when_my_value_is_the_one_on_the_server(engineer, world, app):
    """李明 changed the serial first; 张磊, offline on the same version, raised the conflict.
    On 李明's phone "use my value" keeps SN-LI — it once wrote 张磊's value instead."""
    device = world["equipment"][0]
    li, zhang = world["users"]["engineer"], world["engineer2"]
    li.display_name, zhang.display_name = "李明", "张磊"
    li.save()
    zhang.save()
    assign(zhang, world["sites"][0])
    client = app.test_client()
    zhang_phone = Device(client=client, csrf=sign_in_as(client, zhang))
    zhang_phone.pull_all()

    engineer.edits(str(device.id), serial_number="SN-LI")
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    zhang_phone.edit("equipment", str(device.id), {"serial_number": "SN-ZHANG"})
    assert zhang_phone.push().get_json()["results"][0]["status"] == "conflict"

    page = engineer.page
    engineer.taps_sync_now()
    page.goto(f"{engineer.base_url}/app/#/equipment/{device.id}")
    conflicts = page.get_by_test_id("conflicts")
    conflicts.wait_for()
    mine = conflicts.locator("[data-testid=conflict-side][data-mine=yes]")
    theirs = conflicts.locator("[data-testid=conflict-side][data-mine=no]")
    assert "SN-LI" in mine.inner_text() and "你的值" in mine.inner_text()
    assert "SN-ZHANG" in theirs.inner_text() and "张磊" in theirs.inner_text()
    assert theirs.get_by_role("button").inner_text() == "使用张磊的值"

    mine.get_by_role("button", name="使用我的值").click()
    page.get_by_test_id("conflict-not-used").wait_for()

    assert Equipment.get_by_id(device.id).serial_number == "SN-LI"
    (resolved,) = SyncConflict.select()
    assert (resolved.status, resolved.resolution, resolved.resolved_by_id) == (
        "resolved",
        "server",
        li.id,
    )
    # 张磊's value was not used, and stays on 李明's timeline with who wrote it.
    not_used = page.get_by_test_id("conflict-not-used").inner_text()
    assert "SN-ZHANG" in not_used and "张磊" in not_used
    assert "SN-LI" in page.get_by_test_id("conflict-kept").inner_text()
    assert page.get_by_test_id("conflicts").count() == 0


def test_a_nameplate_photo_is_scaled_kept_offline_and_uploaded_in_resumable_pieces(
    engineer, world, app, tmp_path
):
    device = world["equipment"][0]
    photo = tmp_path / "nameplate.png"
    Image.effect_noise((2400, 2400), 120).convert("RGB").save(photo)  # noise: a big JPEG
    engineer.goes_offline()
    engineer.photographs_nameplate(str(device.id), str(photo))
    [kept] = engineer.photos_on_device()
    assert kept["mime"] == "image/jpeg" and 2**20 < kept["size"] <= 5 * 2**20

    cut = {"done": False}
    starts = []

    def cut_the_second_piece_once(route):
        if route.request.method != "PUT":  # the screen showing the uploaded photo
            return route.continue_()
        content_range = route.request.headers["content-range"]
        starts.append(int(content_range.split()[1].split("-")[0]))
        if not cut["done"] and starts[-1] == 2**20:
            cut["done"] = True
            route.abort("connectionreset")
        else:
            route.continue_()

    engineer.page.route("**/api/attachments/*/content", cut_the_second_piece_once)
    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.taps_sync_now()
    engineer.page.wait_for_function("() => window.__rounds.state().uploads === 0")

    assert cut["done"], "the upload was never interrupted"
    assert starts == [0, 2**20, 2**20], f"pieces sent from {starts}: did not resume"
    stored = Attachment.get_by_id(kept["id"])
    assert (stored.owner_id, stored.status, stored.size) == (
        str(device.id),
        "complete",
        kept["size"],
    )
    with app.app_context():
        data = storage.current().read(kept["id"])
    assert hashlib.sha256(data).hexdigest() == kept["sha256"]
    assert engineer.photos_on_device() == []


def test_a_photo_damaged_on_the_way_is_sent_again_from_byte_0(engineer, world, app, tmp_path):
    """The server throws a damaged file away and answers 422: the phone starts again from
    byte 0 at once, keeping its copy until the server has the whole file."""
    device = world["equipment"][0]
    photo = tmp_path / "nameplate.png"
    Image.effect_noise((2400, 2400), 120).convert("RGB").save(photo)
    engineer.goes_offline()
    engineer.photographs_nameplate(str(device.id), str(photo))
    [kept] = engineer.photos_on_device()
    assert kept["size"] > 2**20  # two pieces

    sent = []  # "status" for a question, the first byte for a piece

    def damage_the_last_piece_once(route):
        if route.request.url.endswith("/status"):
            sent.append("status")
            return route.continue_()
        if route.request.method != "PUT":  # the screen showing the uploaded photo
            return route.continue_()
        sent.append(int(route.request.headers["content-range"].split()[1].split("-")[0]))
        if sent == [0, 2**20]:  # never started: no status request before the first piece
            body = bytearray(route.request.post_data_buffer)
            body[-1] ^= 0xFF
            return route.continue_(post_data=bytes(body))
        return route.continue_()

    engineer.page.route("**/api/attachments/*/*", damage_the_last_piece_once)
    engineer.goes_online()  # the app syncs as the network returns: one round
    engineer.page.wait_for_function("() => window.__rounds.state().uploads === 0", timeout=60_000)

    # started again at once, not left for a later round to ask where to resume
    assert sent == [0, 2**20, 0, 2**20], f"sent: {sent}"
    assert Attachment.get_by_id(kept["id"]).status == "complete"
    with app.app_context():
        data = storage.current().read(kept["id"])
    assert hashlib.sha256(data).hexdigest() == kept["sha256"]


def test_a_device_moved_to_another_client_s_site_leaves_the_phone(
    phone, live_server, world, api_as
):
    device = world["equipment"][0]
    photo = create_record(
        Attachment,
        actor=None,
        owner_entity="equipment",
        owner_id=str(device.id),
        site=device.site_id,
        kind="photo",
        mime="image/jpeg",
        size=3,
        sha256=hashlib.sha256(b"abc").hexdigest(),
    )
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    held = """async ([entity, id]) => {
      const s = await window.__rounds.db.getMeta('session');
      return Boolean(await window.__rounds.db.record(s.id, entity, id));
    }"""
    assert engineer.page.evaluate(held, ["equipment", str(device.id)])
    assert engineer.page.evaluate(held, ["attachment", str(photo.id)])
    engineer.page.goto(f"{engineer.base_url}/app/#/sites/{world['sites'][0].id}")
    engineer.page.get_by_test_id("equipment-row").first.wait_for()
    assert engineer.page.get_by_test_id("equipment-row").count() == 1

    office = api_as(world["users"]["admin"])
    moved = office.patch(f"/api/equipment/{device.id}", {"site_id": str(world["sites"][1].id)})
    assert moved.status_code == 200
    engineer.taps_sync_now()

    assert not engineer.page.evaluate(held, ["equipment", str(device.id)])
    assert not engineer.page.evaluate(held, ["attachment", str(photo.id)])
    engineer.reloads()
    engineer.page.get_by_test_id("result-count").wait_for()
    assert engineer.page.get_by_test_id("equipment-row").count() == 0


def test_a_pull_lays_a_pending_edit_over_the_office_s_newer_data(engineer, world, api_as):
    device = world["equipment"][0]
    page = engineer.page
    office = api_as(world["users"]["dispatcher"])

    engineer.goes_offline()
    engineer.edits(str(device.id), notes="二号功放风扇异响，已清灰")
    answer = office.patch(f"/api/equipment/{device.id}", {"supplier": "华东音视频工程公司"})
    assert answer.status_code == 200

    # Online again, but every push fails: the edit stays on the phone while the app pulls.
    page.route("**/api/sync/push", lambda route: route.abort())
    engineer.goes_online()
    engineer.taps_sync_now()
    assert engineer.state()["pending"] == 1
    # A failed push ends the sync round before its pull, so the pull is started on its own.
    page.evaluate(
        "async () => { const s = await window.__rounds.db.getMeta('session');"
        " await window.__rounds.sync.pull(s.id); }"
    )

    page.goto(f"{engineer.base_url}/app/#/equipment/{device.id}")
    facts = page.locator("dl.facts")
    facts.get_by_text("华东音视频工程公司").wait_for()
    assert "二号功放风扇异响，已清灰" in facts.inner_text(), "the pull overwrote the pending edit"
    assert engineer.sees_pending_note()
    assert engineer.state()["pending"] == 1
    assert Equipment.get_by_id(device.id).notes != "二号功放风扇异响，已清灰"

    page.unroute("**/api/sync/push")
    engineer.taps_sync_now()
    engineer.waits_until_sent()

    stored = Equipment.get_by_id(device.id)
    assert (stored.notes, stored.supplier) == ("二号功放风扇异响，已清灰", "华东音视频工程公司")
    assert stored.version == device.version + 2
