"""Round reports: the PDF (read back with poppler), the office list, its filters and exports."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import uuid

import pytest
from openpyxl import load_workbook
from PIL import Image, ImageDraw

from tests.conftest import sign_in_as
from tests.factories import assign, create_equipment, create_user
from webapp.attachments import storage
from webapp.checklists.content import validate_template
from webapp.models import (
    Answer,
    Attachment,
    ChecklistTemplate,
    Fault,
    Round,
    TemplateVersion,
    utcnow,
)
from webapp.records import create_record


def t(zh_hans: str, zh_hant: str, en: str) -> dict:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


CONTENT = {
    "title": t(
        "视频、音频、控制系统维护工作报告",
        "視頻、音頻、控制系統維護工作報告",
        "Video, audio and control systems maintenance report",
    ),
    "form": "maintenance_report",
    "sections": [
        {
            "key": "host",
            "title": t("主机/服务器", "主機/伺服器", "Hosts and servers"),
            "items": [
                {
                    "key": "host.clean",
                    "kind": "count_pair",
                    "label": t(
                        "清洁灰尘，检查外壳有无损坏或腐蚀",
                        "清潔灰塵，檢查外殼有無損壞或腐蝕",
                        "Clean dust; check the casing for damage or corrosion",
                    ),
                    "counts": [
                        {"key": "cleaned", "label": t("已清洁", "已清潔", "Cleaned")},
                        {"key": "damaged", "label": t("已损坏", "已損壞", "Damaged")},
                    ],
                    "abnormal_if": "damaged",
                },
                {
                    "key": "host.logs",
                    "kind": "check",
                    "sense": "look",
                    "label": t(
                        "运行日志有无报错、异常退出",
                        "運行日誌有無報錯、異常退出",
                        "Run logs: errors or abnormal exits",
                    ),
                    "abnormal_requires": ["note"],
                },
            ],
        },
        {
            "key": "terminal",
            "repeat": "equipment",
            "title": t("终端", "終端", "Terminals"),
            "items": [
                {
                    "key": "terminal.voltage",
                    "kind": "measurement",
                    "unit": "V",
                    "nominal": 220,
                    "tolerance": 1,
                    "label": t(
                        "供电电压与额定值相符",
                        "供電電壓與額定值相符",
                        "Supply voltage matches the rated value",
                    ),
                },
                {
                    "key": "terminal.image",
                    "kind": "check",
                    "sense": "look",
                    "label": t(
                        "图像有无模糊、发白、偏色",
                        "圖像有無模糊、發白、偏色",
                        "Image: blur, whitening or colour cast",
                    ),
                    "abnormal_requires": ["note", "photo"],
                },
                {
                    "key": "terminal.audio",
                    "kind": "choice",
                    "label": t("声音是否清晰", "聲音是否清晰", "Is the sound clear"),
                    "options": [
                        {"key": "clear", "label": t("清晰", "清晰", "Clear")},
                        {"key": "noisy", "label": t("有杂音", "有雜音", "Noisy")},
                    ],
                    "abnormal_options": ["noisy"],
                },
            ],
        },
        {
            "key": "other",
            "title": t("其他", "其他", "Other"),
            "items": [
                {
                    "key": "other.remarks",
                    "kind": "text",
                    "multiline": True,
                    "required": False,
                    "label": t("其他说明", "其他說明", "Remarks"),
                },
                {
                    "key": "other.photos",
                    "kind": "photo",
                    "required": False,
                    "label": t("现场照片", "現場照片", "Photos of the site"),
                },
            ],
        },
    ],
}
SEAL = hashlib.sha256(b"the canonical content of the round").hexdigest()


def jpeg(width=640, height=480, seed=0) -> bytes:
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for x in range(0, width, 8):
        draw.rectangle([x, 0, x + 8, height], fill=((x + seed * 40) % 256, 90, 200 - x % 200))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def signature_png() -> bytes:
    img = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(20, 150), (200, 40), (380, 160), (580, 30)], fill="black", width=6)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def attachment(app, round_, kind, data: bytes | None, *, complete=True, mime="image/jpeg"):
    """An attachment of the round; its bytes are stored where uploads end up when complete."""
    body = data or b"never arrives"
    row = create_record(
        Attachment,
        actor=None,
        owner_entity="round",
        owner_id=str(round_.id),
        site=round_.site,
        kind=kind,
        mime=mime,
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        received=len(body) if complete else 0,
        status="complete" if complete else "pending",
    )
    if complete:
        with app.app_context():
            storage.current().put(str(row.id), body)
    return str(row.id)


def make_template(content=CONTENT) -> TemplateVersion:
    assert validate_template(content) == {}
    template = create_record(
        ChecklistTemplate,
        actor=None,
        key=f"maintenance-{uuid.uuid4().hex[:8]}",
        form="maintenance_report",
        title=content["title"],
        status="published",
        published_version=1,
    )
    return create_record(
        TemplateVersion,
        actor=None,
        template=template,
        number=1,
        content=content,
        status="published",
        published_at=utcnow(),
    )


def make_round(
    app,
    site,
    engineer,
    devices,
    *,
    number="R-2026-00042",
    started_at="2026-11-21T09:05:00.000+08:00",
    sealed=True,
    abnormal=True,
    version=None,
    signer="王经理",
    missing_photos=False,
) -> Round:
    """A filled maintenance report: one abnormal terminal image with a note, photos and a
    fault; sealed with the client's acceptance and signature unless told otherwise."""
    version = version or make_template()
    round_ = create_record(
        Round,
        actor=None,
        number=number,
        template_version=version,
        site=site,
        location=devices[0].location if devices else None,
        equipment_ids=[str(d.id) for d in devices],
        engineer=engineer,
        period=started_at[:10],
        status="in_progress",
        started_at=started_at,
        header={"client_name": "", "contact": "李主任", "phone": "0571-88886666"},
    )

    def answer(key, status, value=None, note="", photos=(), equipment=None):
        create_record(
            Answer,
            actor=None,
            round=round_,
            site=site,
            item_key=key,
            equipment=equipment,
            status=status,
            value=value,
            note=note,
            photos=list(photos),
            answered_at=started_at,
        )

    answer("host.clean", "normal", {"cleaned": 3, "damaged": 0})
    answer("host.logs", "normal")
    first = devices[0]
    if missing_photos:
        photos = [
            attachment(app, round_, "photo", None, complete=False),
            str(uuid.uuid4()),  # announced on the device, never synced
            attachment(app, round_, "photo", b"not an image at all"),
        ]
    else:
        photos = [attachment(app, round_, "photo", jpeg(seed=i)) for i in range(2)]
    answer("terminal.voltage@" + str(first.id), "normal", {"reading": 219.5}, equipment=first)
    if abnormal:
        answer(
            f"terminal.image@{first.id}",
            "abnormal",
            note="画面偏色，已联系厂家",
            photos=photos,
            equipment=first,
        )
    else:
        answer(f"terminal.image@{first.id}", "normal", photos=photos, equipment=first)
    answer(f"terminal.audio@{first.id}", "normal", "clear", equipment=first)
    answer("other.remarks", "normal", "机房空调运行正常。")
    if abnormal:
        create_record(
            Fault,
            actor=None,
            number=f"F-2026-{number[-5:]}",
            site=site,
            round=round_,
            item_key=f"terminal.image@{first.id}",
            description="投影机画面偏色",
            severity="high",
            reported_at=started_at,
            reported_by=engineer,
        )
    changes = {"status": "submitted", "summary": "全部设备已检查，一台投影机偏色待厂家处理。"}
    changes.update(responsible="张工", submitted_at=started_at[:11] + "10:40:00.000+08:00")
    if sealed:
        changes.update(
            status="sealed",
            acceptance={
                "accepted": True,
                "handover": "none",
                "satisfaction": "satisfied",
                "reasons": [],
                "comments": "响应及时",
                "signer": signer,
                "signed_at": started_at[:11] + "10:42:07.123+08:00",
            },
            signature_id=uuid.UUID(
                attachment(app, round_, "signature", signature_png(), mime="image/png")
            ),
            seal_hash=SEAL,
            sealed_at=utcnow(),
        )
    Round.update(**changes).where(Round.id == round_.id).execute()
    return Round.get_by_id(round_.id)


def plain_round(site, engineer, number="R-2026-00001") -> Round:
    """A round just started: no answers, no attachments (for tables of who may read what)."""
    return create_record(
        Round,
        actor=None,
        number=number,
        template_version=make_template(),
        site=site,
        engineer=engineer,
        started_at="2026-11-21T09:05:00.000+08:00",
    )


@pytest.fixture
def rounds_world(app, world):
    site_a, site_b = world["sites"]
    device_a, device_b = world["equipment"]
    projector = create_equipment(site_a, world["locations"][0], name="投影机", code="P-01")
    version = make_template()
    world["round"] = make_round(app, site_a, world["users"]["engineer"], [projector, device_a])
    world["round_b"] = make_round(
        app,
        site_b,
        world["engineer2"],
        [device_b],
        number="R-2026-00043",
        started_at="2026-11-10T14:00:00.000+08:00",
        sealed=False,
        abnormal=False,
        version=version,
    )
    assign(world["engineer2"], site_b)
    return world


def pdf_text(data: bytes, tmp_path, page: int | None = None) -> str:
    path = tmp_path / f"report-{uuid.uuid4().hex}.pdf"
    path.write_bytes(data)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def page_count(data: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    line = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def get_pdf(client, user, round_, **headers):
    sign_in_as(client, user)
    return client.get(f"/api/rounds/{round_.id}/report.pdf", headers=headers)


# -- the PDF -------------------------------------------------------------------------------


def test_the_pdf_of_a_chinese_round_prints_its_items_number_and_seal(
    client, rounds_world, tmp_path
):
    w = rounds_world
    r = get_pdf(client, w["users"]["engineer"], w["round"], **{"Accept-Language": "zh-CN"})
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    assert "R-2026-00042.pdf" in r.headers["Content-Disposition"]
    text = pdf_text(r.data, tmp_path)
    for expected in (
        "视频、音频、控制系统维护工作报告",
        "R-2026-00042",
        "清洁灰尘，检查外壳有无损坏或腐蚀",
        "图像有无模糊、发白、偏色",
        "终端",
        "P-01 投影机",  # a repeated section names its device
        "数字调音台",
        "画面偏色，已联系厂家",
        "李主任",  # the header as the device wrote it
        "会议中心",  # the client's name, from the site's client when the header has none
        "219.5 V",
        "F-2026-00042",
        "全部设备已检查",
        "王经理",
    ):
        assert expected in text, expected
    pages = page_count(r.data, tmp_path)
    for page in range(1, pages + 1):
        assert SEAL in pdf_text(r.data, tmp_path, page), f"seal missing on page {page}"


def test_the_first_page_is_drawn(client, rounds_world, tmp_path):
    r = get_pdf(client, rounds_world["users"]["dispatcher"], rounds_world["round"])
    path = tmp_path / "report.pdf"
    path.write_bytes(r.data)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as img:
        grey = img.convert("L")
        dark = sum(grey.histogram()[:200])  # pixels darker than the paper
        assert dark > grey.width * grey.height * 0.02  # text, table lines, thumbnails


def test_photos_are_embedded_as_small_thumbnails(client, rounds_world):
    r = get_pdf(client, rounds_world["users"]["admin"], rounds_world["round"])
    assert r.data.count(b"/Subtype /Image") >= 3  # two photos and the signature
    assert len(r.data) < 400_000  # the font is a subset, photos are thumbnails


def test_readers_get_their_own_language(client, rounds_world, tmp_path):
    w = rounds_world
    engineer = w["users"]["engineer"]
    engineer.locale = "zh_Hant"
    engineer.save()
    hant = pdf_text(get_pdf(client, engineer, w["round"]).data, tmp_path)
    assert "清潔灰塵，檢查外殼有無損壞或腐蝕" in hant and "終端" in hant
    assert "清洁灰尘" not in hant
    assert "視頻、音頻、控制系統維護工作報告" in hant

    english = get_pdf(client, w["users"]["client"], w["round"], **{"Accept-Language": "en-GB"})
    text = pdf_text(english.data, tmp_path)
    assert "Clean dust; check the casing for damage or corrosion" in text
    assert "Terminals" in text and "Video, audio and control systems maintenance report" in text
    assert "Cleaned: 3" in text and "Satisfied" in text
    assert "清洁灰尘" not in text
    assert "画面偏色，已联系厂家" in text  # what people wrote stays as written


def test_missing_or_broken_photos_do_not_stop_the_report(app, client, world, tmp_path):
    projector = create_equipment(world["sites"][0], name="投影机")
    round_ = make_round(
        app, world["sites"][0], world["users"]["engineer"], [projector], missing_photos=True
    )
    Attachment.update(status="pending").where(Attachment.kind == "signature").execute()
    r = get_pdf(client, world["users"]["engineer"], round_, **{"Accept-Language": "en"})
    assert r.status_code == 200
    text = pdf_text(r.data, tmp_path)
    assert text.count("photo not yet received") == 3
    assert "signature not yet received" in text


def test_long_answers_and_notes_are_printed_in_full(client, rounds_world, tmp_path):
    w = rounds_world
    remarks = "机房巡检记录：" + "空调、配电、消防设施运行正常。" * 60 + "以上为本次全部说明。"
    Answer.update(value=remarks[:2000]).where(Answer.item_key == "other.remarks").execute()
    note = "投影机偏色，" * 330 + "待厂家处理。"
    Answer.update(note=note[:2000]).where(Answer.status == "abnormal").execute()
    r = get_pdf(client, w["users"]["admin"], w["round"], **{"Accept-Language": "zh-CN"})
    text = "".join(pdf_text(r.data, tmp_path).split())  # lines wrap anywhere in Chinese
    assert "以上为本次全部说明。" in text and "待厂家处理。" in text
    assert page_count(r.data, tmp_path) >= 2


def test_the_report_view_model_reads_values_with_their_labels(app, rounds_world):
    from webapp.reports.operations import get_round
    from webapp.reports.view_model import round_report

    with app.test_request_context():
        round_ = get_round(rounds_world["users"]["admin"], rounds_world["round"].id)
        report = round_report(round_, "en")
    terminal = next(s for s in report["sections"] if s["equipment_name"] == "P-01 投影机")
    voltage, image, audio = terminal["items"]
    assert voltage["answer"]["reading"] == {
        "value": 219.5,
        "nominal": 220,
        "tolerance": 1,
        "unit": "V",
    }
    assert voltage["answer"]["summary"] == "219.5 V (rated 220 V ± 1)"
    assert image["abnormal"] and image["answer"]["status_label"] == "Abnormal"
    assert [p["received"] for p in image["photos"]] == [True, True]
    assert image["faults"] == ["F-2026-00042"]
    assert audio["answer"]["choice"] == {"key": "clear", "label": "Clear"}
    # the second device of the round has no answers yet
    other = next(s for s in report["sections"] if s["equipment_name"] == "数字调音台")
    assert [i["answer"]["status_label"] for i in other["items"]] == ["Not answered"] * 3
    assert report["abnormal_count"] == 1 and report["item_count"] == 10
    assert report["header"]["client_name"] == "会议中心"
    assert report["acceptance"]["satisfaction_label"] == "Satisfied"
    assert report["acceptance"]["handover_label"] == "None"
    assert report["seal_hash"] == SEAL and report["signature"]["received"]


# -- who may read it -------------------------------------------------------------------------


def test_reports_outside_ones_scope_are_not_found(client, rounds_world):
    w = rounds_world
    assert get_pdf(client, w["engineer2"], w["round"]).status_code == 404  # site A is not theirs
    assert get_pdf(client, w["engineer2"], w["round_b"]).status_code == 200
    other_client = create_user("client", "cli-b", client=w["clients"][1])
    assert get_pdf(client, other_client, w["round"]).status_code == 404
    assert get_pdf(client, w["users"]["client"], w["round_b"]).status_code == 404
    r = get_pdf(client, w["users"]["client"], w["round"])
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    r = client.get(f"/api/rounds/{uuid.uuid4()}/report.pdf")
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    assert client.get("/api/rounds/not-an-id/report.pdf").status_code == 404


def test_a_removed_round_has_no_report(client, rounds_world):
    w = rounds_world
    Round.update(deleted_at=utcnow()).where(Round.id == w["round"].id).execute()
    assert get_pdf(client, w["users"]["admin"], w["round"]).status_code == 404


# -- the office list -------------------------------------------------------------------------


def office_get(client, w, url, **headers):
    sign_in_as(client, w["users"]["dispatcher"])
    return client.get(url, headers={"Accept-Language": "en", **headers})


def test_the_office_list_filters_rounds(client, rounds_world):
    w = rounds_world
    site_a, site_b = w["sites"]

    def numbers(query=""):
        r = office_get(client, w, f"/office/rounds{query}")
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        return {n for n in ("R-2026-00042", "R-2026-00043") if n in html}

    assert numbers() == {"R-2026-00042", "R-2026-00043"}
    assert numbers(f"?site_id={site_b.id}") == {"R-2026-00043"}
    assert numbers("?date_from=2026-11-21&date_to=2026-11-21") == {"R-2026-00042"}
    assert numbers("?date_to=2026-11-20") == {"R-2026-00043"}
    assert numbers("?status=sealed") == {"R-2026-00042"}
    assert numbers("?abnormal=1") == {"R-2026-00042"}
    assert numbers("?site_id=&date_from=&status=&abnormal=") == {"R-2026-00042", "R-2026-00043"}


def test_the_office_list_is_paginated(client, rounds_world, monkeypatch):
    from webapp.reports import operations

    monkeypatch.setattr(operations, "PER_PAGE", 1)
    first = office_get(client, rounds_world, "/office/rounds").get_data(as_text=True)
    second = office_get(client, rounds_world, "/office/rounds?page=2").get_data(as_text=True)
    assert "R-2026-00042" in first and "R-2026-00043" not in first  # newest first
    assert "R-2026-00043" in second and "R-2026-00042" not in second
    assert "Page 2 of 2" in second


def test_bad_filters_are_named(client, rounds_world):
    r = office_get(client, rounds_world, "/office/rounds?date_from=2026-12-01&date_to=2026-11-01")
    assert r.status_code == 422
    assert "The end date is before the start date." in r.get_data(as_text=True)
    r = office_get(client, rounds_world, "/office/rounds?status=lost&page=0")
    assert r.status_code == 422
    r = office_get(client, rounds_world, "/office/rounds/export.csv?date_from=yesterday")
    assert r.status_code == 422


def test_the_detail_page_shows_the_report(client, rounds_world):
    w = rounds_world
    r = office_get(client, w, f"/office/rounds/{w['round'].id}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "R-2026-00042" in html and "Clean dust; check the casing" in html
    assert f"/api/rounds/{w['round'].id}/report.pdf" in html
    assert SEAL in html and "王经理" in html and "F-2026-00042" in html
    assert office_get(client, w, f"/office/rounds/{uuid.uuid4()}").status_code == 404
    sign_in_as(client, w["users"]["engineer"])
    assert client.get(f"/office/rounds/{w['round'].id}").status_code == 403


# -- exports -------------------------------------------------------------------------------


def test_the_csv_export_opens_in_spreadsheets_with_chinese(client, rounds_world):
    w = rounds_world
    r = office_get(client, w, f"/office/rounds/export.csv?site_id={w['sites'][0].id}")
    assert r.status_code == 200
    assert r.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Report number", "Template", "Site"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Report number"] == "R-2026-00042"
    assert row["Template"] == "Video, audio and control systems maintenance report v1"
    assert row["Site"] == "主楼" and row["Location"] == "音控机房"
    assert row["Abnormal items"] == "1" and row["Faults"] == "F-2026-00042"
    assert row["Satisfaction"] == "Satisfied" and row["Signed by"] == "王经理"
    assert row["Seal hash"] == SEAL and row["Started"] == "2026-11-21 09:05"


def test_the_excel_export_has_the_same_rows(client, rounds_world):
    r = office_get(client, rounds_world, "/office/rounds/export.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Report number" and len(rows) == 3
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {"R-2026-00042", "R-2026-00043"}
    assert by_number["R-2026-00042"][2] == "主楼" and by_number["R-2026-00042"][8] == 1
    assert by_number["R-2026-00043"][12] == "" or by_number["R-2026-00043"][12] is None


def test_exported_text_never_runs_as_a_formula(app, client, rounds_world):
    w = rounds_world
    make_round(
        app,
        w["sites"][0],
        w["users"]["engineer"],
        [w["equipment"][0]],
        number="R-2026-00044",
        signer='=HYPERLINK("http://x")',
    )
    csv_text = office_get(client, w, "/office/rounds/export.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    xlsx = office_get(client, w, "/office/rounds/export.xlsx").data
    sheet = load_workbook(io.BytesIO(xlsx)).active
    cells = [row[11] for row in sheet.iter_rows(min_row=2)]
    signed = next(c for c in cells if c.value and "HYPERLINK" in c.value)
    assert signed.data_type == "s"


def test_the_office_sees_the_faults_raised_from_rounds(client, world, app):
    from webapp.models import Fault
    from webapp.records import create_record

    site = world["sites"][0]
    create_record(
        Fault,
        actor=None,
        number="F-2026-00007",
        site=site,
        equipment=world["equipment"][0],
        description="画面偏色",
        severity="high",
        reported_at="2026-11-21T09:30:00+08:00",
        reported_by=world["users"]["engineer"],
    )
    sign_in_as(client, world["users"]["dispatcher"])
    page = client.get("/office/faults", headers={"Accept-Language": "zh-CN"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "F-2026-00007" in body and "画面偏色" in body and "数字调音台" in body
    other = client.get(f"/office/faults?site_id={world['sites'][1].id}").get_data(as_text=True)
    assert "F-2026-00007" not in other
    assert client.get("/office/faults?site_id=nonsense").status_code == 422  # and says why
