"""Rounds through the sync API: answers checked against the version they were filled against,
report and fault numbers, submission with named missing items, the client's seal."""

from __future__ import annotations

import hashlib
import json
import subprocess
import uuid

import pytest

from tests.conftest import sign_in_as
from tests.sync_client import Device
from webapp.checklists import operations as checklists
from webapp.models import Answer, Attachment, Fault, Round, TemplateVersion

L = {"zh_Hans": "{}", "zh_Hant": "{}", "en": "{}"}


def text(zh, en):
    return {"zh_Hans": zh, "zh_Hant": zh, "en": en}


CONTENT = {
    "title": text("终端维护", "Terminal maintenance"),
    "form": "maintenance_report",
    "sections": [
        {
            "key": "terminal",
            "title": text("终端", "Terminals"),
            "items": [
                {
                    "key": "terminal.clean",
                    "kind": "count_pair",
                    "label": text("清洁外壳、支架、玻璃", "Clean casing, brackets, glass"),
                    "counts": [
                        {"key": "cleaned", "label": text("清洁", "Cleaned")},
                        {"key": "damaged", "label": text("损坏", "Damaged")},
                    ],
                    "abnormal_if": "damaged",
                },
                {
                    "key": "terminal.voltage",
                    "kind": "measurement",
                    "label": text("供电电压与额定值相符", "Supply voltage matches the rating"),
                    "unit": "V",
                    "nominal": None,
                    "tolerance": 1,
                    "abnormal_requires": ["note"],
                },
                {
                    "key": "terminal.image",
                    "kind": "check",
                    "sense": "look",
                    "label": text("图像清晰无偏色", "Image clear, no colour cast"),
                    "abnormal_requires": ["note", "photo"],
                },
                {
                    "key": "terminal.remarks",
                    "kind": "text",
                    "label": text("其他", "Other"),
                    "required": False,
                },
            ],
        }
    ],
}


@pytest.fixture
def version(app, world):
    template = checklists.create_template(
        actor=world["users"]["admin"],
        key="terminal-report",
        form="maintenance_report",
        title=CONTENT["title"],
        content=CONTENT,
    )
    draft = TemplateVersion.get(TemplateVersion.template == template)
    return checklists.publish(draft, actor=world["users"]["admin"])


@pytest.fixture
def phone(app, world):
    client = app.test_client()
    client.set_cookie("rounds_lang", "zh_Hans")
    return Device(client=client, csrf=sign_in_as(client, world["users"]["engineer"]))


HEADER = {
    "client_name": "会议中心",
    "contact": "王经理",
    "phone": "13800000000",
    "address": "主楼",
    "service_time": "2026-11-21 09:00",
}


def start(phone, version, site, **extra) -> str:
    rid = str(uuid.uuid4())
    phone.edit(
        "round",
        rid,
        {
            "template_version_id": str(version.id),
            "site_id": str(site.id),
            "started_at": "2026-11-21T09:00:00+08:00",
            "header": HEADER,
            **extra,
        },
        op="create",
    )
    return rid


def answer(phone, rid, key, status, value=None, note="", photos=(), op="create", aid=None):
    aid = aid or str(uuid.uuid4())
    changes = {"status": status, "value": value, "note": note, "photos": list(photos)}
    if op == "create":
        changes.update(round_id=rid, item_key=key)
    phone.edit("answer", aid, changes, op=op)
    return aid


def attach(phone, owner, kind="photo", data=b"\xff\xd8 a photo"):
    aid = str(uuid.uuid4())
    phone.edit(
        "attachment",
        aid,
        {
            "owner_entity": "round",
            "owner_id": owner,
            "kind": kind,
            "filename": "x.jpg" if kind == "photo" else "signature.png",
            "mime": "image/jpeg" if kind == "photo" else "image/png",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
        op="create",
    )
    return aid, hashlib.sha256(data).hexdigest()


def results(phone):
    body = phone.push().get_json()
    return body["results"]


def test_a_whole_round_is_numbered_checked_submitted_and_sealed(phone, version, world):
    site = world["sites"][0]
    rid = start(phone, version, site)
    photo, photo_sha = attach(phone, rid)
    a1 = answer(phone, rid, "terminal.clean", "normal", {"cleaned": 4, "damaged": 0})
    answer(phone, rid, "terminal.image", "abnormal", note="偏色", photos=[photo])
    phone.edit("round", rid, {"submitted_at": "2026-11-21T09:40:00+08:00"}, op="submit")
    out = results(phone)
    assert [r["status"] for r in out[:4]] == ["applied"] * 4
    assert out[0]["number"].startswith("R-") and out[0]["number"].endswith("-00001")
    refused = out[4]
    assert refused["status"] == "rejected"
    assert "供电电压与额定值相符" in refused["error"]["message"]  # named, in the user's language
    assert refused["error"]["fields"]["items"] == ["terminal.voltage"]

    answer(phone, rid, "terminal.voltage", "normal", {"reading": 220.5, "nominal": 220})
    phone.edit(
        "round", rid, {"submitted_at": "2026-11-21T09:45:00+08:00", "summary": "正常"}, op="submit"
    )
    assert [r["status"] for r in results(phone)] == ["applied", "applied"]

    signature, signature_sha = attach(phone, rid, kind="signature", data=b"\x89PNG strokes")
    acceptance = {
        "accepted": True,
        "handover": "none",
        "satisfaction": "very_satisfied",
        "reasons": [],
        "comments": "",
        "signer": "王经理",
        "signed_at": "2026-11-21T09:50:00+08:00",
    }
    answers = sorted(
        (
            {
                "item_key": a.item_key,
                "equipment_id": None,
                "status": a.status,
                "value": a.value,
                "note": a.note,
                "photos": [photo_sha] if a.photos else [],
            }
            for a in Answer.select().where(Answer.round == rid)
        ),
        key=lambda a: a["item_key"],
    )
    document = {
        "v": 1,
        "round": {
            "id": rid,
            "template_version_id": str(version.id),
            "site_id": str(site.id),
            "location_id": None,
            "equipment_id": None,
            "equipment_ids": [],
            "period": "",
            "started_at": "2026-11-21T09:00:00+08:00",
            "submitted_at": "2026-11-21T09:45:00+08:00",
            "header": HEADER,
            "summary": "正常",
            "responsible": "",
            "revision_of": None,
        },
        "answers": answers,
        "acceptance": acceptance,
        "signature": signature_sha,
    }
    written = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    seal = hashlib.sha256(written.encode()).hexdigest()

    forged = "0" * 64
    phone.edit(
        "round",
        rid,
        {"acceptance": acceptance, "signature_id": signature, "seal_hash": forged},
        op="sign",
    )
    out = results(phone)
    assert out[0]["status"] == "applied" and out[1]["status"] == "rejected"
    assert out[1]["error"]["code"] == "seal_mismatch"
    assert Round.get_by_id(rid).status == "submitted"

    phone.pull_all()
    phone.edit(
        "round",
        rid,
        {"acceptance": acceptance, "signature_id": signature, "seal_hash": seal},
        op="sign",
    )
    assert results(phone)[0]["status"] == "applied"
    sealed = Round.get_by_id(rid)
    assert (sealed.status, sealed.seal_hash) == ("sealed", seal)
    # No echo never holds back what the server did on signing: the sealed round comes back.
    (back,) = [
        c["data"]
        for p in phone.pull_all()
        for c in p["changes"]
        if (c["entity"], c["id"]) == ("round", rid)
    ]
    assert (back["status"], back["seal_hash"]) == ("sealed", seal)

    # Sealed: nothing about it changes any more; a correction is a new revision.
    answer(phone, rid, None, "abnormal", note="改", op="update", aid=a1)
    phone.edit("round", rid, {"summary": "改"})
    attach(phone, rid)
    assert [r["error"]["code"] for r in results(phone)] == ["sealed", "sealed", "sealed"]
    fix = start(phone, version, site, revision_of=rid)
    fixed = results(phone)[0]
    assert fixed["status"] == "applied"
    assert fixed["number"] == f"{sealed.number}-1"
    assert Round.get_by_id(fix).revision_of_id == sealed.id


def test_answers_of_the_wrong_kind_are_refused_with_the_reason(phone, version, world):
    rid = start(phone, version, world["sites"][0])
    answer(phone, rid, "terminal.voltage", "normal", {"reading": "二百二十", "nominal": 220})
    answer(phone, rid, "terminal.clean", "normal", {"cleaned": 2, "damaged": 1})
    answer(phone, rid, "terminal.image", "sideways")
    answer(phone, rid, "no.such.item", "normal")
    answer(phone, rid, "terminal.voltage", "normal", {"reading": 230, "nominal": 220})
    out = results(phone)
    assert out[0]["status"] == "applied"
    assert [r["status"] for r in out[1:]] == ["rejected"] * 5
    assert "value" in out[1]["error"]["fields"] or "value.reading" in json.dumps(out[1]["error"])
    assert "status" in out[2]["error"]["fields"]  # a damaged unit makes it abnormal
    assert "status" in out[3]["error"]["fields"]
    assert "item_key" in out[4]["error"]["fields"]
    assert "status" in out[5]["error"]["fields"]  # 230 V against 220 ± 1 is abnormal
    assert Answer.select().count() == 0


def test_an_old_version_still_syncs_after_the_office_publishes_a_new_one(phone, version, world):
    rid = start(phone, version, world["sites"][0])
    admin = world["users"]["admin"]
    draft = checklists.new_draft(version.template, actor=admin)
    changed = json.loads(json.dumps(CONTENT))
    changed["sections"][0]["items"].pop(1)  # the voltage item is dropped in version 2
    checklists.save_draft(draft, actor=admin, content=changed)
    checklists.publish(draft, actor=admin)
    answer(phone, rid, "terminal.voltage", "normal", {"reading": 220, "nominal": 220})
    assert [r["status"] for r in results(phone)] == ["applied", "applied"]
    assert Round.get_by_id(rid).template_version_id == version.id
    # ... and prints against the version it was filled in, item and reading included.
    pdf = phone.client.get(f"/api/rounds/{rid}/report.pdf")
    assert pdf.status_code == 200
    words = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True
    ).stdout.decode()
    assert "供电电压与额定值相符" in words and "220" in words


def test_rounds_and_faults_stay_inside_the_scope(phone, version, world):
    other = world["sites"][1]
    start(phone, version, other)
    phone.edit(
        "fault",
        str(uuid.uuid4()),
        {"site_id": str(other.id), "description": "噪音", "reported_at": "2026-11-21T09:00"},
        op="create",
    )
    assert [r["error"]["code"] for r in results(phone)] == ["not_found", "not_found"]

    client = phone.client.application.test_client()
    customer = Device(client=client, csrf=sign_in_as(client, world["users"]["client"]))
    start(customer, version, world["sites"][0])
    assert results(customer)[0]["error"]["code"] == "forbidden"
    assert Round.select().count() == 0


def test_a_fault_from_an_abnormal_item_gets_a_number_and_keeps_its_photo(phone, version, world):
    site = world["sites"][0]
    device = world["equipment"][0]
    rid = start(phone, version, site)
    photo, _ = attach(phone, rid)
    answer(phone, rid, "terminal.image", "abnormal", note="画面偏色", photos=[photo])
    fid = str(uuid.uuid4())
    phone.edit(
        "fault",
        fid,
        {
            "site_id": str(site.id),
            "equipment_id": str(device.id),
            "round_id": rid,
            "item_key": "terminal.image",
            "description": "画面偏色",
            "severity": "high",
            "photos": [photo],
            "reported_at": "2026-11-21T09:30:00+08:00",
        },
        op="create",
    )
    out = results(phone)
    assert out[-1]["status"] == "applied" and out[-1]["number"].endswith("-00001")
    fault = Fault.get_by_id(fid)
    assert fault.number.startswith("F-") and fault.photos == [photo]
    assert Attachment.get_by_id(photo).site_id == site.id


def test_devices_pull_published_checklists_and_their_sites_rounds(phone, version, world):
    admin = world["users"]["admin"]
    checklists.new_draft(version.template, actor=admin)  # a draft stays in the office
    rid = start(phone, version, world["sites"][0])
    results(phone)
    phone.pull_all()
    versions = [k for k in phone.records if k[0] == "template_version"]
    assert versions == [("template_version", str(version.id))]
    assert ("template", str(version.template_id)) in phone.records
    assert phone.records[("round", rid)]["data"]["number"].startswith("R-")

    client = phone.client.application.test_client()
    stranger = Device(client=client, csrf=sign_in_as(client, world["engineer2"]))
    stranger.pull_all()
    assert not [k for k in stranger.records if k[0] == "round"]


def fault(phone, rid, site, key, description="画面偏色"):
    fid = str(uuid.uuid4())
    phone.edit(
        "fault",
        fid,
        {
            "site_id": str(site.id),
            "round_id": rid,
            "item_key": key,
            "description": description,
            "reported_at": "2026-11-21T09:30:00+08:00",
        },
        op="create",
    )
    return fid


def test_a_round_item_raises_one_fault_however_often_it_is_sent(phone, version, world, app):
    site = world["sites"][0]
    rid = start(phone, version, site)
    answer(phone, rid, "terminal.clean", "abnormal", {"cleaned": 1, "damaged": 1})
    first = fault(phone, rid, site, "terminal.clean")
    twice = fault(phone, rid, site, "terminal.clean", "画面偏色（第二次提交）")  # a double tap
    other = fault(phone, rid, site, "terminal.image")
    loose = fault(phone, None, site, "")  # not from a round: never limited
    out = results(phone)
    assert [r["status"] for r in out] == [
        "applied",
        "applied",
        "applied",
        "rejected",
        "applied",
        "applied",
    ]
    number = Fault.get_by_id(first).number
    refused = out[3]["error"]
    assert refused["code"] == "fault_exists"
    assert number in refused["message"] and "已" in refused["message"]  # named, in Chinese
    assert refused["fields"] == {"item_key": [f"已登记为 {number}。"]}

    # Another phone of the same engineer, later: refused just the same.
    second = app.test_client()
    second.set_cookie("rounds_lang", "en")
    tablet = Device(client=second, csrf=sign_in_as(second, world["users"]["engineer"]))
    fault(tablet, rid, site, "terminal.clean")
    again = results(tablet)[0]
    assert again["status"] == "rejected" and number in again["error"]["message"]
    assert "already raised" in again["error"]["message"]
    assert Fault.select().where(Fault.round == rid, Fault.item_key == "terminal.clean").count() == 1
    assert {str(f.id) for f in Fault.select()} == {first, other, loose}
    assert twice not in {str(f.id) for f in Fault.select()}


def test_a_checklist_the_client_does_not_sign_is_closed_by_submitting(phone, world):
    admin = world["users"]["admin"]
    internal = {**CONTENT, "acceptance": "none"}
    template = checklists.create_template(
        actor=admin,
        key="self-check",
        form="maintenance_report",
        title=CONTENT["title"],
        content=internal,
    )
    version = checklists.publish(
        TemplateVersion.get(TemplateVersion.template == template), actor=admin
    )
    rid = start(phone, version, world["sites"][0])
    answer(phone, rid, "terminal.clean", "normal", {"cleaned": 1, "damaged": 0})
    answer(phone, rid, "terminal.voltage", "normal", {"reading": 220, "nominal": 220})
    answer(phone, rid, "terminal.image", "normal")
    phone.edit("round", rid, {"submitted_at": "2026-11-21T09:45:00+08:00"}, op="submit")
    signature, _ = attach(phone, rid, kind="signature", data=b"\x89PNG strokes")
    phone.edit(
        "round",
        rid,
        {
            "acceptance": {
                "accepted": True,
                "handover": "none",
                "satisfaction": "satisfied",
                "reasons": [],
                "comments": "",
                "signer": "王经理",
                "signed_at": "2026-11-21T09:50:00+08:00",
            },
            "signature_id": signature,
            "seal_hash": "0" * 64,
        },
        op="sign",
    )
    out = results(phone)
    assert [r["status"] for r in out[:-1]] == ["applied"] * 6
    assert out[-1]["error"]["code"] == "not_signed"
    assert "客户" in out[-1]["error"]["message"]
    assert Round.get_by_id(rid).status == "submitted"


def test_a_phone_s_own_answers_are_not_echoed_and_its_copy_is_the_server_s(
    app, phone, version, world
):
    """No echo for answers (docs/sync-protocol.md): the push answers each clean answer write with
    the row as stored, the pull passes over it, and what the phone keeps is what another device
    receives. The round itself (numbered on arrival) comes back as always."""
    site = world["sites"][0]
    phone.pull_all()
    rid = start(phone, version, site)
    first = answer(phone, rid, "terminal.clean", "normal", {"cleaned": 4, "damaged": 0})
    second = answer(phone, rid, "terminal.image", "abnormal", note="偏色")
    out = results(phone)
    assert [r["status"] for r in out] == ["applied"] * 3
    assert "data" not in out[0] and all("data" in r for r in out[1:])
    answer(phone, rid, None, "normal", note="调整后正常", op="update", aid=second)
    (edited,) = results(phone)
    assert "data" in edited

    pages = phone.pull_all()
    came_back = {(c["entity"], c["id"]) for p in pages for c in p["changes"]}
    assert ("round", rid) in came_back
    assert not {("answer", first), ("answer", second)} & came_back
    other = Device(client=app.test_client(), csrf=None)
    other.csrf = sign_in_as(other.client, world["users"]["engineer"])
    other.pull_all()
    for aid in (first, second):
        assert phone.records[("answer", aid)] == other.records[("answer", aid)]
    assert phone.records[("answer", second)]["data"]["note"] == "调整后正常"
