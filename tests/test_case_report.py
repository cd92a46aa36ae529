"""A fault's case report (case报告): the case analysis written in the office or sent from a phone
as a step, and the PDF read back with poppler in Chinese and in English."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import sign_in_as
from tests.test_faults import device, pushed, step
from tests.test_reports import pdf_text
from webapp.faults import operations as ops
from webapp.models import Fault, FaultEvent
from webapp.records import create_record

NOW = datetime.now(UTC).replace(microsecond=0)


def ago(minutes: float) -> str:
    return (NOW - timedelta(minutes=minutes)).isoformat()


def take(fault: Fault, user, kind: str, minutes_ago: float, note: str = "", **details) -> None:
    ops.add_event(
        actor=user,
        id=uuid.uuid4(),
        data={"fault_id": fault.id, "kind": kind, "at": ago(minutes_ago), "note": note},
        details=details,
        site_ids={fault.site_id},
    )


def reported(world, minutes_ago: float, number: str = "F-2026-00042", **kw) -> Fault:
    values = {
        "id": uuid.uuid4(),
        "number": number,
        "site": world["sites"][0].id,
        "equipment": world["equipment"][0].id,
        "description": "投影无信号 no signal",
        "reported_at": ago(minutes_ago),
        "reported_by": world["users"]["client"].id,
        **kw,
    }
    return create_record(Fault, actor=None, **values, **ops.derived(Fault(**values)))


@pytest.fixture
def worked(world):
    """Reported 3 h ago, answered after 15 min (breached), resolved in 100 min (met), a second
    response kept with no effect, closed, then analysed in the office."""
    engineer, dispatcher = world["users"]["engineer"], world["users"]["dispatcher"]
    fault = reported(world, 180)
    take(fault, engineer, "responded", 165, note="电话联系", channel="phone")
    take(fault, engineer, "on_site", 150)
    take(fault, world["engineer2"], "responded", 140, channel="on_the_way")
    take(
        fault,
        engineer,
        "resolved",
        80,
        diagnosis="HDMI 线松动",
        action="重新插好并固定",
        parts="HDMI 线 1 条",
    )
    take(fault, dispatcher, "closed", 60)
    return Fault.get_by_id(fault.id)


def office(app, user, lang: str):
    client = app.test_client()
    client.set_cookie("rounds_lang", lang)
    return client, sign_in_as(client, user)


def analyse(client, csrf, fault, **fields):
    return client.post(
        f"/office/faults/{fault.id}/steps",
        data={"csrf_token": csrf, "kind": "reviewed", **fields},
    )


def test_the_office_writes_the_case_analysis_after_closing(app, world, worked):
    client, csrf = office(app, world["users"]["dispatcher"], "en")
    response = analyse(
        client,
        csrf,
        worked,
        root_cause="接头老化 connector worn",
        improvement="每季度检查接头",
        lessons="先查线缆",
    )
    assert response.status_code == 302
    event = FaultEvent.get((FaultEvent.fault == worked.id) & (FaultEvent.kind == "reviewed"))
    assert event.details == {
        "root_cause": "接头老化 connector worn",
        "improvement": "每季度检查接头",
        "lessons": "先查线缆",
    }
    fault = Fault.get_by_id(worked.id)
    assert fault.status == "closed"  # the analysis changes nothing in the fault's life
    assert ops.read(fault)["events"][-1] == {"id": str(event.id), "applied": True, "why": None}
    page = client.get(f"/office/faults/{worked.id}").get_data(as_text=True)
    assert "接头老化 connector worn" in page and "Case analysis" in page
    assert 'name="root_cause"' in page and "每季度检查接头</textarea>" in page  # refilled


def test_a_case_analysis_without_a_root_cause_is_refused_in_the_readers_language(
    app, world, worked
):
    client, csrf = office(app, world["users"]["dispatcher"], "zh_Hans")
    response = analyse(client, csrf, worked, improvement="x", root_cause="  ")
    assert response.status_code == 302
    page = client.get(f"/office/faults/{worked.id}").get_data(as_text=True)
    assert "缺少必填字段" in page or "必填" in page
    assert not FaultEvent.select().where(FaultEvent.kind == "reviewed").exists()
    long = analyse(client, csrf, worked, root_cause="x" * 2001)
    assert long.status_code == 302
    assert not FaultEvent.select().where(FaultEvent.kind == "reviewed").exists()


def test_the_engineer_sends_the_analysis_from_the_phone_and_a_client_user_may_not(
    app, world, worked
):
    phone = device(app, world["users"]["engineer"])
    step(phone, str(worked.id), "reviewed", ago(30), root_cause="接头老化", lessons="先查线缆")
    step(phone, str(worked.id), "reviewed", ago(29), diagnosis="not with this step", root_cause="r")
    first, second = pushed(phone)
    assert first["status"] == "applied"
    assert second["status"] == "rejected" and "diagnosis" in second["error"]["fields"]
    client_phone = device(app, world["users"]["client"])
    step(client_phone, str(worked.id), "reviewed", ago(20), root_cause="客户写的")
    (answer,) = pushed(client_phone)
    assert answer["status"] == "rejected" and answer["error"]["code"] == "forbidden"


def test_the_case_report_pdf_in_chinese(app, world, worked, tmp_path):
    take(
        worked,
        world["users"]["engineer"],
        "reviewed",
        30,
        root_cause="接头老化",
        lessons="先查线缆",
    )
    take(
        worked,
        world["users"]["dispatcher"],
        "reviewed",
        20,
        root_cause="接头老化，线缆受力",
        improvement="每季度检查接头",
        lessons="先查线缆再查设备",
    )
    client, _csrf = office(app, world["users"]["dispatcher"], "zh_Hans")
    response = client.get(f"/api/faults/{worked.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "F-2026-00042.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    flat = re.sub(r"\s+", "", text)
    for expected in (
        "故障案例报告",
        "F-2026-00042",
        "会议中心",  # client
        "主楼",  # site
        "数字调音台",  # device
        "投影无信号",
        "电话联系",  # a step's note
        "HDMI线松动",
        "重新插好并固定",
        "HDMI线1条",
        "接头老化，线缆受力",  # the latest analysis
        "每季度检查接头",
        "先查线缆再查设备",
        "超时",  # the respond clock breached
        "达标",  # the resolve clock met
        "15/10分钟",
        "100/120分钟",
        "未生效",  # the second response had no effect
    ):
        assert expected in flat, expected


def test_the_case_report_pdf_in_english_for_the_client_user(app, world, worked, tmp_path):
    take(worked, world["users"]["dispatcher"], "reviewed", 20, root_cause="worn connector")
    client, _csrf = office(app, world["users"]["client"], "en")
    response = client.get(f"/api/faults/{worked.id}/report.pdf")
    assert response.status_code == 200
    text = " ".join(pdf_text(response.data, tmp_path).split())
    for expected in (
        "Case report",
        "Fault number: F-2026-00042",
        "Respond: Breached · 15 of 10 min",
        "Resolve: Met · 100 of 120 min",
        "No effect: this step had already been taken.",
        "Root cause: worn connector",
        "Diagnosis: HDMI",
        "Parts used: HDMI",
    ):
        assert expected in text, expected


def test_the_case_report_of_a_fault_out_of_scope_is_not_found(app, world):
    other = reported(world, 30, "F-2026-00043", site=world["sites"][1].id, equipment=None)
    for role in ("engineer", "client"):
        client, _csrf = office(app, world["users"][role], "en")
        assert client.get(f"/api/faults/{other.id}/report.pdf").status_code == 404
    assert client.get("/api/faults/not-an-id/report.pdf").status_code == 404
    client, _csrf = office(app, world["users"]["dispatcher"], "en")
    assert client.get(f"/api/faults/{other.id}/report.pdf").status_code == 200
