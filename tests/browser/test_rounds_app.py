"""A maintenance report done on a phone with the network off, handed to the client on a tablet,
signed, synced and printed: the whole of a round as the engineer and the client live it."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
from PIL import Image

from tests.factories import PASSWORD
from webapp.attachments import storage
from webapp.checklists import operations as checklists
from webapp.models import Attachment, ChecklistTemplate, Fault, Round, Schedule, SyncMutation
from webapp.records import create_record
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
