"""The customer service contact form (客户服务联络单) through the sync API: a round of the shipped
template, started from a fault or on its own, numbered, signed and sealed like every round;
the client's signature with "accepted" confirms the fault it was started from
(docs/contact-form.md)."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import sign_in_as
from tests.sync_client import Device
from webapp.checklists import operations as checklists
from webapp.models import ChecklistTemplate, Fault, FaultEvent, Round
from webapp.rounds import seal

HEADER = {
    "client_name": "会议中心",
    "contact": "王经理",
    "phone": "13800000000",
    "address": "主楼三层",
    "service_time": "2026-11-21 09:00",
}
ANSWERS = {
    "client_type": "annual_contract",
    "service_requested": "三号会议室投影无信号",
    "handling_plan": "更换 HDMI 线并重新配置切换器",
    "result": "completed",
    "remarks": "",
}


def T(minute: int) -> str:
    return f"2026-11-21T09:{minute:02d}:00+08:00"


@pytest.fixture
def version(app):
    checklists.install_shipped()
    template = ChecklistTemplate.get(ChecklistTemplate.key == "contact-form")
    return checklists.published_version(template)


@pytest.fixture
def phone(app, world):
    client = app.test_client()
    client.set_cookie("rounds_lang", "zh_Hans")
    return Device(client=client, csrf=sign_in_as(client, world["users"]["engineer"]))


def pushed(dev: Device) -> list[dict]:
    batch = list(dev.outbox)
    response = dev.push()
    assert response.status_code == 200, response.get_data(as_text=True)
    return [dev.answers[m["mutation_id"]] for m in batch]


def report_fault(dev: Device, site, description="投影无信号") -> str:
    fid = str(uuid.uuid4())
    dev.edit(
        "fault",
        fid,
        {"site_id": str(site.id), "description": description, "reported_at": T(0)},
        op="create",
    )
    return fid


def step(dev: Device, fault_id: str, kind: str, at: str, **details) -> None:
    dev.edit(
        "fault_event",
        str(uuid.uuid4()),
        {"fault_id": fault_id, "kind": kind, "at": at, **details},
        "create",
    )


def start(dev: Device, version, site, **extra) -> str:
    rid = str(uuid.uuid4())
    dev.edit(
        "round",
        rid,
        {
            "template_version_id": str(version.id),
            "site_id": str(site.id),
            "started_at": T(10),
            "header": HEADER,
            **extra,
        },
        op="create",
    )
    return rid


def fill(dev: Device, rid: str, answers=ANSWERS) -> None:
    for key, value in answers.items():
        dev.edit(
            "answer",
            str(uuid.uuid4()),
            {"round_id": rid, "item_key": key, "status": "normal", "value": value},
            op="create",
        )
    dev.edit("round", rid, {"submitted_at": T(40)}, op="submit")


def acceptance(accepted=True, **extra) -> dict:
    return {
        "accepted": accepted,
        "handover": "none",
        "satisfaction": "satisfied",
        "reasons": [],
        "comments": "",
        "signer": "王经理",
        "signed_at": T(45),
        **extra,
    }


def sign(dev: Device, rid: str, given: dict, alter=lambda content: None) -> None:
    """The client's signature: its PNG first, then the sign with the seal of the round as held
    (`alter` changes the sealed content first, as a tampered or mistaken phone would)."""
    sid = str(uuid.uuid4())
    data = b"\x89PNG strokes"
    import hashlib

    dev.edit(
        "attachment",
        sid,
        {
            "owner_entity": "round",
            "owner_id": rid,
            "kind": "signature",
            "filename": "signature.png",
            "mime": "image/png",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
        op="create",
    )
    assert [r["status"] for r in pushed(dev)] == ["applied"]
    content = seal.sealed_content(Round.get_by_id(rid), acceptance=given, signature_id=sid)
    alter(content)
    dev.edit(
        "round",
        rid,
        {"acceptance": given, "signature_id": sid, "seal_hash": seal.seal_hash(content)},
        op="sign",
    )


def test_a_contact_form_from_a_fault_confirms_it_when_the_client_signs(phone, version, world):
    site = world["sites"][0]
    fid = report_fault(phone, site)
    step(phone, fid, "on_site", T(5))
    step(phone, fid, "resolved", T(30), diagnosis="HDMI 线损坏", action="更换")
    rid = start(phone, version, site, fault_id=fid)
    fill(phone, rid)
    out = pushed(phone)
    assert [r["status"] for r in out] == ["applied"] * len(out), out
    number = next(r["number"] for r in out if r.get("number", "").startswith("R-"))
    record = Round.get_by_id(rid)
    assert (record.fault_id, record.status, record.number) == (uuid.UUID(fid), "submitted", number)
    assert Fault.get_by_id(fid).status == "resolved"

    sign(phone, rid, acceptance())
    assert [r["status"] for r in pushed(phone)] == ["applied"]
    assert Round.get_by_id(rid).status == "sealed"
    fault = Fault.get_by_id(fid)
    assert fault.status == "confirmed"
    confirmed = FaultEvent.get(FaultEvent.fault == fid, FaultEvent.kind == "confirmed")
    assert confirmed.at == T(45)
    assert confirmed.details == {"round_id": rid, "number": number, "signer": "王经理"}

    # The phone learns it from the pull: the form names its fault, the fault has the step.
    phone.pull_all()
    assert phone.records[("round", rid)]["data"]["fault_id"] == fid
    assert phone.records[("fault", fid)]["data"]["status"] == "confirmed"
    steps = [
        r["data"]["kind"]
        for (entity, _id), r in phone.records.items()
        if entity == "fault_event" and r["data"]["fault_id"] == fid
    ]
    assert sorted(steps) == ["confirmed", "on_site", "resolved"]


@pytest.mark.parametrize("fault", ["left out", "another"])
def test_a_seal_that_does_not_cover_the_forms_fault_is_refused(phone, version, world, fault):
    """The client's signature confirms the fault the form was started from: a seal made over
    no fault, or over another one, does not match and confirms nothing."""
    site = world["sites"][0]
    fid = report_fault(phone, site)
    step(phone, fid, "resolved", T(30), diagnosis="HDMI 线损坏", action="更换")
    rid = start(phone, version, site, fault_id=fid)
    fill(phone, rid)
    pushed(phone)

    def alter(content):
        if fault == "left out":
            del content["round"]["fault_id"]
        else:
            content["round"]["fault_id"] = str(uuid.uuid4())

    sign(phone, rid, acceptance(), alter)
    (result,) = pushed(phone)
    assert (result["status"], result["error"]["code"]) == ("rejected", "seal_mismatch")
    assert Round.get_by_id(rid).status == "submitted"
    assert Fault.get_by_id(fid).status == "resolved"


def test_a_signature_without_acceptance_leaves_the_fault_unconfirmed(phone, version, world):
    site = world["sites"][0]
    fid = report_fault(phone, site)
    step(phone, fid, "resolved", T(30), diagnosis="接触不良", action="重新插拔")
    rid = start(phone, version, site, fault_id=fid)
    fill(phone, rid, {**ANSWERS, "result": "recontact", "remarks": "需厂家配件"})
    assert {r["status"] for r in pushed(phone)} == {"applied"}
    sign(
        phone,
        rid,
        acceptance(accepted=False, satisfaction="unsatisfied", reasons=["response"]),
    )
    assert [r["status"] for r in pushed(phone)] == ["applied"]
    assert Round.get_by_id(rid).status == "sealed"
    assert Fault.get_by_id(fid).status == "resolved"
    assert not FaultEvent.select().where(FaultEvent.kind == "confirmed").exists()


def test_a_fault_not_yet_resolved_keeps_the_confirmation_without_effect(phone, version, world):
    site = world["sites"][0]
    fid = report_fault(phone, site)
    rid = start(phone, version, site, fault_id=fid)
    fill(phone, rid)
    assert {r["status"] for r in pushed(phone)} == {"applied"}
    sign(phone, rid, acceptance())
    assert [r["status"] for r in pushed(phone)] == ["applied"]
    assert FaultEvent.get(FaultEvent.fault == fid).kind == "confirmed"  # kept, as every step
    assert Fault.get_by_id(fid).status == "reported"


def test_a_contact_form_on_its_own_is_a_numbered_sealed_round(phone, version, world):
    site = world["sites"][0]
    rid = start(phone, version, site)
    fill(phone, rid, {k: v for k, v in ANSWERS.items() if k != "remarks"})
    out = pushed(phone)
    assert {r["status"] for r in out} == {"applied"}
    sign(phone, rid, acceptance())
    assert [r["status"] for r in pushed(phone)] == ["applied"]
    record = Round.get_by_id(rid)
    assert (record.status, record.fault_id) == ("sealed", None)
    assert record.number.startswith("R-")


def test_every_field_but_the_remarks_is_required(phone, version, world):
    rid = start(phone, version, world["sites"][0])
    fill(phone, rid, {"client_type": "in_warranty", "result": "other"})
    out = pushed(phone)
    assert out[-1]["status"] == "rejected" and out[-1]["error"]["code"] == "incomplete"
    assert out[-1]["error"]["fields"]["items"] == ["service_requested", "handling_plan"]
    assert "待服务内容" in out[-1]["error"]["message"] and "处理方案" in out[-1]["error"]["message"]
    phone.edit(
        "answer",
        str(uuid.uuid4()),
        {"round_id": rid, "item_key": "result", "status": "normal", "value": "half"},
        op="create",
    )
    assert pushed(phone)[0]["status"] == "rejected"


def test_the_fault_must_be_at_the_forms_site(phone, version, world, app):
    site_a, site_b = world["sites"]
    office = app.test_client()
    dispatcher = Device(client=office, csrf=sign_in_as(office, world["users"]["dispatcher"]))
    elsewhere = report_fault(dispatcher, site_b)
    assert pushed(dispatcher)[0]["status"] == "applied"
    start(phone, version, site_a, fault_id=elsewhere)
    start(phone, version, site_a, fault_id=str(uuid.uuid4()))
    out = pushed(phone)
    assert [r["status"] for r in out] == ["rejected", "rejected"]
    assert all("fault_id" in r["error"]["fields"] for r in out)
    assert Round.select().count() == 0


def test_only_a_form_the_client_signs_is_started_from_a_fault(phone, world, app):
    admin = world["users"]["admin"]
    content = {**checklists.shipped_content("contact-form"), "acceptance": "none"}
    template = checklists.create_template(
        actor=admin, key="internal", form="contact_form", title=content["title"], content=content
    )
    version = checklists.publish(checklists.draft_version(template), actor=admin)
    fid = report_fault(phone, world["sites"][0])
    start(phone, version, world["sites"][0], fault_id=fid)
    out = pushed(phone)
    assert out[0]["status"] == "applied" and out[1]["status"] == "rejected"
    assert "fault_id" in out[1]["error"]["fields"]


# -- the PDF, laid out like the paper form ----------------------------------------------------

SEED_LABELS = {
    "zh_Hans": (
        "客户服务联络单",
        "客户名称",
        "联系人",
        "电话",
        "地址",
        "服务时间",
        "客户属性",
        "保内客户",
        "按年合同客户",
        "按次合同客户",
        "《联络函》服务客户",
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
        "很满意",
        "满意",
        "一般",
        "不满意",
        "服务态度",
        "技术水平",
        "响应速度",
        "宝贵意见",
        "客户签字",
        "确认日期",
    ),
    "zh_Hant": (
        "客戶服務聯絡單",
        "客戶名稱",
        "聯絡人",
        "電話",
        "地址",
        "服務時間",
        "客戶屬性",
        "保內客戶",
        "按年合同客戶",
        "按次合同客戶",
        "《聯絡函》服務客戶",
        "待服務內容",
        "處理方案",
        "處理結果",
        "已完成服務",
        "未完成服務",
        "需返修、更換設備",
        "需重新聯絡",
        "其它（見備註）",
        "備註",
        "系統已驗收",
        "附件",
        "很滿意",
        "不滿意",
        "服務態度",
        "技術水準",
        "回應速度",
        "寶貴意見",
        "客戶簽名",
        "確認日期",
    ),
    "en": (
        "Customer service contact form",
        "Client name",
        "Contact",
        "Phone",
        "Address",
        "Service time",
        "Client type",
        "In warranty",
        "Annual contract",
        "Per-visit contract",
        "Service by letter",
        "Service requested",
        "Handling plan",
        "Result",
        "Service completed",
        "Service not completed: needs repair or device replacement",
        "Service not completed: needs re-contact",
        "Service not completed: other (see remarks)",
        "Remarks",
        "The system has been accepted",
        "Attachments handed over",
        "Very satisfied",
        "Satisfied",
        "Average",
        "Unsatisfied",
        "Service attitude",
        "Technical skill",
        "Response speed",
        "Comments",
        "Client signature",
        "Confirmation date",
    ),
}


def pdf_text(data: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / f"form-{uuid.uuid4().hex}.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return "".join(out.split()) if "客" in out else " ".join(out.split())


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_the_pdf_has_every_field_of_the_paper_form(phone, version, world, app, tmp_path, locale):
    site = world["sites"][0]
    fid = report_fault(phone, site)
    step(phone, fid, "resolved", T(30), diagnosis="HDMI 线损坏", action="更换")
    rid = start(phone, version, site, fault_id=fid)
    fill(phone, rid, {**ANSWERS, "remarks": "下周回访"})
    assert {r["status"] for r in pushed(phone)} == {"applied"}
    sign(phone, rid, acceptance(comments="响应及时"))
    assert [r["status"] for r in pushed(phone)] == ["applied"]
    record, fault = Round.get_by_id(rid), Fault.get_by_id(fid)

    reader = app.test_client()
    reader.set_cookie("rounds_lang", locale)
    sign_in_as(reader, world["users"]["dispatcher"])
    response = reader.get(f"/api/rounds/{rid}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    written = pdf_text(response.data, tmp_path)
    squeezed = written.replace(" ", "") if locale == "en" else written
    for label in SEED_LABELS[locale]:
        wanted = label.replace(" ", "") if locale == "en" else label
        assert wanted in squeezed, label
    for value in (record.number, fault.number, "三号会议室投影无信号", "下周回访", "响应及时"):
        assert value.replace(" ", "") in squeezed.replace(" ", "")
    chosen = {
        "zh_Hans": ("按年合同客户", "已完成服务"),
        "zh_Hant": ("按年合同客戶", "已完成服務"),
        "en": ("Annualcontract", "Servicecompleted"),
    }[locale]
    assert all(f"■{words}" in squeezed for words in chosen)
    assert record.seal_hash in written.replace(" ", "")
    # The office's page of the form links to its fault.
    page = reader.get(f"/office/rounds/{rid}").get_data(as_text=True)
    assert f'href="/office/faults/{fid}"' in page and fault.number in page
    # The maintenance report's parts have no place on this form.
    summary = {"zh_Hans": "维护总结", "zh_Hant": "維護總結", "en": "Maintenancesummary"}[locale]
    assert summary not in squeezed
