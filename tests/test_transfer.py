"""Importing and exporting the equipment register (docs/import-export.md)."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import sign_in_as
from tests.factories import create_equipment, create_location, create_user
from webapp import bulk
from webapp.inventory import operations as inventory_ops
from webapp.inventory import transfer
from webapp.models import AuditEntry, Equipment, RecordHistory
from webapp.records import delete_record

EN = {"Accept-Language": "en"}
HEADERS = [
    "资产编号",
    "名称",
    "系统",
    "品牌",
    "型号",
    "序列号",
    "安装日期",
    "使用年限",
    "位置",
    "状态",
]
# line (the header is line 1) -> (column, bad value, words the reason must hold)
BAD = {
    8: ("位置", "三楼机房", "no location “三楼机房”"),
    40: ("安装日期", "2026-13-01", "is not a date"),
    77: ("名称", "", "may not be empty"),
    150: ("系统", "卫星", "is not one of"),
    201: ("使用年限", "很久", "not a whole number of years"),
}


def register_rows(count: int = 200, bad: dict | None = None) -> list[dict]:
    rows = []
    for n in range(1, count + 1):
        row = {
            "资产编号": f"AV-{n:04d}",
            "名称": f"投影机{n}",
            "系统": ["视频", "audio", "Network", "中控"][n % 4],
            "品牌": "品牌甲",
            "型号": f"M-{n}",
            "序列号": f"SN{n:05d}",
            "安装日期": ["2020/05/01", "2021-03-15", ""][n % 3],
            "使用年限": "" if n % 3 != 2 else "4",
            "位置": "音控机房" if n % 2 else "",
            "状态": ["在用", "in_service", "Spare"][n % 3],
        }
        column, value, _words = (bad or {}).get(n + 1, (None, None, None))
        if column:
            row[column] = value
            if column == "使用年限":
                row["安装日期"] = ""
        rows.append(row)
    return rows


def as_csv(rows: list[dict], headers=HEADERS, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return buffer.getvalue().encode(encoding)


def as_xlsx(rows: list[dict], headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        cells = []
        for h in headers:
            value = row.get(h, "")
            if h == "安装日期" and value and value != BAD[40][1]:
                value = datetime.strptime(value.replace("/", "-"), "%Y-%m-%d")  # a date cell
            elif h == "使用年限" and value.isdigit():
                value = int(value)
            cells.append(value if value != "" else None)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def send(client, token, site, content: bytes, filename: str, headers=EN):
    return client.post(
        "/office/equipment/import",
        data={
            "csrf_token": token,
            "site_id": str(site.id),
            "file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
        headers=headers,
    )


def upload_id(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[-1]


def confirm(client, token, uid, headers=EN):
    r = client.post(f"/office/equipment/import/{uid}", data={"csrf_token": token}, headers=headers)
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    return client.get(r.headers["Location"], headers=headers)


def count(html: str, name: str) -> int:
    return int(re.search(rf'data-count="{name}">(\d+)<', html).group(1))


def problems(html: str) -> dict[int, str]:
    section = (
        html.split('id="problems"', 1)[1].split("</section>")[0] if 'id="problems"' in html else ""
    )
    return {
        int(n): reason for n, reason in re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td>", section)
    }


def at_site(site) -> int:
    return Equipment.live().where(Equipment.site == site).count()


@pytest.mark.parametrize(("fmt", "encode"), [("csv", as_csv), ("xlsx", as_xlsx)])
def test_200_rows_with_5_bad_import_195_and_report_5_with_lines(client, world, fmt, encode):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["dispatcher"])
    before = at_site(site)
    r = send(client, token, site, encode(register_rows(200, BAD)), f"设备清单.{fmt}")
    uid = upload_id(r)
    html = client.get(f"/office/equipment/import/{uid}", headers=EN).get_data(as_text=True)
    assert count(html, "create") == 195 and count(html, "bad") == 5
    assert at_site(site) == before  # nothing is written by a preview
    shown = problems(html)
    assert set(shown) == set(BAD)
    for line, (column, _value, words) in BAD.items():
        assert column in shown[line] and words in shown[line], (line, shown[line])

    result = confirm(client, token, uid).get_data(as_text=True)
    assert count(result, "create") == 195 and count(result, "bad") == 5
    assert set(problems(result)) == set(BAD)
    assert at_site(site) == before + 195
    item = Equipment.get(Equipment.code == "AV-0003")
    assert (item.name, item.system, item.serial_number) == ("投影机3", "central_control", "SN00003")
    assert item.location_id == world["locations"][0].id and item.status == "in_service"
    assert Equipment.get(Equipment.code == "AV-0004").installed_on == date(2021, 3, 15)
    years = Equipment.get(Equipment.code == "AV-0002")
    assert years.installed_on is None and years.service_years == 4
    assert Equipment.get(Equipment.code == "AV-0005").status == "spare"
    assert not Equipment.select().where(Equipment.code == "AV-0007").exists()  # line 8
    entry = AuditEntry.select().where(AuditEntry.action == "import").get()
    assert entry.entity_id == str(site.id) and '"create": 195' in entry.summary
    creations = AuditEntry.select().where(
        (AuditEntry.action == "create") & (AuditEntry.entity == "equipment")
    )
    assert creations.count() == 195 + 2  # and the two devices of the world
    assert not list(Path(client.application.instance_path, "imports").glob("*.upload"))


def test_a_gb18030_csv_from_a_chinese_spreadsheet_is_read(client, world):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    content = as_csv(register_rows(3), encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    result = confirm(client, token, upload_id(send(client, token, site, content, "清单.csv")))
    assert count(result.get_data(as_text=True), "create") == 3
    assert Equipment.get(Equipment.code == "AV-0001").name == "投影机1"


def test_headers_and_choices_in_any_of_the_three_languages(client, world):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    headers = [
        "名稱",
        "系統",
        "serial_number",
        "廠家聯絡方式",
        "保固截止",
        "狀態",
        "Location",
        "備註",
    ]
    rows = [
        ["控制主機", "中控", "TW-1", "+886 2 1234 5678", "2030/11/21", "報廢", "音控机房", "甲"],
        ["Mixer", "Audio", "TW-2", "", "2030.1.2", "faulty", " 音控机房 ", "=1+1"],
        ["收音機", "音訊系統", "TW-3", "", "2030年1月2日", "", "", ""],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([headers, *rows])
    content = buffer.getvalue().encode()
    result = confirm(client, token, upload_id(send(client, token, site, content, "tw.csv")))
    assert count(result.get_data(as_text=True), "create") == 3
    first, second, third = (Equipment.get(Equipment.serial_number == f"TW-{n}") for n in (1, 2, 3))
    assert (first.system, first.status, first.warranty_until) == (
        "central_control",
        "retired",
        date(2030, 11, 21),
    )
    assert first.manufacturer_contact == "+886 2 1234 5678" and first.notes == "甲"
    assert (second.system, second.status, second.warranty_until) == (
        "audio",
        "faulty",
        date(2030, 1, 2),
    )
    assert second.location_id == world["locations"][0].id and second.notes == "=1+1"
    assert (third.system, third.status, third.location_id) == ("audio", "in_service", None)


def test_reasons_are_given_in_the_readers_language(client, world):
    token = sign_in_as(client, world["users"]["admin"])
    content = "名称,使用年限\n,3\n功放,150\n,很久\n".encode()
    zh = {"Accept-Language": "zh-CN"}
    uid = upload_id(send(client, token, world["sites"][0], content, "a.csv", headers=zh))
    shown = problems(client.get(f"/office/equipment/import/{uid}", headers=zh).text)
    assert shown[2] == "名称: 此字段不能为空。"
    assert shown[3] == "使用年限: 请输入 0 到 100 之间的数字。"
    assert "名称: 此字段不能为空。" in shown[4] and "使用年限: “很久”" in shown[4]  # every problem


def test_an_unknown_column_is_ignored_and_shown(client, world):
    token = sign_in_as(client, world["users"]["admin"])
    content = "名称,颜色\n功放,黑\n".encode()
    uid = upload_id(send(client, token, world["sites"][0], content, "a.csv"))
    html = client.get(f"/office/equipment/import/{uid}", headers=EN).get_data(as_text=True)
    assert "Columns ignored" in html and "颜色" in html and count(html, "create") == 1


def _export(client, fmt, headers=EN, **filters):
    r = client.get(f"/office/equipment/export.{fmt}", query_string=filters, headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return r


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_updates_instead_of_duplicating(client, world, fmt):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["dispatcher"])
    confirm(client, token, upload_id(send(client, token, site, as_csv(register_rows(20)), "a.csv")))
    total = Equipment.select().count()
    exported = _export(client, fmt, site_id=str(site.id)).data
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(exported)).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert len(rows) == 22  # the header, the world's device and twenty imported
    target = next(r for r in rows if r[header.index("Asset number")] == "AV-0005")
    target[header.index("Notes")] = "换过灯泡"
    target[header.index("Serial number")] = "SN-NEW"
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        content = buffer.getvalue().encode("utf-8-sig")
    else:
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        out = io.BytesIO()
        workbook.save(out)
        content = out.getvalue()
    item = Equipment.get(Equipment.code == "AV-0005")
    uid = upload_id(send(client, token, site, content, f"again.{fmt}"))
    html = client.get(f"/office/equipment/import/{uid}", headers=EN).get_data(as_text=True)
    assert (count(html, "create"), count(html, "update"), count(html, "unchanged")) == (0, 1, 20)
    assert count(html, "bad") == 0
    confirm(client, token, uid)
    assert Equipment.select().count() == total
    changed = Equipment.get_by_id(item.id)
    assert (changed.notes, changed.serial_number) == ("换过灯泡", "SN-NEW")
    assert changed.version == item.version + 1
    history = {
        h.field: (h.old_value, h.new_value)
        for h in RecordHistory.select().where(RecordHistory.entity_id == str(item.id))
    }
    assert history == {"notes": ("", "换过灯泡"), "serial_number": ("SN00005", "SN-NEW")}


def test_importing_the_same_new_rows_twice_is_refused_not_duplicated(client, world):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    content = as_csv(register_rows(5))
    confirm(client, token, upload_id(send(client, token, site, content, "a.csv")))
    uid = upload_id(send(client, token, site, content, "a.csv"))
    html = client.get(f"/office/equipment/import/{uid}", headers=EN).get_data(as_text=True)
    assert count(html, "create") == 0 and count(html, "bad") == 5
    assert "already registered at this site (投影机1)" in problems(html)[2]
    assert "nothing to import" in html and f'action="/office/equipment/import/{uid}"' not in html
    assert at_site(site) == 1 + 5


def test_record_ids_must_be_of_this_site_live_and_once(client, world):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    mine, theirs = world["equipment"]
    gone = create_equipment(site, name="旧功放")
    delete_record(gone, actor=None)
    fresh = "6f1c1d1e-0000-4000-8000-000000000001"
    rows = [
        ["Name", "Record ID", "Site", "Notes"],
        ["数字调音台", str(mine.id), "主楼", "ok"],  # 2: an update
        ["核心交换机", str(theirs.id), "", ""],  # 3: another site's equipment
        ["旧功放", str(gone.id), "", ""],  # 4: removed
        ["数字调音台", str(mine.id), "", ""],  # 5: the same record again
        ["投影机", "not-a-uuid", "", ""],  # 6
        ["新设备", fresh, "", ""],  # 7: a new device keeping its id
        ["别处的设备", "", "A区机房", ""],  # 8: a row for another site
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    uid = upload_id(send(client, token, site, buffer.getvalue().encode(), "ids.csv"))
    html = client.get(f"/office/equipment/import/{uid}", headers=EN).get_data(as_text=True)
    shown = problems(html)
    assert set(shown) == {3, 4, 5, 6, 8}
    assert "belongs to another site" in shown[3] and "was removed" in shown[4]
    assert "also on line 2" in shown[5] and "not a record ID" in shown[6]
    assert "for the site “A区机房”" in shown[8]
    confirm(client, token, uid)
    assert Equipment.get_by_id(mine.id).notes == "ok"
    assert Equipment.get_by_id(fresh).name == "新设备"
    assert Equipment.get_by_id(theirs.id).site_id == world["sites"][1].id


def test_a_row_that_turned_bad_after_the_preview_is_reported_at_confirmation(client, world):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    room = create_location(site, "配电室")
    rows = register_rows(4)
    rows[1]["位置"] = "配电室"
    uid = upload_id(send(client, token, site, as_csv(rows), "a.csv"))
    delete_record(room, actor=None)  # someone removes the room meanwhile
    html = confirm(client, token, uid).get_data(as_text=True)
    assert count(html, "create") == 3 and count(html, "bad") == 1
    assert "配电室" in problems(html)[3] and "new since the preview" in html
    assert at_site(site) == 1 + 3


def test_confirming_twice_imports_once(client, world):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    uid = upload_id(send(client, token, site, as_csv(register_rows(10)), "a.csv"))
    confirm(client, token, uid)
    again = client.post(f"/office/equipment/import/{uid}", data={"csrf_token": token}, headers=EN)
    assert again.status_code == 404 and "Upload the file again" in again.get_data(as_text=True)
    assert at_site(site) == 1 + 10


@pytest.mark.parametrize("where", ["insert", "update"])
def test_a_crash_mid_import_leaves_nothing(app, client, world, monkeypatch, where):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    existing = [create_equipment(site, code=f"OLD-{n}", name=f"旧设备{n}") for n in range(3)]
    rows = register_rows(200)
    headers = [*HEADERS, "Record ID"]
    for n, item in enumerate(existing):
        rows.append({"资产编号": item.code, "名称": f"改名{n}", "Record ID": str(item.id)})
    uid = upload_id(send(client, token, site, as_csv(rows, headers), "a.csv"))
    before = (
        Equipment.select().count(),
        AuditEntry.select().count(),
        RecordHistory.select().count(),
    )
    calls = []
    monkeypatch.setattr(transfer, "CHUNK", 50)
    if where == "insert":
        real = bulk.insert_many

        def failing(model, rows):
            calls.append(model)
            if model is Equipment and calls.count(Equipment) == 3:  # after 100 rows went in
                raise OSError("disk full")
            return real(model, rows)

        monkeypatch.setattr(bulk, "insert_many", failing)
    else:
        real = inventory_ops.update_equipment

        def failing(*args, **kwargs):
            calls.append(1)
            if len(calls) == 2:  # all new rows and one change are written by now
                raise OSError("disk full")
            return real(*args, **kwargs)

        monkeypatch.setattr(inventory_ops, "update_equipment", failing)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    r = client.post(f"/office/equipment/import/{uid}", data={"csrf_token": token}, headers=EN)
    assert r.status_code == 500 and "Nothing was saved" in r.get_data(as_text=True)
    assert calls, "the failure was not reached"
    after = (
        Equipment.select().count(),
        AuditEntry.select().count(),
        RecordHistory.select().count(),
    )
    assert after == before
    assert [e.name for e in Equipment.select().where(Equipment.code.startswith("OLD"))] == [
        "旧设备0",
        "旧设备1",
        "旧设备2",
    ]
    monkeypatch.undo()  # the upload is still there: trying again imports everything
    html = confirm(client, token, uid).get_data(as_text=True)
    assert (count(html, "create"), count(html, "update")) == (200, 3)


def test_confirming_again_after_a_crash_past_the_commit_adds_nothing(
    app, client, world, monkeypatch
):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    uid = upload_id(send(client, token, site, as_csv(register_rows(10)), "a.csv"))

    def lost(self, upload_id):
        raise RuntimeError("the process died before cleaning up")

    monkeypatch.setattr(transfer.Uploads, "discard", lost)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    r = client.post(f"/office/equipment/import/{uid}", data={"csrf_token": token}, headers=EN)
    assert r.status_code == 500 and at_site(site) == 1 + 10  # committed, upload left behind
    monkeypatch.undo()
    html = confirm(client, token, uid).get_data(as_text=True)
    assert (count(html, "create"), count(html, "unchanged"), count(html, "bad")) == (0, 10, 0)
    assert at_site(site) == 1 + 10


@pytest.mark.parametrize(
    ("content", "filename", "status", "message"),
    [
        (b"", "empty.csv", 400, "The file is empty."),
        (b"\r\n , \r\n", "blank.csv", 400, "The file is empty."),
        ("名称\n".encode(), "header.csv", 400, "column names but no rows"),
        ("品牌,型号\n甲,M1\n".encode(), "noname.csv", 400, "no name column"),
        ("名称,Name\n甲,乙\n".encode(), "twice.csv", 400, "mean the same field"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", 400, "Choose a .csv or .xlsx file."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", 400, "Choose a .csv or .xlsx file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", 400, "old Excel file"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", 400, "not a valid .xlsx workbook"),
        (b"name,notes\n", "a.xlsx", 400, "not a valid .xlsx workbook"),
        (b"\xff\xfe\xfa\xfb\xfc", "odd.csv", 400, "could not be read"),
    ],
)
def test_files_that_cannot_be_imported_get_a_clear_error(
    client, world, content, filename, status, message
):
    token = sign_in_as(client, world["users"]["admin"])
    r = send(client, token, world["sites"][0], content, filename)
    html = r.get_data(as_text=True)
    assert r.status_code == status and message in html, html[:3000]
    assert 'aria-invalid="true"' in html  # back on the form, next to the file field
    assert not Path(client.application.instance_path, "imports").exists() or not list(
        Path(client.application.instance_path, "imports").glob("*.upload")
    )


def test_a_zip_that_is_not_a_workbook_is_refused(client, world):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
    token = sign_in_as(client, world["users"]["admin"])
    r = send(client, token, world["sites"][0], buffer.getvalue(), "a.docx")
    assert r.status_code == 400 and "not a valid .xlsx workbook" in r.get_data(as_text=True)


def test_an_oversize_file_is_refused_before_it_is_read(client, world):
    token = sign_in_as(client, world["users"]["admin"])
    content = as_csv(register_rows(1)) + b"x" * (5 * 2**20 + 100_000)
    # the body built by hand: the test client would spool it to a file it never closes
    big = FileStorage(io.BytesIO(content), filename="big.csv")
    site = str(world["sites"][0].id)
    boundary, body = encode_multipart({"csrf_token": token, "site_id": site, "file": big})
    r = client.post(
        "/office/equipment/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=EN,
    )
    assert r.status_code == 413 and "larger than 5 MB" in r.get_data(as_text=True)


def test_a_file_just_over_the_limit_is_refused_on_the_form(app, client, world):
    app.config["IMPORT_MAX_BYTES"] = 2000
    token = sign_in_as(client, world["users"]["admin"])
    r = send(client, token, world["sites"][0], b"name\n" + b"x" * 2500, "big.csv")
    html = r.get_data(as_text=True)
    assert r.status_code == 413 and "larger than" in html and 'name="file"' in html


def test_too_many_rows_are_refused(app, client, world):
    app.config["IMPORT_MAX_ROWS"] = 10
    token = sign_in_as(client, world["users"]["admin"])
    site = world["sites"][0]
    assert send(client, token, site, as_csv(register_rows(10)), "ten.csv").status_code == 303
    for fmt, encode in (("csv", as_csv), ("xlsx", as_xlsx)):
        r = send(client, token, site, encode(register_rows(11)), f"eleven.{fmt}")
        assert r.status_code == 413 and "more than 10 rows" in r.get_data(as_text=True)


def test_a_site_and_a_file_must_be_chosen(client, world):
    token = sign_in_as(client, world["users"]["admin"])
    r = client.post(
        "/office/equipment/import",
        data={"csrf_token": token, "site_id": "not-a-site"},
        headers=EN,
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "Choose a site." in html and "Choose a .csv or .xlsx" in html


def test_export_follows_the_filters_and_speaks_the_readers_language(client, world):
    site_a, site_b = world["sites"]
    create_equipment(
        site_a,
        name="投影机",
        installed_on=date(2019, 1, 1),
        notes='=HYPERLINK("x")',
        manufacturer_contact="+86 138 0000 0000",
    )
    create_equipment(site_a, name="功放", service_years=7, system="audio")
    sign_in_as(client, world["users"]["dispatcher"])
    r = _export(client, "csv", headers={"Accept-Language": "zh-CN"}, site_id=str(site_a.id))
    assert r.data.startswith(b"\xef\xbb\xbf")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    assert "filename*=UTF-8''equipment-%E4%B8%BB%E6%A5%BC-" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["资产编号", "名称", "系统"] and "序列号" in header and "位置" in header
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"数字调音台", "投影机", "功放"}  # nothing of site B
    today = date.today()
    expected = today.year - 2019 - ((today.month, today.day) < (1, 1))
    assert by_name["投影机"]["使用年限"] == str(expected)
    assert by_name["投影机"]["安装日期"] == "2019-01-01"
    assert by_name["功放"]["使用年限"] == "7" and by_name["功放"]["系统"] == "音频"
    assert by_name["投影机"]["备注"] == '\'=HYPERLINK("x")'  # not a formula in a spreadsheet
    assert by_name["投影机"]["厂家联系方式"] == "'+86 138 0000 0000"
    assert by_name["数字调音台"]["位置"] == "音控机房" and by_name["数字调音台"]["站点"] == "主楼"
    filtered = _export(client, "csv", system="audio")
    assert [row[1] for row in csv.reader(io.StringIO(filtered.data.decode("utf-8-sig")))][1:] == [
        "功放"
    ]


def test_the_xlsx_export_has_a_bold_frozen_header_and_real_dates(client, world):
    site = world["sites"][0]
    create_equipment(site, name="投影机", installed_on=date(2019, 1, 1), notes="=1+1")
    sign_in_as(client, world["users"]["admin"])
    r = _export(client, "xlsx", site_id=str(site.id))
    assert r.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(r.data)).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1]) and sheet["B1"].value == "Name"
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "投影机")
    header = [c.value for c in sheet[1]]
    assert row[header.index("Installed on")].value == datetime(2019, 1, 1)
    notes = row[header.index("Notes")]
    assert notes.value == "=1+1" and notes.data_type == "s"


def test_the_equipment_list_links_to_import_and_export_with_its_filters(client, world):
    sign_in_as(client, world["users"]["admin"])
    site = world["sites"][0]
    html = client.get(f"/office/equipment?site_id={site.id}&system=audio").get_data(as_text=True)
    assert f"/office/equipment/import?site_id={site.id}" in html
    assert re.search(r"/office/equipment/export\.csv\?[^\"]*system=audio", html)
    assert re.search(r"/office/equipment/export\.xlsx\?[^\"]*site_id=" + str(site.id), html)


@pytest.mark.parametrize("role", ["engineer", "client"])
def test_engineers_and_client_users_can_neither_import_nor_export(client, world, role):
    token = sign_in_as(client, world["users"][role])
    site = world["sites"][0]
    assert client.get("/office/equipment/import").status_code == 403
    assert send(client, token, site, as_csv(register_rows(2)), "a.csv").status_code == 403
    assert client.get("/office/equipment/export.csv").status_code == 403
    assert client.get("/office/equipment/export.xlsx").status_code == 403
    assert at_site(site) == 1


def test_an_upload_belongs_to_its_uploader_and_expires_after_a_day(client, world):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    uid = upload_id(send(client, token, site, as_csv(register_rows(2)), "a.csv"))
    other = create_user("dispatcher", "disp2")
    other_token = sign_in_as(client, other)
    assert client.get(f"/office/equipment/import/{uid}").status_code == 404
    r = client.post(f"/office/equipment/import/{uid}", data={"csrf_token": other_token})
    assert r.status_code == 404 and at_site(site) == 1
    client.post(f"/office/equipment/import/{uid}/cancel", data={"csrf_token": other_token})
    sign_in_as(client, world["users"]["admin"])
    assert client.get(f"/office/equipment/import/{uid}").status_code == 200
    folder = Path(client.application.instance_path, "imports")
    old = time.time() - 25 * 3600
    meta = folder / f"{uid}.json"
    meta.write_text(meta.read_text().replace('"saved_at": ', '"saved_at": 1, "was": '))
    assert client.get(f"/office/equipment/import/{uid}").status_code == 404
    for path in folder.iterdir():
        os.utime(path, (old, old))
    upload_id(send(client, token, site, as_csv(register_rows(1)), "b.csv"))  # sweeps
    assert not (folder / f"{uid}.upload").exists()
    assert client.get("/office/equipment/import/..%2F..%2Fsecret_key").status_code == 404


def test_a_stored_upload_that_changed_is_not_imported(client, world):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    uid = upload_id(send(client, token, site, as_csv(register_rows(2)), "a.csv"))
    path = Path(client.application.instance_path, "imports", f"{uid}.upload")
    path.write_bytes(as_csv(register_rows(50)))
    r = client.post(f"/office/equipment/import/{uid}", data={"csrf_token": token}, headers=EN)
    assert r.status_code == 400 and "changed on the server" in r.get_data(as_text=True)
    assert at_site(site) == 1


def test_cancelling_removes_the_send(client, world):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    uid = upload_id(send(client, token, site, as_csv(register_rows(2)), "a.csv"))
    r = client.post(f"/office/equipment/import/{uid}/cancel", data={"csrf_token": token})
    assert r.status_code == 302 and f"site_id={site.id}" in r.headers["Location"]
    assert client.get(f"/office/equipment/import/{uid}").status_code == 404
    assert at_site(site) == 1


def test_every_header_name_belongs_to_one_column(app):
    with app.test_request_context():
        lookup = transfer.header_lookup()
        for column in transfer.COLUMNS:
            for name in (column.key, *column.aliases):
                assert lookup[transfer.normalise(name)] == column.key, name


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-11-21", date(2026, 11, 21)),
        ("2026/11/21", date(2026, 11, 21)),
        ("2026/1/5", date(2026, 1, 5)),
        ("2026.11.21", date(2026, 11, 21)),
        ("2026年11月21日", date(2026, 11, 21)),
        ("2026-11-21 00:00:00", date(2026, 11, 21)),
        (datetime(2026, 11, 21), date(2026, 11, 21)),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_the_forms_spreadsheets_write(app, cell, expected):
    with app.test_request_context():
        assert transfer.parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["21/11/2026", "2026-02-30", "next year", 46000])
def test_dates_that_are_not_dates(app, cell):
    with app.test_request_context(), pytest.raises(transfer.CellProblem):
        transfer.parse_date(cell)
