"""The customer service contact form (客户服务联络单) on a phone with the network off: started from
a fault, filled, handed to the client on the tablet, signed with a finger; back online it syncs
once, the fault shows "confirmed by the client", and the office's PDF carries every field of the
paper form. Also: a round no schedule asks for, started from a device's screen."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import PASSWORD
from webapp.checklists import operations as checklists
from webapp.faults import operations as fault_ops
from webapp.models import ChecklistTemplate, Fault, FaultEvent, Round, SyncMutation
from webapp.records import create_record
from webapp.rounds import seal

from .app_pages import FieldEngineer
from .test_rounds_app import signs_with_a_finger

pytestmark = pytest.mark.browser


@pytest.fixture
def fault(world):
    checklists.install_shipped()
    site, device = world["sites"][0], world["equipment"][0]
    reported = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0)
    values = {
        "number": "F-2026-00042",
        "site": site.id,
        "equipment": device.id,
        "description": "三号会议室调音台无输出",
        "reported_at": reported.isoformat(),
        "reported_by": world["users"]["dispatcher"].id,
    }
    return create_record(Fault, actor=None, **values, **fault_ops.derived(Fault(**values)))


def test_a_contact_form_from_a_fault_is_signed_offline_and_confirms_the_fault(
    phone, live_server, world, fault, tmp_path
):
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    engineer.goes_offline()
    page = phone
    page.goto(f"{live_server}/app/#/faults/{fault.id}")
    page.get_by_test_id("fault-screen").wait_for()
    page.get_by_test_id("step-on-site").click()
    page.get_by_test_id("fault-status").and_(page.locator('[data-status="on_site"]')).wait_for()

    # The contact form, from the fault: the header, the client's type and the request prefilled.
    page.get_by_test_id("start-contact-form").click()
    page.get_by_test_id("round").wait_for()
    # Not resolved yet: the engineer is told the signature would confirm nothing, and goes back.
    notice = page.get_by_test_id("fault-not-resolved")
    notice.get_by_role("link").click()
    page.get_by_test_id("step-resolve").click()
    form = page.get_by_test_id("resolve-form")
    form.locator("textarea[name=diagnosis]").fill("调音台电源模块损坏")
    form.locator("textarea[name=action]").fill("更换电源模块")
    page.get_by_test_id("resolve-save").click()
    page.get_by_test_id("fault-status").and_(page.locator('[data-status="resolved"]')).wait_for()
    page.get_by_test_id("contact-form-link").click()  # the fault lists its form
    page.get_by_test_id("round").wait_for()
    assert page.get_by_test_id("fault-not-resolved").count() == 0
    screen = page.get_by_test_id("round")
    assert "客户服务联络单" in screen.inner_text()
    assert "F-2026-00042" in page.get_by_test_id("round-fault").inner_text()
    client_type = page.locator("article[data-key=client_type]")
    client_type.locator("button[data-option=annual_contract][aria-pressed=true]").wait_for()
    requested = page.locator("article[data-key=service_requested] [data-field=text]")
    assert requested.input_value() == "三号会议室调音台无输出"
    # The person who asked for the service is not the site's contact: the header is corrected.
    page.get_by_test_id("header-edit").click()
    header = page.get_by_test_id("header-form")
    header.locator("input[name=contact]").fill("李主任")
    header.locator("input[name=phone]").fill("13912345678")
    page.get_by_test_id("header-save").click()
    page.get_by_test_id("round-header").filter(has_text="李主任").wait_for()
    plan = page.locator("article[data-key=handling_plan] [data-field=text]")
    plan.fill("更换调音台电源模块，恢复三号会议室扩声")
    plan.press("Tab")
    page.locator("article[data-key=result] button[data-option=completed]").click()
    remarks = page.locator("article[data-key=remarks] [data-field=text]")
    remarks.fill("旧模块已交客户留存")
    remarks.press("Tab")
    page.wait_for_function(
        "() => ['handling_plan', 'result', 'remarks'].every((k) =>"
        " document.querySelector(`article[data-key=${k}]`).dataset.status === 'normal')"
    )
    page.get_by_test_id("submit-round").click()
    page.get_by_test_id("handover").click()

    # The client reads the form on the tablet and signs.
    page.set_viewport_size({"width": 820, "height": 1180})
    answers = page.get_by_test_id("form-answers").inner_text()
    for words in ("按年合同客户", "更换调音台电源模块", "已完成服务", "旧模块已交客户留存"):
        assert words in answers
    device_seal = signs_with_a_finger(page, signer="王经理")
    page.get_by_test_id("signed").get_by_role("button").click()
    page.get_by_test_id("sealed").wait_for()
    assert Round.select().count() == 0 and FaultEvent.select().count() == 0  # all on the phone

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    page.wait_for_function(
        "() => !window.__rounds.state().syncing && !window.__rounds.state().uploads"
    )
    assert engineer.state()["needsAttention"] == 0
    assert SyncMutation.select().where(SyncMutation.status == "rejected").count() == 0
    assert SyncMutation.select().where(SyncMutation.op == "sign").count() == 1  # synced once

    stored = Round.get()
    assert (stored.status, stored.seal_hash, stored.fault_id) == ("sealed", device_seal, fault.id)
    assert (stored.header["contact"], stored.header["phone"]) == ("李主任", "13912345678")
    content = seal.sealed_content(
        stored, acceptance=stored.acceptance, signature_id=stored.signature_id
    )
    assert seal.seal_hash(content) == device_seal
    assert Fault.get_by_id(fault.id).status == "confirmed"

    # The phone shows it too, once the pull brings the step.
    engineer.taps_sync_now()
    page.goto(f"{live_server}/app/#/faults/{fault.id}")
    page.get_by_test_id("fault-status").and_(page.locator('[data-status="confirmed"]')).wait_for()
    page.get_by_test_id("contact-form-link").wait_for()
    assert stored.number in page.get_by_test_id("fault-history").inner_text()

    # The office's PDF, laid out like the paper form.
    pdf = page.request.get(
        f"{live_server}/api/rounds/{stored.id}/report.pdf", headers={"Accept-Language": "zh-CN"}
    )
    assert pdf.status == 200
    path = tmp_path / "contact.pdf"
    path.write_bytes(pdf.body())
    words = "".join(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout.split()
    )
    for label in (
        "客户服务联络单",
        "客户名称",
        "联系人",
        "电话",
        "地址",
        "服务时间",
        "客户属性",
        "待服务内容",
        "处理方案",
        "处理结果",
        "已完成服务",
        "未完成服务",
        "需返修、更换设备",
        "需重新联络",
        "其它（见备注）",
        "备注",
        "系统已验收",
        "附件",
        "满意度",
        "宝贵意见",
        "客户签字",
        "确认日期",
        "F-2026-00042",
        "李主任",
        "13912345678",
        "更换调音台电源模块",
        "王经理",
        device_seal,
    ):
        assert label in words, label


def test_a_round_no_schedule_asks_for_is_started_from_a_devices_screen(phone, live_server, world):
    checklists.install_shipped()
    device = world["equipment"][0]
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    engineer.goes_offline()
    page = phone
    page.goto(f"{live_server}/app/#/equipment/{device.id}")
    page.get_by_test_id("start-round").locator("summary").click()
    daily = ChecklistTemplate.get(ChecklistTemplate.key == "daily-round")
    page.locator(f'a[data-testid=start-template][href*="{daily.id}"]').click()
    page.get_by_test_id("round").wait_for()
    # The device's own items only: 看听闻摸 and fault finding for this one device.
    keys = page.get_by_test_id("round-item").evaluate_all(
        "(cards) => cards.map((c) => c.dataset.key)"
    )
    assert {k.split("@")[1] for k in keys if "@" in k} == {str(device.id)}

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    stored = Round.get()
    assert (stored.schedule_id, stored.equipment_id, stored.equipment_ids) == (
        None,
        device.id,
        [str(device.id)],
    )
