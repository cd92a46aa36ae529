"""The month sheet with approved leave, the site's own calendar and the explanation it asks for
(issue 11): a table of cases read through the office page, the site page that keeps the site's
days, the exports (formula guard, who may download) and the fault clocks reading the same days."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from tests.conftest import sign_in_as
from tests.test_checkins_office import keep
from webapp.attendance import rules
from webapp.faults import operations as fault_ops
from webapp.models import AbsenceExplanation, Fault, LeaveRequest, SiteDay
from webapp.records import create_record

# November 2026: the 1st is a Sunday; no national holiday in the month.
SICK = (date(2026, 11, 2), date(2026, 11, 2))  # Monday: approved sick leave
CLOSED = date(2026, 11, 3)  # Tuesday: the site is closed (its own day off)
WAITING = date(2026, 11, 4)  # Wednesday: leave asked for, never approved
EXTRA_ABSENT = date(2026, 11, 7)  # Saturday the site works; nobody came
EXTRA_PRESENT = date(2026, 11, 14)  # Saturday the site works; the engineer came

# day -> (status, the rules that decided it, leave type shown or None)
CASES = {
    date(2026, 11, 1): ("rest", "rest_day:national", None),
    date(2026, 11, 2): ("leave", "approved_leave", "sick"),
    CLOSED: ("rest", "rest_day:site", None),
    WAITING: ("absent", "no_check_in", None),
    EXTRA_ABSENT: ("absent", "working_day:site no_check_in", None),
    date(2026, 11, 8): ("rest", "rest_day:national", None),
    EXTRA_PRESENT: ("present", "working_day:site", None),
}


def leave(world, first, last, *, status, kind="sick"):
    return create_record(
        LeaveRequest,
        actor=None,
        engineer=world["users"]["engineer"],
        site=world["sites"][0],
        first_day=first,
        last_day=last,
        kind=kind,
        reason="发烧",
        filed_at="2026-10-30T10:00:00+08:00",
        notice="on_time",
        notice_ahead=3,
        status=status,
    )


def site_day(world, day, working, note, site=None):
    return SiteDay.create(site=site or world["sites"][0], day=day, working=working, note=note)


@pytest.fixture
def november(world):
    _stationed_since(world, datetime(2026, 10, 1))
    leave(world, *SICK, status="approved")
    leave(world, WAITING, WAITING, status="waiting", kind="personal")
    site_day(world, CLOSED, False, "客户搬迁")
    site_day(world, EXTRA_ABSENT, True, "甲方周六加班")
    site_day(world, EXTRA_PRESENT, True, "甲方周六加班")
    keep(world, datetime(2026, 11, 14, 0, 20))  # 08:20 in Shanghai
    keep(world, datetime(2026, 11, 14, 9, 40), "out")  # 17:40
    return world


@pytest.fixture
def office(app, world):
    client = app.test_client()
    client.set_cookie("rounds_lang", "en")
    token = sign_in_as(client, world["users"]["dispatcher"])
    return client, token


def _cells(page: str) -> dict[str, str]:
    import re

    found = {}
    for m in re.finditer(r'<td class="att[^"]*"\s+data-testid="sheet-cell"([^>]*)>', page):
        attrs = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', m.group(1)))
        found[attrs["day"]] = attrs
    return found


@pytest.mark.parametrize(("day", "expected"), sorted(CASES.items()), ids=str)
def test_each_day_of_the_table(office, november, day, expected):
    client, _ = office
    page = client.get(
        f"/office/checkins/sheet?month=2026-11&site_id={november['sites'][0].id}"
    ).get_data(as_text=True)
    cell = _cells(page)[day.isoformat()]
    status, why, kind = expected
    assert (cell["status"], cell["rules"], cell.get("leave-kind")) == (status, why, kind)


def test_a_leave_cell_and_a_site_day_are_explained_in_words(office, november):
    client, _ = office
    page = client.get(
        f"/office/checkins/sheet?month=2026-11&site_id={november['sites'][0].id}"
    ).get_data(as_text=True)
    assert "Sick leave" in page  # the type, in the cell and in its explanation
    assert "客户搬迁" in page and "甲方周六加班" in page  # the site's note
    assert "this site&#39;s own calendar" in page


def test_the_rules_alone_on_the_same_table():
    site = rules.SiteRules(periods=tuple(rules.parse_hours("08:30-12:00,14:00-17:30")))
    exceptions = {CLOSED: False, EXTRA_ABSENT: True, EXTRA_PRESENT: True}
    punches = [
        rules.Punch("a", "in", datetime(2026, 11, 14, 0, 20, tzinfo=UTC)),
        rules.Punch("b", "out", datetime(2026, 11, 14, 9, 40, tzinfo=UTC)),
    ]
    month = rules.evaluate_month(
        2026, 11, site, punches, leave_days={SICK[0]}, exceptions=exceptions
    )
    by_day = {d.day: d for d in month.days}
    for day, (status, why, _kind) in CASES.items():
        assert (by_day[day].status, " ".join(by_day[day].reasons)) == (status, why), day
    # 21 weekdays, 1 on leave, 1 closed, plus 2 Saturdays worked, 1 of them present: 20 absent
    assert month.absences == 20 and month.explanation_required


@pytest.mark.parametrize(
    ("absences", "late", "flagged"),
    [(3, 0, False), (4, 0, True), (0, 180, False), (0, 181, True), (3, 180, False)],
)
def test_the_monthly_flag_table(absences, late, flagged):
    days = []
    day = date(2026, 11, 2)
    for n in range(absences):
        days.append(rules.Day(day + timedelta(days=n), rules.ABSENT, None))
    if late:
        days.append(rules.Day(date(2026, 11, 20), rules.PRESENT, None, late_minutes=late))
    assert rules.Month(2026, 11, days).explanation_required is flagged


def test_a_flagged_month_links_to_its_explanation_or_says_not_yet_filed(office, november):
    client, _ = office
    url = f"/office/checkins/sheet?month=2026-11&site_id={november['sites'][0].id}"
    assert 'data-testid="explanation-link" data-status="missing"' in client.get(url).get_data(
        as_text=True
    )
    written = create_record(
        AbsenceExplanation,
        actor=None,
        engineer=november["users"]["engineer"],
        site=november["sites"][0],
        month="2026-11",
        text="十一月驻场调整",
        written_at="2026-12-01T09:00:00+08:00",
        status="waiting",
    )
    page = client.get(url).get_data(as_text=True)
    assert f'data-status="waiting" href="/office/explanations/{written.id}"' in page


# The site's own calendar in the office ------------------------------------------------------


def test_the_office_adds_and_removes_a_site_day(office, world):
    client, token = office
    site = world["sites"][0]
    form = {"csrf_token": token, "day": "2026-12-12", "kind": "working", "note": "甲方周六加班"}
    assert client.post(f"/office/sites/{site.id}/days", data=form).status_code == 302
    stored = SiteDay.get()
    assert (stored.day, stored.working, stored.note) == (date(2026, 12, 12), True, "甲方周六加班")
    page = client.get(f"/office/sites/{site.id}/overview").get_data(as_text=True)
    assert 'data-day="2026-12-12" data-working="yes"' in page
    again = client.post(f"/office/sites/{site.id}/days", data=form)
    assert again.status_code == 422 and "already has an exception" in again.get_data(as_text=True)
    no_note = client.post(f"/office/sites/{site.id}/days", data={**form, "note": " "})
    assert no_note.status_code == 422
    bad = client.post(f"/office/sites/{site.id}/days", data={**form, "kind": "maybe"})
    assert bad.status_code == 422
    # removing it through another site's address finds nothing
    other = world["sites"][1]
    wrong = client.post(f"/office/sites/{other.id}/days/{stored.id}/remove", data=form)
    assert wrong.status_code == 404 and SiteDay.select().count() == 1
    assert (
        client.post(f"/office/sites/{site.id}/days/{stored.id}/remove", data=form).status_code
        == 302
    )
    assert SiteDay.select().count() == 0


@pytest.mark.parametrize("role", ["engineer", "client"])
def test_only_the_office_keeps_a_sites_calendar(app, world, role):
    client = app.test_client()
    token = sign_in_as(client, world["users"][role])
    site = world["sites"][0]
    form = {"csrf_token": token, "day": "2026-12-12", "kind": "rest", "note": "x"}
    assert client.post(f"/office/sites/{site.id}/days", data=form).status_code == 403
    day = site_day(world, date(2026, 12, 13), True, "x")
    assert (
        client.post(f"/office/sites/{site.id}/days/{day.id}/remove", data=form).status_code == 403
    )
    assert SiteDay.select().count() == 1


def test_an_unknown_site_is_404(office):
    client, token = office
    form = {"csrf_token": token, "day": "2026-12-12", "kind": "rest", "note": "x"}
    assert client.post(f"/office/sites/{uuid.uuid4()}/days", data=form).status_code == 404


# The fault clocks read the same days ----------------------------------------------------------


def test_the_fault_clocks_follow_the_sites_own_calendar(office, world):
    client, token = office
    customer = world["clients"][0]
    customer.clock_mode = "working_hours"
    customer.save()
    reported = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in Shanghai
    values = {
        "number": "F-2026-00099",
        "site": world["sites"][0].id,
        "description": "大屏黑屏",
        "reported_at": reported.isoformat(),
        "reported_by": world["users"]["engineer"].id,
    }
    fault = create_record(Fault, actor=None, **values, **fault_ops.derived(Fault(**values)))
    assert "2026-12-05" not in fault_ops.policy_of(fault).days  # a plain Saturday
    seq = fault.server_seq
    form = {"csrf_token": token, "day": "2026-12-05", "kind": "working", "note": "甲方周六加班"}
    assert client.post(f"/office/sites/{world['sites'][0].id}/days", data=form).status_code == 302
    assert fault_ops.policy_of(fault).days["2026-12-05"] is True
    rest = {**form, "day": "2026-12-03", "kind": "rest", "note": "停电"}
    assert client.post(f"/office/sites/{world['sites'][0].id}/days", data=rest).status_code == 302
    assert fault_ops.policy_of(fault).days["2026-12-03"] is False
    again = Fault.get_by_id(fault.id)
    assert again.server_seq > seq  # sent again: the phone's clock gets the new days


# Exports ---------------------------------------------------------------------------------------


FORMULA = '=HYPERLINK("http://x")'


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_sheet_downloads_as_csv_and_xlsx_with_names_guarded(office, november):
    client, _ = office
    engineer = november["users"]["engineer"]
    engineer.display_name = FORMULA
    engineer.save()
    site = november["sites"][0]
    got = client.get(f"/office/checkins/sheet.csv?month=2026-11&site_id={site.id}")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert "attachment" in got.headers["Content-Disposition"]
    lines = _csv(got.data)
    assert lines[0][0] == "Engineer" and lines[0][1] == "2026-11-01" and len(lines[0]) == 1 + 30 + 4
    row = lines[1]
    assert row[0] == "'" + FORMULA  # a name never runs as a formula
    assert row[2] == "Leave · Sick leave" and row[3].startswith("Rest day · 客户搬迁")
    assert row[-1] == "Not yet filed"
    book = client.get(f"/office/checkins/sheet.xlsx?month=2026-11&site_id={site.id}")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.data)).active
    cells = list(sheet.iter_rows(min_row=2, values_only=False))[0]
    assert cells[0].value == FORMULA and cells[0].data_type == "s" and cells[0].quotePrefix
    assert cells[2].value == "Leave · Sick leave"
    per_engineer = client.get(f"/office/checkins/sheet.csv?month=2026-11&user_id={engineer.id}")
    assert _csv(per_engineer.data)[0][0] == "Site"
    assert _csv(per_engineer.data)[1][0] == site.name


@pytest.mark.parametrize("role", ["engineer", "client"])
def test_only_the_office_downloads_the_sheet(app, november, role):
    client = app.test_client()
    sign_in_as(client, november["users"][role])
    site = november["sites"][0]
    for kind in ("csv", "xlsx"):
        got = client.get(f"/office/checkins/sheet.{kind}?month=2026-11&site_id={site.id}")
        assert got.status_code == 403


def test_an_export_needs_a_site_or_an_engineer_that_exists(office):
    client, _ = office
    assert client.get("/office/checkins/sheet.csv?month=2026-11").status_code == 400
    assert client.get(f"/office/checkins/sheet.xlsx?site_id={uuid.uuid4()}").status_code == 404
    assert client.get("/office/checkins/sheet.csv?month=2026-13&site_id=x").status_code in (
        400,
        404,
    )


@pytest.mark.parametrize("role", ["engineer", "client"])
def test_the_operation_itself_refuses_others_than_the_office(app, world, role):
    from webapp.errors import ApiError
    from webapp.sites import operations as site_ops

    data = {"day": date(2026, 12, 12), "kind": "rest", "note": "x"}
    with pytest.raises(ApiError) as refused:
        site_ops.add_site_day(actor=world["users"][role], site=world["sites"][0], data=data)
    assert refused.value.status == 403
    day = site_day(world, date(2026, 12, 13), True, "x")
    with pytest.raises(ApiError):
        site_ops.remove_site_day(day, actor=world["users"][role])
    assert SiteDay.select().count() == 1


# The flagged month reaches the engineer's phone -------------------------------------------------


def _stationed_since(world, when: datetime):
    from webapp.models import Assignment

    Assignment.update(created_at=when).where(
        Assignment.engineer == world["users"]["engineer"].id
    ).execute()


def test_the_engineer_gets_their_flagged_months_and_where_the_explanation_stands(app, world):
    app.config["CLOCK"] = lambda: datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 10:00 in China
    _stationed_since(world, datetime(2026, 10, 1))
    phone = app.test_client()
    sign_in_as(phone, world["users"]["engineer"])
    got = phone.get("/api/attendance/flags")
    assert got.status_code == 200
    # November: every working day absent; December 1-2: two absences, not yet flagged
    assert [(f["month"], f["explanation"]) for f in got.json] == [("2026-11", "missing")]
    assert got.json[0]["site_id"] == str(world["sites"][0].id) and got.json[0]["absences"] == 21
    create_record(
        AbsenceExplanation,
        actor=None,
        engineer=world["users"]["engineer"],
        site=world["sites"][0],
        month="2026-11",
        text="十一月驻场调整",
        written_at="2026-12-01T09:00:00+08:00",
        status="waiting",
    )
    assert phone.get("/api/attendance/flags").json[0]["explanation"] == "waiting"


def test_days_before_the_engineer_was_stationed_are_absences_for_nobody(app, world, office):
    """Stationed on 26 November at 01:00 in Shanghai (still the 25th in UTC): the 25th is not an
    absence, the 26th, 27th and 30th are; three absences do not ask for an explanation."""
    app.config["CLOCK"] = lambda: datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    _stationed_since(world, datetime(2026, 11, 25, 17, 0))
    client, _ = office
    page = client.get(f"/office/checkins/sheet?month=2026-11&site_id={world['sites'][0].id}")
    cells = _cells(page.get_data(as_text=True))
    assert (cells["2026-11-25"]["status"], cells["2026-11-25"]["rules"]) == (
        "not_stationed",
        "not_stationed",
    )
    assert [cells[f"2026-11-{d}"]["status"] for d in (26, 27, 28, 30)] == [
        "absent",
        "absent",
        "rest",
        "absent",
    ]
    assert "Not stationed at this site that day: no absence" in page.get_data(as_text=True)
    phone = app.test_client()
    sign_in_as(phone, world["users"]["engineer"])
    assert phone.get("/api/attendance/flags").json == []

    _stationed_since(world, datetime(2026, 11, 19, 17, 0))  # the 20th: seven absences since
    assert [(f["month"], f["absences"]) for f in phone.get("/api/attendance/flags").json] == [
        ("2026-11", 7)
    ]


def test_an_engineer_unassigned_and_stationed_again_is_absent_only_while_stationed(
    app, world, office
):
    """Stationed on 2 November, unassigned on the 10th, stationed again on the 23rd: the days
    between are nobody's absences, and while unassigned the engineer stays on the month's sheet
    with the absences of their first weeks."""
    from webapp.models import Assignment, AuditEntry
    from webapp.sites import operations as site_ops

    app.config["CLOCK"] = lambda: datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    site, engineer, admin = world["sites"][0], world["users"]["engineer"], world["users"]["admin"]
    _stationed_since(world, datetime(2026, 11, 1, 17, 0))  # 2 November, 01:00 in Shanghai
    assignment = Assignment.get((Assignment.engineer == engineer.id) & (Assignment.site == site.id))

    def dated(action: str, when: datetime) -> None:
        AuditEntry.update(at=when).where(
            (AuditEntry.entity_id == str(assignment.id)) & (AuditEntry.action == action)
        ).execute()

    with app.test_request_context():
        site_ops.unassign_engineer(assignment, actor=admin)
    dated("delete", datetime(2026, 11, 10, 1, 0))
    client, _ = office
    url = f"/office/checkins/sheet?month=2026-11&site_id={site.id}"
    rows = client.get(url).get_data(as_text=True).split('data-testid="sheet-row"')[1:]
    (row,) = [r for r in rows if f'data-user="{engineer.id}"' in r]
    cells = _cells(row)
    assert [cells[f"2026-11-{d}"]["status"] for d in ("02", "06", "09", "10")] == [
        "absent",
        "absent",
        "absent",
        "not_stationed",  # unassigned that morning
    ]
    assert cells["2026-11-24"]["status"] == "not_stationed"

    with app.test_request_context():
        site_ops.assign_engineer(actor=admin, engineer_id=engineer.id, site_id=site.id)
    dated("restore", datetime(2026, 11, 22, 17, 0))  # 23 November, 01:00 in Shanghai
    rows = client.get(url).get_data(as_text=True).split('data-testid="sheet-row"')[1:]
    (row,) = [r for r in rows if f'data-user="{engineer.id}"' in r]
    cells = _cells(row)
    assert [cells[f"2026-11-{d}"]["status"] for d in ("06", "13", "20", "23", "30")] == [
        "absent",
        "not_stationed",
        "not_stationed",
        "absent",
        "absent",
    ]


def test_a_colleague_who_came_to_help_shows_the_day_they_came_and_no_absences(office, november):
    helper = november["engineer2"]
    keep(november, datetime(2026, 11, 18, 0, 25), user=helper)  # 08:25 in Shanghai
    keep(november, datetime(2026, 11, 18, 9, 35), "out", user=helper)
    client, _ = office
    page = client.get(f"/office/checkins/sheet?month=2026-11&site_id={november['sites'][0].id}")
    rows = page.get_data(as_text=True).split('data-testid="sheet-row"')[1:]
    (row,) = [r for r in rows if f'data-user="{helper.id}"' in r]
    cells = _cells(row)
    assert cells["2026-11-18"]["status"] == "present"
    assert {c["status"] for day, c in cells.items() if day != "2026-11-18"} <= {
        "rest",
        "not_stationed",
    }
    assert cells["2026-11-17"]["status"] == "not_stationed"


@pytest.mark.parametrize("role", ["client", "dispatcher", "admin"])
def test_others_have_no_flags_and_never_see_an_engineers(app, world, role):
    app.config["CLOCK"] = lambda: datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    _stationed_since(world, datetime(2026, 10, 1))
    other = app.test_client()
    sign_in_as(other, world["users"][role])
    assert other.get("/api/attendance/flags").json == []
    assert app.test_client().get("/api/attendance/flags").status_code == 401


def test_today_is_not_an_absence_before_the_working_day_has_begun(app, world, office):
    """07:30 on Friday 4 December in China (still Thursday in UTC), three working days absent:
    nobody is absent yet today, so the month asks for no explanation; once the start (08:30)
    and the late allowance (15 minutes) are past without a check-in, today is the fourth."""
    _stationed_since(world, datetime(2026, 11, 29, 17, 0))  # 30 November in Shanghai
    phone = app.test_client()
    sign_in_as(phone, world["users"]["engineer"])
    client, _ = office
    sheet = f"/office/checkins/sheet?month=2026-12&site_id={world['sites'][0].id}"
    app.config["CLOCK"] = lambda: datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    assert phone.get("/api/attendance/flags").json == []
    cells = _cells(client.get(sheet).get_data(as_text=True))
    assert [cells[f"2026-12-0{d}"]["status"] for d in (1, 2, 3)] == ["absent"] * 3
    assert "2026-12-04" not in cells
    app.config["CLOCK"] = lambda: datetime(2026, 12, 4, 0, 46, tzinfo=UTC)  # 08:46
    assert [(f["month"], f["absences"]) for f in phone.get("/api/attendance/flags").json] == [
        ("2026-12", 4)
    ]
    assert _cells(client.get(sheet).get_data(as_text=True))["2026-12-04"]["status"] == "absent"


def test_a_check_in_before_the_start_shows_today_at_once(app, world, office):
    _stationed_since(world, datetime(2026, 11, 29, 17, 0))
    came = keep(world, datetime(2026, 12, 3, 23, 50))  # 07:50 on the 4th in Shanghai
    app.config["CLOCK"] = lambda: datetime(2026, 12, 3, 23, 55, tzinfo=UTC)
    client, _ = office
    page = client.get(f"/office/checkins/sheet?month=2026-12&site_id={world['sites'][0].id}")
    cell = _cells(page.get_data(as_text=True))["2026-12-04"]
    assert cell["status"] == "incomplete" and str(came.id) in page.get_data(as_text=True)
