"""Rounds done on a phone with the network off, handed to the client, signed, synced and printed:
the whole of a round as the engineer and the client live it — a maintenance report on a tablet,
the daily 看听闻摸 round of a room signed with a finger, and what happens when the server refuses
the client's signature."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess

import pytest
from PIL import Image

from tests import factories
from tests.factories import PASSWORD
from webapp.attachments import storage
from webapp.checklists import operations as checklists
from webapp.models import (
    Answer,
    Attachment,
    ChecklistTemplate,
    Fault,
    Round,
    Schedule,
    SyncMutation,
)
from webapp.records import create_record, update_record
from webapp.rounds import seal

from .app_pages import FieldEngineer

pytestmark = pytest.mark.browser


@pytest.fixture
def report_schedule(world):
    checklists.install_shipped()
    template = ChecklistTemplate.get(ChecklistTemplate.key == "maintenance-report")
    return create_record(
        Schedule, actor=None, template=template, site=world["sites"][0], frequency="monthly"
    )


@pytest.fixture
def engineer(phone, live_server, world, report_schedule):
    person = FieldEngineer(phone, live_server)
    person.signs_in("eng", PASSWORD)
    person.opens_the_app()
    return person


def answer_normally(card, skip_counts=False) -> None:
    """Answer one item as the engineer would when all is well."""
    counts = card.locator("input[data-count]")
    if counts.count():
        if skip_counts:
            return
        counts.nth(0).fill("2")
        counts.nth(1).fill("0")
        counts.nth(1).press("Tab")
    elif card.locator("input[data-field=reading]").count():
        card.locator("input[data-field=reading]").fill("220.4")
        card.locator("input[data-field=nominal]").fill("220")
        card.locator("input[data-field=nominal]").press("Tab")
    else:
        card.locator("button[data-status=normal]").click()
    card.page.wait_for_function(
        "(key) => document.querySelector(`article[data-key='${key}']`).dataset.status !== ''",
        arg=card.get_attribute("data-key"),
    )


def test_a_maintenance_report_done_offline_is_signed_by_the_client_and_printed(
    engineer, world, tmp_path, live_server, app
):
    page = engineer.page
    photo = tmp_path / "screen.jpg"
    Image.new("RGB", (2400, 1800), (180, 120, 60)).save(photo, quality=90)

    engineer.goes_offline()
    page.goto(f"{live_server}/app/#/")
    page.get_by_test_id("due-due").first.click()
    page.get_by_test_id("round").wait_for()
    cards = page.get_by_test_id("round-item")
    keys = [cards.nth(i).get_attribute("data-key") for i in range(cards.count())]
    assert "terminal.image" in keys and "host.clean" in keys

    # Everything but the host's count items; the image is abnormal, with a note and a photo.
    for i, key in enumerate(keys):
        card = cards.nth(i)
        if key == "terminal.image":
            card.locator("button[data-status=abnormal]").click()
            card.locator("textarea[data-field=note]").fill("画面偏色，投影机色轮异常")
            card.locator("textarea[data-field=note]").press("Tab")
            with page.expect_file_chooser() as chooser:
                card.get_by_test_id("add-photo").click()
            chooser.value.set_files(str(photo))
            card.locator("img.thumb").wait_for(timeout=30_000)
            continue
        answer_normally(card, skip_counts=key.startswith("host.") and key != "host.logs")

    # Submitting names what is missing, in Chinese.
    page.get_by_test_id("submit-round").click()
    missing = page.get_by_test_id("missing")
    missing.wait_for()
    assert "清除机身外壳灰尘" in missing.inner_text()
    assert "检查接头有没有松动" in missing.inner_text()
    for key in ("host.clean", "host.connectors", "host.fans"):
        answer_normally(page.locator(f"article[data-key='{key}']"))
    page.fill("#round-summary", "系统运行正常，投影机色轮待更换。")
    page.get_by_test_id("submit-round").click()
    page.get_by_test_id("handover").click()

    # The client takes the tablet: the summary and the acceptance block only.
    page.set_viewport_size({"width": 820, "height": 1180})
    screen = page.get_by_test_id("handover-screen")
    screen.wait_for()
    assert page.locator(".app-nav").is_hidden()
    assert "画面偏色" in screen.inner_text()
    page.get_by_test_id("sign").click()
    problems = page.get_by_test_id("acceptance-errors")
    assert problems.locator("li").count() == 4  # nothing filled in yet: each named, in Chinese
    assert "签名" in problems.inner_text()
    page.get_by_test_id("accepted").check()
    page.locator("input[name=handover][value=none]").check()
    page.locator("input[name=satisfaction][value=satisfied]").check()
    page.get_by_test_id("signer").fill("王经理")
    page.get_by_test_id("signature-pad").scroll_into_view_if_needed()
    pad = page.get_by_test_id("signature-pad").bounding_box()
    for dy in (0, 30):
        page.mouse.move(pad["x"] + 40, pad["y"] + 60 + dy)
        page.mouse.down()
        for step in range(1, 12):
            page.mouse.move(pad["x"] + 40 + step * 30, pad["y"] + 60 + dy + (step % 3) * 12)
        page.mouse.up()
    page.get_by_test_id("sign").click()
    page.get_by_test_id("signed").wait_for()
    device_seal = page.get_by_test_id("signed").locator("code").inner_text()
    assert Round.select().count() == 0  # all of it is still on the phone
    page.get_by_test_id("signed").get_by_role("button").click()  # back to the engineer
    page.get_by_test_id("sealed").wait_for()

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    page.wait_for_function("() => window.__rounds.state().needsAttention === 0")

    stored = Round.get()
    assert stored.status == "sealed" and stored.seal_hash == device_seal
    assert stored.number.startswith("R-")
    content = seal.sealed_content(
        stored, acceptance=stored.acceptance, signature_id=stored.signature_id
    )
    assert seal.seal_hash(content) == device_seal
    assert stored.acceptance["signer"] == "王经理"
    fault = Fault.get()
    assert fault.item_key == "terminal.image" and "色轮" in fault.description
    assert fault.number.startswith("F-")
    # The round lists the fault it raised, leading to the fault's screen.
    page.get_by_test_id("round-faults").locator(f'a[data-fault="{fault.id}"]').wait_for()
    files = {a.kind: a for a in Attachment.select()}
    assert set(files) == {"photo", "signature"}
    for attachment in files.values():
        assert attachment.status == "complete"
        with app.app_context():
            data = storage.current().read(str(attachment.id))
        assert hashlib.sha256(data).hexdigest() == attachment.sha256
    assert fault.photos == [str(files["photo"].id)]
    assert SyncMutation.select().where(SyncMutation.status == "rejected").count() == 0

    # The printed report, in the reader's language.
    pdf = page.request.get(
        f"{live_server}/api/rounds/{stored.id}/report.pdf", headers={"Accept-Language": "zh-CN"}
    )
    assert pdf.status == 200
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.body())
    words = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "清除机身外壳灰尘" in words and "画面偏色" in words
    assert device_seal in words.replace("\n", "").replace(" ", "")
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(image.histogram()[:200])
    assert dark > 500, "the first page is blank"


def test_a_half_done_daily_round_survives_closing_the_app_and_resumes(phone, live_server, world):
    checklists.install_shipped()
    template = ChecklistTemplate.get(ChecklistTemplate.key == "daily-round")
    create_record(Schedule, actor=None, template=template, site=world["sites"][0])
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    page = engineer.page
    engineer.goes_offline()
    page.get_by_test_id("due-due").first.click()
    page.get_by_test_id("round").wait_for()
    per_device = page.locator(".round-section").filter(has=page.get_by_test_id("all-normal"))
    assert per_device.count() == 1  # the site's one device, asked look/listen/smell/touch
    per_device.get_by_test_id("all-normal").click()
    page.wait_for_function(
        "() => document.querySelectorAll('article[data-status=normal]').length === 7"
    )
    page.locator("article[data-key=power_on] button[data-status=abnormal]").click()
    page.locator("article[data-key=power_on] textarea[data-field=note]").fill("UPS 报警")
    page.locator("article[data-key=power_on] textarea[data-field=note]").press("Tab")
    # the round, seven answers in one tap, the abnormal answer and then its note
    page.wait_for_function("() => window.__rounds.state().pending === 10")

    # The battery dies; later the app opens again from the home screen, still offline.
    page.goto(f"{live_server}/app/#/")
    page.get_by_test_id("due-in-progress").click()
    page.get_by_test_id("round").wait_for()
    assert page.locator("article[data-status=normal]").count() == 7
    power = page.locator("article[data-key=power_on]")
    assert power.get_attribute("data-status") == "abnormal"
    assert power.locator("textarea[data-field=note]").input_value() == "UPS 报警"

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    stored = Round.get()
    assert stored.answers.count() == 8  # seven for the device, and the power-on check
    assert {a.status for a in stored.answers} == {"normal", "abnormal"}


# -- the daily round of a room, signed with a finger ------------------------------------------


@pytest.fixture
def daily_room(world):
    """The daily round of one room with three devices; a fourth device stands in another room."""
    checklists.install_shipped()
    template = ChecklistTemplate.get(ChecklistTemplate.key == "daily-round")
    site, room = world["sites"][0], world["locations"][0]
    devices = [
        world["equipment"][0],
        factories.create_equipment(site, room, name="功放", serial_number="SN-A2"),
        factories.create_equipment(site, room, name="中控主机", serial_number="SN-A3"),
    ]
    elsewhere = factories.create_location(site, "弱电间")
    factories.create_equipment(site, elsewhere, name="核心交换机", serial_number="SN-A4")
    create_record(
        Schedule, actor=None, template=template, site=site, location=room, frequency="daily"
    )
    return {"site": site, "room": room, "devices": devices}


def outbox(page) -> list[dict]:
    return page.evaluate(
        """async () => {
          const s = await window.__rounds.db.getMeta('session');
          const entries = await window.__rounds.db.outbox(s.id);
          return entries.map((e) => ({entity: e.entity, op: e.op, status: e.status,
                                      item_key: e.changes && e.changes.item_key}));
        }"""
    )


def does_the_daily_round(page, devices, abnormal_device) -> str:
    """All normal for every device, the listen check of one device abnormal with a note;
    returns that item's key."""
    page.get_by_test_id("due-due").first.click()
    page.get_by_test_id("round").wait_for()
    sections = page.locator(".round-section").filter(has=page.get_by_test_id("all-normal"))
    assert sections.count() == len(devices)  # the room's devices only, each asked 看听闻摸
    for i in range(sections.count()):
        sections.nth(i).get_by_test_id("all-normal").click()
    total = 2 + 7 * len(devices)
    page.wait_for_function(
        "(n) => document.querySelectorAll('article[data-status=normal]').length === n",
        arg=total - 2,
    )
    for key in ("power_on", "functions"):
        page.locator(f"article[data-key={key}] button[data-status=normal]").click()
    key = f"listen@{abnormal_device.id}"
    card = page.locator(f"article[data-key='{key}']")
    card.locator("button[data-status=abnormal]").click()
    card.locator("textarea[data-field=note]").fill("功放有异常嗡嗡声")
    card.locator("textarea[data-field=note]").press("Tab")
    page.wait_for_function(
        "(n) => document.querySelectorAll('article[data-status]:not([data-status=\"\"])').length"
        " === n",
        arg=total,
    )
    return key


def signs_with_a_finger(page, signer="陈建国") -> str:
    """The client fills in the acceptance block and signs with a finger (real touch input);
    returns the seal the device shows."""
    screen = page.get_by_test_id("handover-screen")
    screen.wait_for()
    page.get_by_test_id("accepted").check()
    page.locator("input[name=handover][value=none]").check()
    page.locator("input[name=satisfaction][value=very_satisfied]").check()
    page.get_by_test_id("signer").fill(signer)
    pad = page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    cdp = page.context.new_cdp_session(page)
    try:
        for dy in (0, 45):
            x, y = box["x"] + 30, box["y"] + 50 + dy
            touch = {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
            cdp.send("Input.dispatchTouchEvent", touch)
            for step in range(1, 12):
                point = {"x": x + step * 24, "y": y + (step % 3) * 11}
                cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
            cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        cdp.detach()
    page.get_by_test_id("sign").click()
    page.get_by_test_id("signed").wait_for()
    return page.get_by_test_id("signed").locator("code").inner_text()


def test_a_daily_round_done_offline_is_signed_by_the_client_with_a_finger(
    phone, live_server, world, daily_room
):
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    page = engineer.page
    engineer.goes_offline()
    key = does_the_daily_round(page, daily_room["devices"], daily_room["devices"][1])

    # A double tap on 提交: one submission, one fault for the one abnormal item.
    page.get_by_test_id("submit-round").dblclick()
    page.get_by_test_id("handover").wait_for()
    page.wait_for_function("() => !window.__rounds.state().syncing")
    waiting = outbox(page)
    assert [e["op"] for e in waiting if e["entity"] == "round"] == ["create", "submit"]
    assert [e["item_key"] for e in waiting if e["entity"] == "fault"] == [key]

    # The daily round asks for the client's acceptance: handed over from the round's screen.
    page.get_by_test_id("handover").click()
    assert "功放有异常嗡嗡声" in page.get_by_test_id("handover-screen").inner_text()
    device_seal = signs_with_a_finger(page)
    back = page.get_by_role("button", name="交还工程师")
    assert back.count() == 1  # once, in the thank-you note
    back.click()
    page.get_by_test_id("sealed").wait_for()
    assert Round.select().count() == 0  # all of it is still on the phone

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    page.wait_for_function(
        "() => !window.__rounds.state().syncing && !window.__rounds.state().uploads"
    )
    assert page.get_by_test_id("sync-status").inner_text() == "在线"
    assert engineer.state()["needsAttention"] == 0

    stored = Round.get()
    assert stored.status == "sealed" and stored.seal_hash == device_seal
    assert stored.location_id == daily_room["room"].id
    content = seal.sealed_content(
        stored, acceptance=stored.acceptance, signature_id=stored.signature_id
    )
    assert seal.seal_hash(content) == device_seal
    per_device = [a for a in content["answers"] if a["equipment_id"]]
    assert len(per_device) == 21 and {a["equipment_id"] for a in per_device} == {
        str(d.id) for d in daily_room["devices"]
    }
    assert stored.acceptance["signer"] == "陈建国"
    assert stored.acceptance["satisfaction"] == "very_satisfied"
    signature = Attachment.get_by_id(stored.signature_id)
    assert (signature.kind, signature.status) == ("signature", "complete")
    assert Answer.select().where(Answer.round == stored.id).count() == 23
    faults = list(Fault.select())
    assert [(f.item_key, str(f.equipment_id)) for f in faults] == [
        (key, str(daily_room["devices"][1].id))
    ]
    assert SyncMutation.select().where(SyncMutation.status == "rejected").count() == 0
    assert SyncMutation.select().where(SyncMutation.op == "submit").count() == 1


# -- a signature the server refuses ---------------------------------------------------------


def signed_offline_then_changed_in_the_office(engineer, live_server, daily_room, world):
    """Done and submitted online; signed offline; meanwhile the office corrects an answer.
    Back online, the server refuses the signature. Returns (the device's seal, the answer)."""
    page = engineer.page
    key = does_the_daily_round(page, daily_room["devices"], daily_room["devices"][1])
    page.get_by_test_id("submit-round").click()
    page.get_by_test_id("handover").wait_for()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    assert Round.get().status == "submitted"

    engineer.goes_offline()
    page.get_by_test_id("handover").click()
    device_seal = signs_with_a_finger(page)
    page.get_by_role("button", name="交还工程师").click()
    answer = Answer.get(Answer.item_key == key)
    update_record(
        answer,
        actor=world["users"]["dispatcher"],
        changes={"note": "功放有异常嗡嗡声（已联系厂家）"},
    )

    engineer.goes_online()
    engineer.taps_sync_now()
    page.wait_for_function("() => window.__rounds.state().needsAttention === 1")
    page.wait_for_function(
        "() => !window.__rounds.state().syncing && !window.__rounds.state().uploads"
    )
    stored = Round.get()
    assert stored.status == "submitted" and stored.acceptance is None
    return device_seal, answer


def test_a_refused_signature_is_explained_exported_and_signed_again(
    phone, live_server, world, daily_room, tmp_path
):
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    page = engineer.page
    first_seal, _answer = signed_offline_then_changed_in_the_office(
        engineer, live_server, daily_room, world
    )

    page.goto(f"{live_server}/app/#/outbox")
    entry = page.get_by_test_id("refused-entry")
    entry.first.wait_for()
    assert entry.count() == 1
    assert entry.get_by_test_id("entry-kind").inner_text() == "巡检 · 客户签字"
    assert "封存码与服务器上的巡检内容不符" in entry.get_by_test_id("refusal").inner_text()
    assert "签字仍保存在本机" in entry.get_by_test_id("seal-help").inner_text()
    shown = entry.inner_text()
    for raw in ("round", "sign", "seal_hash", "Client"):
        assert raw not in shown, raw

    with page.expect_download() as download:
        entry.get_by_test_id("export").click()
    path = tmp_path / "refused.json"
    download.value.save_as(path)
    exported = json.loads(path.read_text("utf-8"))
    [sign] = exported["outbox"]
    assert (sign["entity"], sign["op"]) == ("round", "sign")
    assert sign["changes"]["seal_hash"] == first_seal
    [picture] = [b for b in exported["blobs"] if b["kind"] == "signature"]
    png = base64.b64decode(picture["base64"])
    assert png.startswith(b"\x89PNG")
    old_signature = Attachment.get_by_id(sign["changes"]["signature_id"])
    assert hashlib.sha256(png).hexdigest() == old_signature.sha256  # the one the client drew
    assert any(r["entity"] == "round" for r in exported["records"])
    assert sum(r["entity"] == "answer" for r in exported["records"]) == 23

    # The way out: the client checks the corrected round and signs again; nothing is lost.
    entry.get_by_test_id("sign-again").click()
    page.get_by_test_id("sign-again").wait_for()  # the hand-over says why
    assert "已联系厂家" in page.get_by_test_id("handover-screen").inner_text()
    second_seal = signs_with_a_finger(page, signer="陈建国")
    assert second_seal != first_seal
    page.get_by_role("button", name="交还工程师").click()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    page.wait_for_function("() => window.__rounds.state().needsAttention === 0")
    stored = Round.get()
    assert (stored.status, stored.seal_hash) == ("sealed", second_seal)
    assert Attachment.get_by_id(old_signature.id).status == "complete"  # the first one is kept
    page.wait_for_function(
        "() => !window.__rounds.state().syncing && !window.__rounds.state().uploads"
    )
    assert engineer.photos_on_device() == []  # both pictures are on the server


def test_a_refused_signature_is_sent_again_once_the_office_puts_the_round_back(
    phone, live_server, world, daily_room
):
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    page = engineer.page
    device_seal, answer = signed_offline_then_changed_in_the_office(
        engineer, live_server, daily_room, world
    )
    update_record(
        Answer.get_by_id(answer.id),
        actor=world["users"]["dispatcher"],
        changes={"note": "功放有异常嗡嗡声"},
    )
    page.goto(f"{live_server}/app/#/outbox")
    page.get_by_test_id("refused-entry").get_by_test_id("resend").click()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    page.wait_for_function("() => window.__rounds.state().needsAttention === 0")
    stored = Round.get()
    assert (stored.status, stored.seal_hash) == ("sealed", device_seal)
    assert (
        SyncMutation.select().where(SyncMutation.op == "sign").count() == 2
    )  # refused, then sent again
