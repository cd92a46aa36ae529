"""The equipment register on a phone with the network off: finding a device by a piece of its
name or serial number, narrowing by system, status and location, reading its years in use,
warranty and history, and adding a manual that reaches the server intact once back online."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.factories import PASSWORD, create_equipment, create_location
from webapp.attachments import storage
from webapp.checklists import operations as checklists
from webapp.models import (
    Answer,
    Attachment,
    ChecklistTemplate,
    Equipment,
    Fault,
    Round,
    TemplateVersion,
)
from webapp.records import create_record

from .app_pages import FieldEngineer
from .conftest import PHONE_UA, TIMEOUT_MS

pytestmark = pytest.mark.browser

ROWS = (
    "() => [...document.querySelectorAll('[data-testid=equipment-row]')].map((a) => a.dataset.id)"
)
EVENTS = """() => [...document.querySelectorAll('[data-testid=timeline-event]')].map((li) => ({
  kind: li.dataset.kind, id: li.dataset.id, text: li.innerText,
  href: li.querySelector('a') ? li.querySelector('a').getAttribute('href') : null,
  result: (li.querySelector('[data-result]') || {dataset: {}}).dataset.result || null,
}))"""


def years_ago(years: int, days: int = 0) -> date:
    today = date.today()
    try:
        then = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        then = today.replace(year=today.year - years, day=28)
    return then - timedelta(days=days)


@pytest.fixture
def register(world):
    """Site A's register: two rooms and a spread of systems, statuses and serial numbers; the
    mixing desk had a daily round with an abnormal answer and a fault, before the phone syncs."""
    site = world["sites"][0]
    control_room = world["locations"][0]  # 音控机房
    hall = create_location(site, "一号会议室")
    devices = {
        "desk": create_equipment(
            site,
            control_room,
            name="数字调音台 2号",
            code="AV-0002",
            system="audio",
            brand="雅马哈",
            model="CL5",
            serial_number="SN-8842-A",
            manufacturer="雅马哈乐器音响（中国）投资有限公司",
            installed_on=years_ago(4, days=10),
            warranty_until=date(2024, 6, 30),
        ),
        "receiver": create_equipment(
            site,
            control_room,
            name="无线话筒接收机",
            code="AV-0003",
            system="audio",
            brand="Shure",
            model="ULXD4Q",
            serial_number="ULX-77120",
            service_years=7,
        ),
        "projector": create_equipment(
            site,
            hall,
            name="激光投影机",
            code="VD-0001",
            system="video",
            brand="索尼",
            model="VPL-FHZ700",
            serial_number="5501234",
            status="faulty",
        ),
        "screen": create_equipment(
            site,
            hall,
            name="电动投影幕",
            code="VD-0000",
            system="video",
            brand="红叶",
            model="5501234-B",  # holds the projector's serial number, and comes first
            serial_number="HY-330",
        ),
        "led": create_equipment(
            site,
            hall,
            name="LED 拼接控制器",
            code="VD-0002",
            system="video",
            brand="诺瓦",
            model="MCTRL4K",
            serial_number="NV-220",
        ),
        "spare": create_equipment(
            site,
            None,
            name="备用投影机",
            code="VD-0009",
            system="video",
            status="spare",
            serial_number="5501235",
        ),
    }
    for n in range(1, 36):  # enough for more than one page of rows
        create_equipment(site, None, name=f"电源插座 {n}号", code=f"ZZ-{n:03d}", system="power")
    checklists.install_shipped()
    template = ChecklistTemplate.get(ChecklistTemplate.key == "daily-round")
    version = TemplateVersion.get(
        (TemplateVersion.template == template) & (TemplateVersion.status == "published")
    )
    desk = devices["desk"]
    engineer = world["users"]["engineer"]
    inspection = create_record(
        Round,
        actor=None,
        number="R-2026-00042",
        template_version=version,
        site=site,
        location=control_room,
        equipment_ids=[str(desk.id), str(devices["receiver"].id)],
        engineer=engineer,
        period="2026-03-02",
        status="submitted",
        started_at="2026-03-02T09:15:00.000+08:00",
        submitted_at="2026-03-02T09:40:00.000+08:00",
    )
    for key, status in (("look", "normal"), ("listen", "abnormal")):
        create_record(
            Answer,
            actor=None,
            round=inspection,
            site=site,
            item_key=f"{key}@{desk.id}",
            equipment=desk,
            status=status,
            note="风扇异响" if status == "abnormal" else "",
            answered_at="2026-03-02T09:20:00.000+08:00",
        )
    fault = create_record(
        Fault,
        actor=None,
        number="F-2026-00007",
        site=site,
        location=control_room,
        equipment=desk,
        round=inspection,
        item_key=f"listen@{desk.id}",
        description="调音台风扇异响，已报调度",
        severity="high",
        reported_at="2026-03-02T09:30:00.000+08:00",
        reported_by=engineer,
    )
    return {"site": site, "hall": hall, "devices": devices, "round": inspection, "fault": fault}


@pytest.fixture
def engineer(phone, live_server, world, register):
    person = FieldEngineer(phone, live_server)
    person.signs_in("eng", PASSWORD)
    person.opens_the_app()
    return person


def open_register(engineer, site_id) -> None:
    page = engineer.page
    page.goto(f"{engineer.base_url}/app/#/sites/{site_id}")
    page.get_by_test_id("register-search").wait_for()


def open_device(engineer, device_id) -> None:
    page = engineer.page
    page.goto(f"{engineer.base_url}/app/#/equipment/{device_id}")
    page.locator(f"[data-testid=equipment][data-id='{device_id}']").wait_for()


def searches(page, query: str) -> list[str]:
    """Type a query as a person does, one character at a time; the ids of the rows shown."""
    box = page.get_by_test_id("register-search")
    box.fill("")
    box.press_sequentially(query, delay=20)
    page.wait_for_function(
        "(q) => document.getElementById('register-search').value === q"
        " && document.querySelector('[data-testid=equipment-list]').dataset.rendered",
        arg=query,
    )
    return page.evaluate(ROWS)


def shown_count(page) -> int:
    return int(page.get_by_test_id("result-count").get_attribute("data-count"))


def test_search_by_name_and_serial_and_filters_work_offline(engineer, world, register):
    page = engineer.page
    ids = {name: str(device.id) for name, device in register["devices"].items()}
    engineer.goes_offline()
    open_register(engineer, register["site"].id)
    first_page = page.evaluate(ROWS)
    assert len(first_page) == 30 and shown_count(page) == 42
    page.get_by_test_id("show-more").click()
    everything = page.evaluate(ROWS)
    assert len(everything) == 42
    assert set(ids.values()) <= set(everything)
    assert str(world["equipment"][1].id) not in everything, "a device of another site is shown"

    # A piece of a Chinese name: both mixing desks, nothing else.
    assert sorted(searches(page, "调音")) == sorted([ids["desk"], str(world["equipment"][0].id)])
    assert shown_count(page) == 2
    # A serial number typed in full-width characters, without the last part.
    assert searches(page, "ＳＮ－８８４２") == [ids["desk"]]
    # A serial number typed without its dash finds it too.
    assert searches(page, "ulx77") == [ids["receiver"]]
    # An exact serial number comes first, before a device that merely contains it.
    found = searches(page, "5501234")
    assert found == [ids["projector"], ids["screen"]]
    # Brand and location name are searched too.
    assert searches(page, "诺瓦") == [ids["led"]]
    assert set(searches(page, "一号会议室")) == {ids["projector"], ids["screen"], ids["led"]}

    searches(page, "")
    page.get_by_test_id("filter-system").select_option("video")
    video = page.evaluate(ROWS)
    assert set(video) == {ids["projector"], ids["screen"], ids["led"], ids["spare"]}
    assert shown_count(page) == 4
    page.get_by_test_id("filter-status").select_option("faulty")
    assert page.evaluate(ROWS) == [ids["projector"]]
    page.get_by_test_id("filter-status").select_option("spare")
    assert page.evaluate(ROWS) == [ids["spare"]]
    # The filters and the query combine.
    page.get_by_test_id("filter-status").select_option("")
    page.get_by_test_id("filter-location").select_option(str(register["hall"].id))
    assert searches(page, "投影") == [ids["screen"], ids["projector"]]  # by asset number

    page.get_by_test_id("clear-filters").click()
    assert shown_count(page) == len(everything)

    # The query and filters are still there after looking at a device and coming back.
    page.get_by_test_id("filter-status").select_option("faulty")
    page.locator(f"[data-testid=equipment-row][data-id='{ids['projector']}']").click()
    page.locator(f"[data-testid=equipment][data-id='{ids['projector']}']").wait_for()
    page.go_back()
    page.get_by_test_id("register-search").wait_for()
    assert page.evaluate(ROWS) == [ids["projector"]]

    # A device renamed on the phone is found under its new name when coming back.
    page.get_by_test_id("clear-filters").click()
    engineer.edits(ids["led"], name="主屏 LED 拼接控制器")
    open_register(engineer, register["site"].id)
    assert searches(page, "主屏") == [ids["led"]]


def test_the_equipment_screen_shows_years_in_use_warranty_and_history_offline(
    engineer, world, register
):
    page = engineer.page
    desk = register["devices"]["desk"]
    engineer.goes_offline()
    open_device(engineer, desk.id)

    assert page.get_by_test_id("years-in-use").get_attribute("data-years") == "4"
    assert "4" in page.get_by_test_id("years-in-use").inner_text()
    assert page.get_by_test_id("warranty").get_attribute("data-state") == "expired"
    assert "2024-06-30" in page.get_by_test_id("warranty").inner_text()

    events = page.evaluate(EVENTS)
    kinds = [e["kind"] for e in events]
    assert "round" in kinds and "fault" in kinds
    inspection = next(e for e in events if e["kind"] == "round")
    fault = next(e for e in events if e["kind"] == "fault")
    assert inspection["href"] == f"#/rounds/{register['round'].id}"
    assert inspection["result"] == "abnormal", "the abnormal answer is not shown"
    assert "日常巡检" in inspection["text"] and "R-2026-00042" in inspection["text"]
    assert "F-2026-00007" in fault["text"] and "调音台风扇异响" in fault["text"]
    assert kinds.index("fault") < kinds.index("round"), "not newest first"

    # A device with only its years recorded by hand.
    open_device(engineer, register["devices"]["receiver"].id)
    assert page.get_by_test_id("years-in-use").get_attribute("data-years") == "7"
    assert page.get_by_test_id("warranty").get_attribute("data-state") == "unknown"
    receiver_events = page.evaluate(EVENTS)
    assert "fault" not in [e["kind"] for e in receiver_events], "another device's fault is shown"

    # An edit made here goes to the top of the history, waiting to be sent.
    engineer.edits(str(desk.id), notes="风扇已更换")
    page.get_by_test_id("timeline").wait_for()
    top = page.evaluate(EVENTS)[0]
    assert top["kind"] == "edit"

    # The round opens from the history.
    page.locator(f"[data-testid=timeline-event][data-id='{register['round'].id}'] a").click()
    page.get_by_test_id("round").wait_for()


def test_a_pdf_added_offline_reaches_the_server_intact(engineer, register, app, tmp_path):
    from fpdf import FPDF

    page = engineer.page
    desk = register["devices"]["desk"]
    noise = tmp_path / "diagram.png"
    Image.effect_noise((1000, 1000), 90).convert("RGB").save(noise)  # incompressible
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Audio system wiring diagram")
    pdf.image(str(noise), x=10, y=30, w=180)
    manual = tmp_path / "wiring.pdf"
    manual.write_bytes(bytes(pdf.output()))
    data = manual.read_bytes()
    assert len(data) > 2**20, "the PDF should take more than one upload piece"
    too_big = tmp_path / "scanned-manual.pdf"
    too_big.write_bytes(b"%PDF-1.4\n" + bytes(21 * 2**20))

    engineer.goes_offline()
    open_device(engineer, desk.id)

    page.get_by_test_id("add-document").set_input_files(str(too_big))
    error = page.get_by_test_id("document-error")
    error.wait_for()
    assert "20.0 MB" in error.inner_text()
    assert engineer.photos_on_device() == [], "a file over the limit was kept"

    page.get_by_test_id("add-document").set_input_files(str(manual))
    row = page.locator("[data-testid=document][data-state=device]")
    row.wait_for()
    assert "wiring.pdf" in row.inner_text()
    [kept] = engineer.photos_on_device()
    assert (kept["mime"], kept["size"], kept["sha256"]) == (
        "application/pdf",
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    with page.expect_popup() as opened:
        row.click()
    assert opened.value.url.startswith("blob:"), "the document does not open from the phone"
    opened.value.close()

    uploads = []
    page.on(
        "request",
        lambda r: uploads.append((r.method, r.url)) if "/api/attachments/" in r.url else None,
    )
    engineer.goes_online()
    engineer.taps_sync_now()
    page.wait_for_function("() => window.__rounds.state().uploads === 0")
    # An upload that never started goes straight to its first piece: no status request.
    assert [m for m, url in uploads if url.endswith("/status")] == []
    assert [m for m, url in uploads if url.endswith("/content")] == ["PUT", "PUT"]

    stored = Attachment.get_by_id(kept["id"])
    assert (stored.owner_entity, stored.owner_id, stored.kind, stored.mime, stored.status) == (
        "equipment",
        str(desk.id),
        "document",
        "application/pdf",
        "complete",
    )
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    with app.app_context():
        assert storage.current().read(kept["id"]) == data
    assert engineer.photos_on_device() == []

    engineer.taps_sync_now()  # the attachment's record comes back with a pull
    open_register(engineer, register["site"].id)
    open_device(engineer, desk.id)
    on_server = page.locator(f"[data-testid=document][data-id='{kept['id']}']")
    on_server.wait_for()
    assert on_server.get_attribute("data-state") == "server"
    assert on_server.get_attribute("href") == f"/api/attachments/{kept['id']}/content"
    response = page.request.get(f"{engineer.base_url}/api/attachments/{kept['id']}/content")
    assert response.ok and hashlib.sha256(response.body()).hexdigest() == stored.sha256


def test_the_phone_is_not_sent_back_its_own_edit_but_gets_the_office_edit_on_top(
    engineer, register, app, world
):
    from webapp.inventory import operations as inventory_ops
    from webapp.models import Equipment, Site

    page = engineer.page
    desk = register["devices"]["desk"]
    pulled: list[str] = []

    def note_pull(response):
        if "/api/sync/pull" in response.url and response.ok:
            pulled.extend(c["id"] for c in response.json()["changes"])

    page.on("response", note_pull)
    with page.expect_response(lambda r: "/api/sync/pull" in r.url and "held=" in r.url):
        engineer.edits(str(desk.id), notes="风扇已清灰")  # saving syncs: push, then pull
    engineer.waits_until_sent()
    engineer.taps_sync_now()
    assert str(desk.id) not in pulled, "the phone was sent back its own change"
    assert Equipment.get_by_id(desk.id).notes == "风扇已清灰"

    with app.test_request_context():
        inventory_ops.update_equipment(
            Equipment.get_by_id(desk.id),
            actor=world["users"]["admin"],
            changes={"brand": "YAMAHA"},
            allowed_sites=Site.select(),
        )
    page.get_by_test_id("sync-now").click()
    # The sync the tap asks for may follow one still running: wait until the phone's own store
    # holds the office's version, or the reload below would cut the page's apply short.
    page.wait_for_function(
        """async (id) => {
          const s = await window.__rounds.db.getMeta('session');
          const rec = await window.__rounds.db.record(s.id, 'equipment', id);
          return !window.__rounds.state().syncing && rec?.server?.brand === 'YAMAHA';
        }""",
        arg=str(desk.id),
    )
    for _ in range(100):  # the listener runs when this side next waits on the browser
        if str(desk.id) in pulled:
            break
        page.wait_for_timeout(50)
    assert pulled.count(str(desk.id)) == 1, "the office's change on top did not arrive once"
    open_device(engineer, desk.id)
    # The screen open since the edit is drawn again after the pull: what the engineer sees.
    shown = page.locator(f"[data-testid=equipment][data-id='{desk.id}']")
    expect(shown).to_contain_text("YAMAHA")
    expect(shown).to_contain_text("风扇已清灰")


SEARCH_RULES = """async () => {
  const s = await import('/static/js/search.js');
  const locations = [{id: 'r1', name: '音控机房'}, {id: 'r2', name: '一号会议室'}];
  const equipment = [
    {id: 'a', name: '功放', code: 'AV-2', serial_number: 'PX10', location_id: 'r1',
     system: 'audio', status: 'in_service'},
    {id: 'b', name: 'PX10 备用功放', code: 'AV-1', model: 'PX10', location_id: 'r1',
     system: 'audio', status: 'spare'},
    {id: 'c', name: '投影机', code: 'PX10-01', location_id: 'r2',
     system: 'video', status: 'faulty'},
    {id: 'd', name: '交换机', code: '', location_id: null, system: 'network', status: 'in_service'},
  ];
  const index = s.prepare(equipment, locations);
  const ids = (criteria) => s.search(index, criteria).items.map((e) => e.id);
  return {
    normalised: s.normalise('ＡＢＣ－１２３　数字 調音台'),
    words: s.queryWords('  SN-88　42 '),
    order: ids({}),
    ranked: ids({query: 'px10'}),
    spaced: ids({query: 'px 10'}),
    noPlace: ids({location: s.NO_LOCATION}),
    byPlace: ids({query: '会议室'}),
    none: ids({query: 'px10', status: 'retired'}),
  };
}"""


def test_search_rules(desktop, live_server):
    desktop.goto(f"{live_server}/app/")
    got = desktop.evaluate(SEARCH_RULES)
    assert got["normalised"] == "abc123数字調音台"  # Traditional characters stay as they are
    assert got["words"] == ["sn88", "42"]
    # Rooms by name (一 before 音 in pinyin order), then by asset number; no room last.
    assert got["order"] == ["c", "b", "a", "d"]
    # Exact serial, then an asset number starting with the query, then a name starting with it.
    assert got["ranked"] == ["a", "c", "b"]
    assert set(got["spaced"]) == {"a", "b", "c"}
    assert got["noPlace"] == ["d"]
    assert got["byPlace"] == ["c"]
    assert got["none"] == []


# --- "today" on a phone in China before 08:00 ----------------------------------------------------

# 07:30 on 21 November 2026 in Shanghai: still the 20th in UTC.
CHINA_MORNING = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)


@pytest.fixture
def phone_in_china(browser, app):
    """A phone in Shanghai at 07:30, and a server whose clock says the same moment."""
    app.config["CLOCK"] = lambda: CHINA_MORNING
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        user_agent=PHONE_UA,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.clock.install(time=CHINA_MORNING)  # the time flows on from there
    try:
        yield page
    finally:
        context.close()


def test_todays_date_is_taken_at_seven_in_the_morning_in_china(phone_in_china, live_server, world):
    engineer = FieldEngineer(phone_in_china, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    page = engineer.page
    assert page.evaluate("() => new Date().getHours()") == 7
    assert page.evaluate("() => new Date().toISOString().slice(0, 10)") == "2026-11-20"
    device = world["equipment"][0]

    page.goto(f"{live_server}/app/#/equipment/{device.id}/edit")
    page.get_by_test_id("equipment-form").wait_for()
    assert page.locator("#f-installed_on").get_attribute("max") == "2026-11-21"
    page.fill("#f-installed_on", "2026-11-22")
    page.get_by_test_id("save").click()
    assert page.locator("#err-installed_on").inner_text() == "安装日期不能晚于今天。"

    page.fill("#f-installed_on", "2026-11-21")
    page.get_by_test_id("save").click()
    page.get_by_test_id("pending-note").wait_for()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    assert engineer.state()["needsAttention"] == 0, "the server refused today's date"
    assert Equipment.get_by_id(device.id).installed_on == date(2026, 11, 21)
