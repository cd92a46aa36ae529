"""The machine-room access log (机房出入登记, docs/checkins.md "Access log"): restricted rooms, the
purpose, people and escorted names signed with a check-in and checked on sync, the pairing of a
check-in with the check-out that closes it, and the office's log with its filters and exports
through the one formula guard."""

from __future__ import annotations

import base64
import csv
import io
import json
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import sign_in_as
from tests.factories import assign, create_location, create_user
from tests.sync_client import Device
from tests.test_checkins import Phone
from tests.test_passkeys import ORIGIN
from webapp.checkins import access
from webapp.checkins.record import LEGACY_VERSION, canonical_bytes
from webapp.errors import ApiError
from webapp.models import CheckIn, Location, utcnow
from webapp.records import create_record
from webapp.spreadsheets import csv_cell

SPREADSHEET_CASES = json.loads(
    (Path(__file__).parent / "spreadsheet_cases.json").read_text("utf-8")
)["cases"]
ACCESS = {"purpose": "更换核心交换机电源模块", "people": 3, "escorts": ["张伟", "李娜"]}


@pytest.fixture
def app(app):
    app.config["PUBLIC_URL"] = ORIGIN + "/"
    return app


@pytest.fixture
def room(world):
    """Site A's room, marked restricted."""
    room = world["locations"][0]
    Location.update(restricted=True).where(Location.id == room.id).execute()
    return Location.get_by_id(room.id)


@pytest.fixture
def phone(app, world):
    return Phone(app, world["users"]["engineer"])


@pytest.fixture
def office(app, world):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    sign_in_as(client, world["users"]["dispatcher"])
    return client


def _refused(result, code):
    assert result["status"] == "rejected", result
    assert result["error"]["code"] == code, result
    return result["error"]


# --- on sync -----------------------------------------------------------------------------------


def test_a_check_in_at_a_restricted_room_keeps_its_signed_access_record(world, phone, room):
    phone.pull()
    record = phone.record(world["sites"][0], room, **ACCESS)
    result = phone.send(record["id"], phone.sign(record))
    assert result["status"] == "applied" and result["verification"] == "verified", result
    kept = CheckIn.get_by_id(record["id"])
    assert (kept.purpose, kept.people, kept.escorts) == (
        ACCESS["purpose"],
        ACCESS["people"],
        ACCESS["escorts"],
    )
    assert b'"purpose":"\xe6\x9b\xb4' in canonical_bytes(record)  # signed, as UTF-8
    pulled = [c["data"] for c in phone.pull()["changes"] if c["entity"] == "checkin"]
    assert pulled[0]["purpose"] == ACCESS["purpose"] and pulled[0]["escorts"] == ACCESS["escorts"]


def test_a_check_in_at_a_restricted_room_without_purpose_or_people_is_refused(world, phone, room):
    phone.device.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    phone.pull()
    for missing in ({"purpose": "  "}, {"people": None}):
        record = phone.record(world["sites"][0], room, **{**ACCESS, **missing})
        error = _refused(phone.send(record["id"], phone.sign(record)), "checkin_access_required")
        assert "受限机房" in error["message"] and "来访事由" in error["message"]
    # A check-out there needs none of it; a check-in elsewhere neither.
    out = phone.record(world["sites"][0], room, kind="out")
    assert phone.send(out["id"], phone.sign(out))["status"] == "applied"
    elsewhere = phone.record(world["sites"][0])
    assert phone.send(elsewhere["id"], phone.sign(elsewhere))["status"] == "applied"
    assert CheckIn.select().where(CheckIn.kind == "in").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("people", 0),
        ("people", 100),
        ("people", "3"),
        ("people", True),
        ("purpose", "修" * 501),
        ("escorts", "张伟"),
        ("escorts", ["  "]),
        ("escorts", ["名" * 101]),
        ("escorts", [f"人{n}" for n in range(31)]),
        ("purpose", "巡\x00检"),  # no store keeps a NUL: refused at the edge, by field
        ("escorts", ["张\x07伟"]),
    ],
)
def test_access_fields_out_of_their_contract_are_refused_by_field(world, phone, room, field, value):
    phone.pull()
    record = phone.record(world["sites"][0], room, **ACCESS)
    changes = phone.sign(record, signed=False)
    changes[field] = value
    error = _refused(phone.send(record["id"], changes), "invalid")
    assert field in error["fields"], error


def test_access_fields_changed_after_signing_are_tampering(world, phone, room):
    phone.pull()
    record = phone.record(world["sites"][0], room, **ACCESS)
    changes = phone.sign(record)
    changes["people"] = 1
    _refused(phone.send(record["id"], changes), "checkin_tampered")
    changes = phone.sign(record)
    changes["escorts"] = ["张伟"]
    _refused(phone.send(record["id"], changes), "checkin_tampered")


def test_a_record_signed_before_the_access_fields_is_still_accepted(world, phone):
    """A phone may hold version-1 check-ins made before its app updated: they still verify."""
    phone.pull()
    record = phone.record(world["sites"][0], world["locations"][0])
    data = canonical_bytes(record, LEGACY_VERSION)
    changes = phone.sign(record)  # version 2 bytes and signature; replaced below
    changes["canonical"] = base64.urlsafe_b64encode(data).decode().rstrip("=")
    challenge = base64.urlsafe_b64encode(__import__("hashlib").sha256(data).digest())
    changes["assertion"] = phone.key.get({"challenge": challenge.decode().rstrip("=")})
    result = phone.send(record["id"], changes)
    assert result["status"] == "applied" and result["verification"] == "verified", result
    # Version-1 bytes with access fields beside them: those fields were not signed.
    record = phone.record(world["sites"][0], world["locations"][0], purpose="巡检")
    changes = phone.sign(record, signed=False)
    data = canonical_bytes(record, LEGACY_VERSION)
    changes["canonical"] = base64.urlsafe_b64encode(data).decode().rstrip("=")
    _refused(phone.send(record["id"], changes), "checkin_tampered")


def test_a_restricted_room_of_another_site_is_not_found(app, world, phone):
    other = world["locations"][1]
    Location.update(restricted=True).where(Location.id == other.id).execute()
    phone.pull()
    record = phone.record(world["sites"][0], other, **ACCESS)
    _refused(phone.send(record["id"], phone.sign(record)), "not_found")
    record = phone.record(world["sites"][1], other, **ACCESS)
    _refused(phone.send(record["id"], phone.sign(record)), "not_found")


# --- the check-ins' feed: each engineer their own ------------------------------------------------


def test_an_engineer_pulls_only_their_own_check_ins(app, world, phone, room):
    colleague = create_user("engineer", "eng3")
    assign(colleague, world["sites"][0])
    theirs = Phone(app, colleague)
    theirs.pull()
    phone.pull()
    mine = phone.record(world["sites"][0], room, **ACCESS)
    assert phone.send(mine["id"], phone.sign(mine))["status"] == "applied"
    other = theirs.record(world["sites"][0], room, **ACCESS)
    assert theirs.send(other["id"], theirs.sign(other))["status"] == "applied"

    def pulled(user):
        client = app.test_client()
        device = Device(client, sign_in_as(client, user))
        changes = [c for page in device.pull_all() for c in page["changes"]]
        return {c["id"] for c in changes if c["entity"] == "checkin"}

    assert pulled(world["users"]["engineer"]) == {mine["id"]}
    assert pulled(colleague) == {other["id"]}
    assert pulled(world["users"]["client"]) == set()  # the client's users: none
    assert pulled(world["users"]["dispatcher"]) == {mine["id"], other["id"]}


# --- the office marks a room restricted; the phone learns it ------------------------------------


def test_the_office_marks_a_room_restricted_and_the_phone_pulls_it(app, world, office):
    loc = world["locations"][0]
    page = office.get(f"/office/locations/{loc.id}").get_data(as_text=True)
    assert 'name="restricted"' in page
    form = {
        "csrf_token": f"csrf-{world['users']['dispatcher'].id}",  # as sign_in_as sets it
        "site_id": str(loc.site_id),
        "name": loc.name,
        "kind": loc.kind,
        "restricted": "on",
    }
    r = office.post(f"/office/locations/{loc.id}", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    assert Location.get_by_id(loc.id).restricted
    client = app.test_client()
    device = Device(client, sign_in_as(client, world["users"]["engineer"]))
    rows = [
        c["data"]
        for page in device.pull_all()
        for c in page["changes"]
        if c["entity"] == "location" and c["id"] == str(loc.id)
    ]
    assert rows and rows[-1]["restricted"] is True
    form.pop("restricted")
    assert office.post(f"/office/locations/{loc.id}", data=form).status_code == 302
    assert not Location.get_by_id(loc.id).restricted


# --- pairing -----------------------------------------------------------------------------------


def keep(world, at_utc: datetime, kind="in", *, user=None, location=None, **fields):
    location = location or world["locations"][0]
    return create_record(
        CheckIn,
        actor=None,
        id=uuid.uuid4(),
        user=user or world["users"]["engineer"],
        site=location.site_id,
        location=location,
        kind=kind,
        device_text=at_utc.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        device_time=at_utc,
        received_at=utcnow(),
        content_hash="0" * 64,
        signed=True,
        verification="verified",
        flags=[],
        **fields,
    )


def test_a_check_in_pairs_with_the_next_check_out_of_the_same_person_at_the_same_room(world, room):
    other = world["engineer2"]
    second_room = create_location(world["sites"][0], "配电室", restricted=True)
    a_in = keep(world, datetime(2026, 12, 1, 1, 0), purpose="巡检", people=1)
    keep(world, datetime(2026, 12, 1, 1, 30), "out", user=other)  # someone else's check-out
    keep(world, datetime(2026, 12, 1, 1, 40), "out", location=second_room)  # another room's
    a_out = keep(world, datetime(2026, 12, 1, 2, 0), "out")
    b_in = keep(world, datetime(2026, 12, 1, 3, 0), purpose="更换", people=2)
    c_in = keep(world, datetime(2026, 12, 1, 4, 0), purpose="再次进入", people=1)  # b never out
    c_out = keep(world, datetime(2026, 12, 1, 5, 0), "out")
    keep(world, datetime(2026, 12, 1, 6, 0), "out")  # nothing open: closes nothing
    d_in = keep(world, datetime(2026, 12, 1, 7, 0), purpose="未签退", people=1)
    entries = access.pair(CheckIn.select())
    closed = {e.checkin.id: (e.checkout.id if e.checkout else None) for e in entries}
    assert closed == {a_in.id: a_out.id, b_in.id: None, c_in.id: c_out.id, d_in.id: None}


def test_same_instant_in_then_out_pairs_in_order(world, room):
    at = datetime(2026, 12, 1, 1, 0)
    out = keep(world, at, "out")
    came = keep(world, at, purpose="巡检", people=1)
    (entry,) = access.pair([out, came])
    assert entry.checkout.id == out.id


# --- the office's log ----------------------------------------------------------------------------


def test_the_office_log_shows_entries_open_and_closed_with_their_details(office, world, room):
    at = datetime(2026, 12, 1, 1, 0)
    closed = keep(world, at, purpose="更换电源", people=3, escorts=["张伟"])
    keep(world, datetime(2026, 12, 1, 2, 15), "out")
    still_in = keep(world, datetime(2026, 12, 2, 1, 0), purpose="巡检", people=1)
    keep(world, datetime(2026, 12, 2, 1, 0), location=world["locations"][1])  # not restricted
    page = office.get("/office/checkins/access?from=2026-12-01&to=2026-12-31")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('data-testid="access-entry"') == 2
    assert f'data-id="{closed.id}" data-open="false"' in html
    assert f'data-id="{still_in.id}" data-open="true"' in html
    assert "更换电源" in html and "张伟" in html and 'data-verification="verified"' in html
    # the newest first
    assert html.index(str(still_in.id)) < html.index(str(closed.id))
    assert "access-log" in html and "/office/checkins/access" in office.get(
        "/office/checkins"
    ).get_data(as_text=True)


def test_the_period_site_and_room_filter_the_log(office, world, room):
    # Its phone said +00:00: its own day is 11-30, although 12-01 at UTC+8.
    first = keep(world, datetime(2026, 11, 30, 17, 0), purpose="月末", people=1)
    later = keep(world, datetime(2026, 12, 10, 1, 0), purpose="中旬", people=1)
    keep(world, datetime(2026, 12, 20, 1, 0), "out")  # closes `later`, after the period
    other_room = create_location(world["sites"][1], "网络间二", restricted=True)
    at = datetime(2026, 12, 10, 2, 0)
    elsewhere = keep(world, at, location=other_room, purpose="x", people=1)

    def ids(query):
        html = office.get(f"/office/checkins/access?{query}").get_data(as_text=True)
        return {str(e.id) for e in (first, later, elsewhere) if str(e.id) in html}, html

    found, _ = ids("from=2026-12-01&to=2026-12-15")
    assert found == {str(later.id), str(elsewhere.id)}
    found, html = ids("from=2026-12-01&to=2026-12-15&site_id=" + str(world["sites"][0].id))
    assert found == {str(later.id)}
    assert f'data-id="{later.id}" data-open="false"' in html  # closed after the period's end
    found, _ = ids(f"from=2026-11-01&to=2026-11-30&location_id={room.id}")
    assert found == {str(first.id)}
    found, _ = ids("from=2026-12-11")
    assert found == set()


def test_a_long_period_comes_a_hundred_entries_a_page_with_its_filters_kept(office, world, room):
    from datetime import timedelta

    first = datetime(2026, 12, 1, 1, 0)
    kept = [
        keep(world, first + timedelta(minutes=i), purpose=f"巡检 {i}", people=1) for i in range(105)
    ]
    site = world["sites"][0].id

    def page(query):
        r = office.get(f"/office/checkins/access?from=2026-12-01&site_id={site}{query}")
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        return [str(k.id) for k in kept if f'data-id="{k.id}"' in html], html

    shown, html = page("")
    assert shown == [str(k.id) for k in kept[5:]]  # the newest hundred
    assert "第 1 页，共 2 页" in html
    assert f"site_id={site}" in html and "page=2" in html  # the next page keeps the filters
    shown, html = page("&page=2")
    assert shown == [str(k.id) for k in kept[:5]] and 'rel="prev"' in html
    assert page("&page=9")[0] == shown  # past the end: the last page
    export = office.get(f"/office/checkins/access/export.csv?from=2026-12-01&site_id={site}")
    assert export.get_data(as_text=True).count("巡检 ") == 105  # the exports take them all


@pytest.mark.parametrize("number", ["0", "-1", "x", "1.5", "9999999"])
def test_a_page_number_not_written_by_the_log_is_a_translated_400(office, world, number):
    r = office.get(f"/office/checkins/access?page={number}")
    assert r.status_code == 400
    assert "页码无效" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["from=2026-13-01", "to=20261201", "from=2026-12-05&to=2026-12-01", "site_id=nope"],
)
def test_bad_filters_are_a_translated_4xx(office, world, query):
    r = office.get(f"/office/checkins/access?{query}", headers={"Accept-Language": "zh-CN"})
    assert 400 <= r.status_code < 500


def test_only_the_office_reads_the_log(app, world, room):
    for role in ("engineer", "client"):
        client = app.test_client()
        sign_in_as(client, world["users"][role])
        for path in ("", "/export.csv", "/export.xlsx"):
            assert client.get(f"/office/checkins/access{path}").status_code == 403


def test_the_log_operation_itself_refuses_anyone_but_the_office(app, world, room):
    """Its own check, not only the office page's: a later JSON edge meets the same rule."""
    keep(world, datetime(2026, 12, 1, 1, 0), purpose="巡检", people=1)
    with app.test_request_context():
        for role in ("engineer", "client"):
            with pytest.raises(ApiError) as refused:
                access.access_log(world["users"][role])
            assert refused.value.status == 403
        assert len(access.access_log(world["users"]["admin"])) == 1


def test_exports_carry_the_log_and_guard_a_formula_looking_purpose(office, world, room):
    keep(world, datetime(2026, 12, 1, 1, 0), purpose="=1+1", people=2, escorts=["@张伟", "李娜"])
    keep(world, datetime(2026, 12, 1, 2, 0), "out")
    keep(world, datetime(2026, 12, 2, 1, 0), purpose="巡检", people=1)
    query = "from=2026-12-01&to=2026-12-31"
    r = office.get(f"/office/checkins/access/export.csv?{query}")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 3
    by_purpose = {row[5]: row for row in rows[1:]}
    assert set(by_purpose) == {"'=1+1", "巡检"}
    guarded = by_purpose["'=1+1"]
    assert guarded[6] == "2" and guarded[7] == "'@张伟、李娜"
    assert guarded[3].startswith("2026-12-01 01:00") and guarded[4].startswith("2026-12-01 02:00")
    assert by_purpose["巡检"][4] == "未签退"

    r = office.get(f"/office/checkins/access/export.xlsx?{query}")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    cells = {row[5].value: row for row in sheet.iter_rows(min_row=2)}
    formula = cells["=1+1"][5]
    assert formula.data_type == "s" and formula.quotePrefix  # text, never run
    assert cells["=1+1"][6].value == 2
    assert cells["巡检"][4].value == "未签退"


def test_the_export_guards_every_shared_case(app, world, room):
    """tests/spreadsheet_cases.json through the log's CSV and XLSX, as every export."""
    from tests.test_spreadsheet_guard import _check_xlsx_cell, _csv_cells, _xlsx_cells

    for n, case in enumerate(SPREADSHEET_CASES):
        keep(world, datetime(2026, 12, 1, 1, n % 60, n // 60), purpose=case["text"], people=1)
    with app.test_request_context():
        entries = sorted(
            access.access_log(world["users"]["admin"], first_day=date(2026, 12, 1)),
            key=lambda e: e.checkin.device_time,
        )
        keys = ["site", "room", "engineer", "in", "out", "purpose", "people", "escorts"]
        titles = {k: k for k in [*keys, "verification", "out_verification", "open"]}
        written = _csv_cells(access.export_csv(entries, titles, {}))[1:]
        sheet = _xlsx_cells(access.export_xlsx(entries, titles, {}, title="x"))
    assert len(written) == len(SPREADSHEET_CASES)
    for case, line, cells in zip(SPREADSHEET_CASES, written, sheet, strict=True):
        assert line[5] == csv_cell(case["text"]), case
        _check_xlsx_cell(cells[5], case)
