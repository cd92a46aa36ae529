"""The office's list of all faults: filters, pages, and the CSV/XLSX export with the clock
figures, written by the one shared writer and its formula guard."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from tests.conftest import sign_in_as
from webapp.faults import listing
from webapp.faults import operations as ops
from webapp.models import Fault
from webapp.records import create_record

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(autouse=True)
def _now():
    """Each test's own "now": the faults' minutes ago are measured against the real clock when
    the list is read, so a time taken when the module was imported ages in a long run (a fault
    reported "5 minutes ago" would be breached ten minutes later)."""
    global NOW
    NOW = datetime.now(UTC).replace(microsecond=0)


def reported(world, minutes_ago: float, number: str, site=0, **kw) -> Fault:
    values = {
        "id": uuid.uuid4(),
        "number": number,
        "site": world["sites"][site].id,
        "description": f"故障 {number}",
        "reported_at": (NOW - timedelta(minutes=minutes_ago)).isoformat(),
        "reported_by": world["users"]["engineer"].id,
        **kw,
    }
    return create_record(Fault, actor=None, **values, **ops.derived(Fault(**values)))


def take(fault, user, kind, minutes_ago, **details):
    at = (NOW - timedelta(minutes=minutes_ago)).isoformat()
    ops.add_event(
        actor=user,
        id=uuid.uuid4(),
        data={"fault_id": fault.id, "kind": kind, "at": at, "note": ""},
        details=details,
        site_ids={fault.site_id},
    )


@pytest.fixture
def office(client, world):
    sign_in_as(client, world["users"]["dispatcher"])
    client.set_cookie("rounds_lang", "en")
    return client


@pytest.fixture
def faults(world):
    engineer = world["users"]["engineer"]
    late = reported(world, 60, "F-2026-00001")  # nobody answered in 60 min: respond breached
    met = reported(world, 50, "F-2026-00002", kind="service_request")
    take(met, engineer, "responded", 45, channel="phone")  # 5 of 30 min: met
    take(met, engineer, "resolved", 20, diagnosis="d", action="a")  # 30 of 120: met
    take(met, world["users"]["dispatcher"], "closed", 10)
    other = reported(world, 5, "F-2026-00003", site=1, description='=HYPERLINK("http://x","y")')
    take(other, world["users"]["dispatcher"], "assigned", 4, assignee_id=str(engineer.id))
    return {"late": late, "met": met, "other": other}


def numbers(body: str) -> list[str]:
    return re.findall(r"<strong>(F-\d{4}-\d{5})</strong>", body)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["F-2026-00003", "F-2026-00002", "F-2026-00001"]),
        ("status=closed", ["F-2026-00002"]),
        ("kind=service_request", ["F-2026-00002"]),
        ("breached=1", ["F-2026-00001"]),
        ("breached=0", ["F-2026-00003", "F-2026-00002", "F-2026-00001"]),
    ],
)
def test_the_list_filters(office, world, faults, query, expected):
    response = office.get(f"/office/faults/list?{query}")
    assert response.status_code == 200
    assert numbers(response.get_data(as_text=True)) == expected


def test_the_list_filters_by_site_client_assignee_and_period(office, world, faults):
    site_b, client_b = world["sites"][1].id, world["clients"][1].id
    engineer = world["users"]["engineer"].id
    today = NOW.date().isoformat()
    for query, expected in (
        (f"site_id={site_b}", ["F-2026-00003"]),
        (f"client_id={client_b}", ["F-2026-00003"]),
        (f"client_id={world['clients'][0].id}", ["F-2026-00002", "F-2026-00001"]),
        (f"assignee_id={engineer}", ["F-2026-00003"]),
        ("date_from=2020-01-01&date_to=2020-01-31", []),
        (f"date_from=2020-01-01&date_to={(NOW.date() + timedelta(1)).isoformat()}", None),
    ):
        body = office.get(f"/office/faults/list?{query}").get_data(as_text=True)
        if expected is None:
            assert len(numbers(body)) == 3, query
        else:
            assert numbers(body) == expected, query
    assert today  # the period compares the report's own day


@pytest.mark.parametrize(
    "query",
    [
        "site_id=nope",
        "client_id=1",
        "status=gone",
        "kind=x",
        "assignee_id=%00",
        "date_from=2026-13-01",
        "date_from=2026-12-02&date_to=2026-12-01",
        "breached=maybe",
        "page=0",
        "page=abc",
    ],
)
def test_garbage_filters_are_refused_with_a_translated_reason(office, world, query):
    office.set_cookie("rounds_lang", "zh_Hans")
    response = office.get(f"/office/faults/list?{query}")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'role="alert"' in body and re.search(r"[\u4e00-\u9fff]", body.split('role="alert"')[1])
    assert office.get(f"/office/faults/export.csv?{query}").status_code == 422


def test_long_lists_page(office, world, monkeypatch):
    monkeypatch.setattr(listing, "PER_PAGE", 2)
    for n in range(5):
        reported(world, 30 - n, f"F-2026-0010{n}")
    first = office.get("/office/faults/list").get_data(as_text=True)
    assert numbers(first) == ["F-2026-00104", "F-2026-00103"]
    assert "Page 1 of 3" in first and 'rel="next"' in first
    last = office.get("/office/faults/list?page=3").get_data(as_text=True)
    assert numbers(last) == ["F-2026-00100"] and 'rel="prev"' in last
    beyond = office.get("/office/faults/list?page=99").get_data(as_text=True)
    assert numbers(beyond) == ["F-2026-00100"]  # past the end: the last page


def test_the_csv_export_has_the_clock_figures_and_guards_formulas(office, world, faults):
    response = office.get("/office/faults/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    by = {r["Fault number"]: r for r in rows}
    assert list(by) == ["F-2026-00003", "F-2026-00002", "F-2026-00001"]
    met = by["F-2026-00002"]
    assert (met["Respond limit (min)"], met["Respond used (min)"], met["Respond"]) == (
        "30",
        "5",
        "Met",
    )
    assert (met["Resolve limit (min)"], met["Resolve used (min)"], met["Resolve"]) == (
        "120",
        "30",
        "Met",
    )
    late = by["F-2026-00001"]
    assert late["Respond"] == "Breached" and int(late["Respond used (min)"]) >= 60
    assert late["Status"] == "Reported" and late["Client"] == world["clients"][0].name
    guarded = by["F-2026-00003"]["Description"]
    assert guarded == '\'=HYPERLINK("http://x","y")'
    assert by["F-2026-00003"]["Assigned to"] == world["users"]["engineer"].name
    only = office.get("/office/faults/export.csv?status=closed").data.decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(only)))) == 1


def test_the_xlsx_export_keeps_a_formula_as_text(office, world, faults):
    office.set_cookie("rounds_lang", "zh_Hans")
    response = office.get("/office/faults/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "故障编号"
    cell = next(c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in c.value)
    assert cell.data_type == "s" and cell.quotePrefix
    assert cell.value == '=HYPERLINK("http://x","y")'
    met = next(r for r in rows if r[0] == "F-2026-00002")
    heads = list(rows[0])
    assert met[heads.index("响应时限（分钟）")] == 30 and met[heads.index("响应")] == "达标"


def test_the_export_holds_only_faults_in_scope(world, faults):
    engineer = world["users"]["engineer"]
    mine = [r["number"] for r in listing.rows(listing.find_faults(engineer, {}))]
    assert mine == ["F-2026-00002", "F-2026-00001"]  # site B is not theirs
