"""A fault on the phone, offline: an engineer responds and resolves in the machine room while
another engineer's step, made offline on another device, reaches the server first. Both sync:
one history, the right status, the clocks right — on the phone and on the server."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import sign_in_as
from tests.factories import PASSWORD, assign, create_user
from tests.sync_client import Device
from webapp.faults import operations as ops
from webapp.models import Fault, FaultEvent
from webapp.records import create_record

from .app_pages import FieldEngineer
from .pages import Visitor

pytestmark = pytest.mark.browser


def test_two_engineers_offline_end_in_one_history(phone, live_server, world, app):
    site, device = world["sites"][0], world["equipment"][0]
    reported = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0)
    values = {
        "number": "F-2026-00042",
        "site": site.id,
        "equipment": device.id,
        "description": "调音台无输出",
        "reported_at": reported.isoformat(),
        "reported_by": world["users"]["dispatcher"].id,
    }
    fault = create_record(Fault, actor=None, **values, **ops.derived(Fault(**values)))

    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    engineer.goes_offline()
    page = phone
    page.goto(f"{live_server}/app/#/sites/{site.id}")  # the site lists its open faults
    page.get_by_test_id("site-faults").locator(f'a[data-fault="{fault.id}"]').click()
    page.get_by_test_id("fault-screen").wait_for()
    page.get_by_test_id("step-phone").click()
    page.get_by_test_id("fault-status").and_(page.locator('[data-status="responded"]')).wait_for()
    page.get_by_test_id("step-resolve").click()
    form = page.get_by_test_id("resolve-form")
    form.locator("textarea[name=diagnosis]").fill("电源模块故障")
    form.locator("textarea[name=action]").fill("更换电源模块")
    form.locator("input[name=parts]").fill("电源模块 ×1")
    page.get_by_test_id("resolve-save").click()
    page.get_by_test_id("fault-status").and_(page.locator('[data-status="resolved"]')).wait_for()
    # Offline, the phone already reads the clocks: responded within 10 minutes, met.
    assert "达标" in page.get_by_test_id("clock-respond").inner_text()
    assert FaultEvent.select().count() == 0  # nothing has left the phone

    # Meanwhile another engineer, offline too, said earlier that they were on the way.
    other = create_user("engineer", "eng9")
    assign(other, site)
    client = app.test_client()
    tablet = Device(client=client, csrf=sign_in_as(client, other))
    earlier = (reported + timedelta(minutes=1)).isoformat()
    tablet.edit(
        "fault_event",
        str(uuid.uuid4()),
        {"fault_id": str(fault.id), "kind": "responded", "at": earlier, "channel": "on_the_way"},
        op="create",
    )
    assert tablet.push().status_code == 200
    assert Fault.get_by_id(fault.id).status == "responded"

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    engineer.taps_sync_now()  # pull what the other engineer did

    record = Fault.get_by_id(fault.id)
    assert record.status == "resolved"
    assert record.responded_at == earlier  # the earlier response counts
    assert (record.respond_used, record.respond_breached) == (60, False)
    assert record.resolve_breached is False
    kinds = [e.kind for e in ops.events_of(record)]
    assert kinds == ["responded", "responded", "resolved"]

    page.goto(f"{live_server}/app/#/faults/{fault.id}")
    history = page.get_by_test_id("fault-history")
    history.locator("li.no-effect").wait_for()
    items = history.locator("li[data-kind]")
    assert items.count() == 3
    assert [items.nth(i).get_attribute("data-kind") for i in range(3)] == kinds
    assert "eng9" in items.nth(0).inner_text() or "在路上" in items.nth(0).inner_text()
    assert page.get_by_test_id("fault-status").get_attribute("data-status") == "resolved"


def test_a_fault_reported_offline_from_a_device_screen_arrives_with_its_steps(
    phone, live_server, world
):
    device = world["equipment"][0]
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    engineer.goes_offline()
    phone.goto(f"{live_server}/app/#/equipment/{device.id}")
    phone.get_by_test_id("report-fault").click()
    form = phone.get_by_test_id("report-fault-form")
    form.locator("textarea[name=description]").fill("无声音输出")
    form.locator("select[name=severity]").select_option("high")
    phone.get_by_test_id("report-fault-save").click()
    phone.get_by_test_id("fault-screen").wait_for()
    phone.get_by_test_id("step-on-site").click()
    phone.get_by_test_id("fault-status").and_(phone.locator('[data-status="on_site"]')).wait_for()
    assert Fault.select().count() == 0

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    fault = Fault.get()
    assert (fault.equipment_id, fault.severity, fault.status) == (device.id, "high", "on_site")
    assert fault.number.startswith("F-") and fault.respond_used is not None
    assert [e.kind for e in ops.events_of(fault)] == ["on_site"]


def test_a_client_users_report_offline_with_a_photo_reaches_the_office(
    phone, live_server, world, tmp_path
):
    """报修 with a photo: a client user reports from a device's screen with no network, the
    photo kept on the phone; back online the fault arrives first, then its photo, which the
    office sees on the fault's page."""
    from PIL import Image

    from webapp.models import Attachment

    picture = tmp_path / "话筒.jpg"
    Image.new("RGB", (800, 600), (30, 120, 200)).save(picture, "JPEG")
    device = world["equipment"][0]
    client_user = FieldEngineer(phone, live_server)
    client_user.signs_in("cli", PASSWORD)
    client_user.opens_the_app()
    client_user.goes_offline()
    phone.goto(f"{live_server}/app/#/equipment/{device.id}")
    phone.get_by_test_id("report-fault").click()
    form = phone.get_by_test_id("report-fault-form")
    form.locator("textarea[name=description]").fill("话筒没声音")
    phone.get_by_test_id("report-fault-photo").set_input_files(str(picture))
    phone.get_by_test_id("report-fault-save").click()
    phone.get_by_test_id("fault-screen").wait_for()
    assert len(client_user.photos_on_device()) == 1
    assert Fault.select().count() == 0

    client_user.goes_online()
    client_user.taps_sync_now()
    client_user.waits_until_sent()
    phone.wait_for_function(
        """async () => {
          const s = await window.__rounds.db.getMeta('session');
          return (await window.__rounds.db.blobs(s.id)).every((b) => b.uploaded);
        }"""
    )
    fault = Fault.get()
    (photo,) = Attachment.select().where(Attachment.owner_id == str(fault.id))
    assert (photo.kind, photo.status, photo.uploaded_by_id) == (
        "photo",
        "complete",
        world["users"]["client"].id,
    )
    assert fault.reported_by_id == world["users"]["client"].id
    office = phone.context.browser.new_context()
    page = office.new_page()
    Visitor(page, live_server).signs_in("disp", PASSWORD)
    page.goto(f"{live_server}/office/faults/{fault.id}")
    image = page.locator(".fault-photos img")
    image.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    office.close()


def test_the_case_analysis_is_written_offline_and_the_case_report_prints_it(
    phone, live_server, world
):
    """After the repair, in the machine room, the engineer writes the case analysis (case报告:
    root cause, improvement, lessons) on the phone; a second save starts from the first; back
    online the office holds both steps and the case report prints the latest."""
    site = world["sites"][0]
    reported = (datetime.now(UTC) - timedelta(minutes=50)).replace(microsecond=0)
    values = {
        "number": "F-2026-00051",
        "site": site.id,
        "description": "会议室投影无信号",
        "reported_at": reported.isoformat(),
        "reported_by": world["users"]["dispatcher"].id,
    }
    fault = create_record(Fault, actor=None, **values, **ops.derived(Fault(**values)))
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    engineer.goes_offline()
    page = phone
    page.goto(f"{live_server}/app/#/faults/{fault.id}")
    page.get_by_test_id("fault-screen").wait_for()
    assert page.get_by_test_id("step-review").count() == 0  # not before it is resolved
    page.get_by_test_id("step-on-site").click()
    page.get_by_test_id("step-resolve").click()
    form = page.get_by_test_id("resolve-form")
    form.locator("textarea[name=diagnosis]").fill("HDMI 线缆接头氧化")
    form.locator("textarea[name=action]").fill("更换 HDMI 线缆")
    page.get_by_test_id("resolve-save").click()
    page.get_by_test_id("fault-status").and_(page.locator('[data-status="resolved"]')).wait_for()
    assert page.get_by_test_id("case-report-pdf").count() == 0  # offline: no PDF to fetch

    page.get_by_test_id("step-review").click()
    analysis = page.get_by_test_id("case-analysis-form")
    analysis.locator("textarea[name=root_cause]").fill("线缆长期弯折，接头氧化")
    analysis.locator("textarea[name=improvement]").fill("月度巡检加查线缆接头")
    page.get_by_test_id("case-analysis-save").click()
    page.locator('.fault-history li[data-kind="reviewed"]').wait_for()
    page.get_by_test_id("step-review").click()
    analysis = page.get_by_test_id("case-analysis-form")
    root = analysis.locator("textarea[name=root_cause]")
    assert root.input_value() == "线缆长期弯折，接头氧化"  # the second save starts from the first
    analysis.locator("textarea[name=lessons]").fill("备用线缆放在机房")
    page.get_by_test_id("case-analysis-save").click()
    page.locator('.fault-history li[data-kind="reviewed"]').nth(1).wait_for()

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    reviews = list(
        FaultEvent.select()
        .where(FaultEvent.fault == fault.id, FaultEvent.kind == "reviewed")
        .order_by(FaultEvent.server_seq)
    )
    assert [r.details for r in reviews] == [
        {
            "root_cause": "线缆长期弯折，接头氧化",
            "improvement": "月度巡检加查线缆接头",
            "lessons": "",
        },
        {
            "root_cause": "线缆长期弯折，接头氧化",
            "improvement": "月度巡检加查线缆接头",
            "lessons": "备用线缆放在机房",
        },
    ]
    page.reload()
    link = page.get_by_test_id("case-report-pdf")
    response = page.request.get(f"{live_server}{link.get_attribute('href')}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
