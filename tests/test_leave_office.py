"""The office's leave and explanation pages: waiting first, filters, the short-notice mark and
the stand-in shown, deciding (a return needs a note), and the decision reaching the phone."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.conftest import sign_in_as
from tests.factories import assign
from webapp.models import AbsenceExplanation, LeaveRequest
from webapp.records import create_record


def leave(engineer, site, first, last, *, status="waiting", notice="on_time", stand_in=None):
    return create_record(
        LeaveRequest,
        actor=None,
        engineer=engineer,
        site=site,
        first_day=first,
        last_day=last,
        kind="sick",
        reason="发烧",
        stand_in=stand_in,
        filed_at="2026-12-02T10:00:00+08:00",
        notice=notice,
        notice_ahead=1,
        status=status,
    )


@pytest.fixture
def office(app, world):
    client = app.test_client()
    client.set_cookie("rounds_lang", "zh_Hans")
    token = sign_in_as(client, world["users"]["dispatcher"])
    return client, token


def test_the_list_puts_waiting_first_and_filters(office, world):
    client, _ = office
    engineer, other = world["users"]["engineer"], world["engineer2"]
    site_a, site_b = world["sites"]
    assign(other, site_b)
    leave(engineer, site_a, date(2026, 12, 20), date(2026, 12, 20), status="approved")
    leave(engineer, site_a, date(2026, 11, 3), date(2026, 11, 4))
    leave(other, site_b, date(2026, 12, 8), date(2026, 12, 8))
    page = client.get("/office/leave").get_data(as_text=True)
    order = [page.index(day) for day in ("2026-12-08", "2026-11-03", "2026-12-20")]
    assert order == sorted(order)  # the two waiting ones (newest first), then the decided
    assert "病假" in page and "等待审批" in page
    by_site = client.get(f"/office/leave?site_id={site_b.id}").get_data(as_text=True)
    assert "2026-12-08" in by_site and "2026-11-03" not in by_site
    by_person = client.get(f"/office/leave?engineer_id={engineer.id}").get_data(as_text=True)
    assert "2026-12-08" not in by_person and "2026-11-03" in by_person
    by_month = client.get("/office/leave?month=2026-11").get_data(as_text=True)
    assert "2026-11-03" in by_month and "2026-12-08" not in by_month
    bad = client.get("/office/leave?month=2026-13")
    assert bad.status_code == 422 and "YYYY-MM" in bad.get_data(as_text=True)


def test_the_page_shows_the_mark_and_the_stand_in_and_approves(office, world):
    client, token = office
    colleague = world["engineer2"]
    record = leave(
        world["users"]["engineer"],
        world["sites"][0],
        date(2026, 12, 3),
        date(2026, 12, 5),
        notice="short_notice",
        stand_in=colleague,
    )
    page = client.get(f"/office/leave/{record.id}").get_data(as_text=True)
    assert 'data-testid="notice-mark"' in page and "提前" in page
    assert colleague.name in page
    done = client.post(
        f"/office/leave/{record.id}", data={"decision": "approve", "csrf_token": token}
    )
    assert done.status_code == 302
    stored = LeaveRequest.get_by_id(record.id)
    assert stored.status == "approved" and stored.decided_by_id == world["users"]["dispatcher"].id
    again = client.post(
        f"/office/leave/{record.id}",
        data={"decision": "return", "note": "x", "csrf_token": token},
        follow_redirects=True,
    )
    assert "已不在等待" in again.get_data(as_text=True)
    assert LeaveRequest.get_by_id(record.id).status == "approved"


def test_the_office_reads_when_it_arrived_on_its_own_clock(office, world):
    """23:30 UTC on 2 December is 07:30 on the 3rd in China: the office sees the 3rd, 07:30."""
    client, _ = office
    record = leave(
        world["users"]["engineer"], world["sites"][0], date(2026, 12, 8), date(2026, 12, 8)
    )
    LeaveRequest.update(created_at=datetime(2026, 12, 2, 23, 30)).where(
        LeaveRequest.id == record.id
    ).execute()
    page = client.get(f"/office/leave/{record.id}").get_data(as_text=True)
    assert "2026/12/3 07:30" in page
    assert "23:30" not in page and "UTC" not in page


def test_a_return_needs_a_note(office, world):
    client, token = office
    record = leave(
        world["users"]["engineer"], world["sites"][0], date(2026, 12, 3), date(2026, 12, 3)
    )
    refused = client.post(
        f"/office/leave/{record.id}", data={"decision": "return", "note": " ", "csrf_token": token}
    )
    assert refused.status_code == 422
    assert "备注" in refused.get_data(as_text=True)
    assert LeaveRequest.get_by_id(record.id).status == "waiting"
    client.post(
        f"/office/leave/{record.id}",
        data={"decision": "return", "note": "请先找好代班人", "csrf_token": token},
    )
    stored = LeaveRequest.get_by_id(record.id)
    assert (stored.status, stored.office_note) == ("returned", "请先找好代班人")


def test_a_decision_without_the_csrf_token_is_refused(office, world):
    client, _ = office
    record = leave(
        world["users"]["engineer"], world["sites"][0], date(2026, 12, 3), date(2026, 12, 3)
    )
    response = client.post(f"/office/leave/{record.id}", data={"decision": "approve"})
    assert response.status_code in (400, 403)
    assert LeaveRequest.get_by_id(record.id).status == "waiting"


def test_explanations_are_accepted_or_returned(office, world):
    client, token = office
    record = create_record(
        AbsenceExplanation,
        actor=None,
        engineer=world["users"]["engineer"],
        site=world["sites"][0],
        month="2026-11",
        text="11月3日手机没电，未能签到。",
        written_at="2026-12-02T10:00:00+08:00",
    )
    listed = client.get("/office/explanations?month=2026-11").get_data(as_text=True)
    assert "手机没电" in listed
    client.post(
        f"/office/explanations/{record.id}", data={"decision": "accept", "csrf_token": token}
    )
    assert AbsenceExplanation.get_by_id(record.id).status == "accepted"
