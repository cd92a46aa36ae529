"""Leave requests (请假申请) and absence explanations through the sync protocol: each rule and
each permission, refused with its own reason (docs/attendance.md, docs/sync-protocol.md)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from tests.conftest import sign_in_as
from tests.factories import assign, create_user
from tests.sync_client import Device
from webapp.leave import operations as ops
from webapp.models import AbsenceExplanation, LeaveRequest

# 2026-12-02 10:00 in China.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock(app):
    app.config["CLOCK"] = lambda: NOW


def device(app, user) -> Device:
    client = app.test_client()
    client.set_cookie("rounds_lang", "zh_Hans")
    return Device(client=client, csrf=sign_in_as(client, user))


@pytest.fixture
def phone(app, world, clock):
    return device(app, world["users"]["engineer"])


@pytest.fixture
def colleague(world):
    """Another engineer stationed at site A: the stand-in."""
    user = world["engineer2"]
    assign(user, world["sites"][0])
    return user


def leave(phone, site, first, last, **extra) -> str:
    lid = str(uuid.uuid4())
    changes = {
        "site_id": str(site.id),
        "first_day": first,
        "last_day": last,
        "kind": "personal",
        "reason": "家里有事",
        "filed_at": "2026-12-02T10:00:00+08:00",
        **extra,
    }
    phone.edit("leave", lid, changes, op="create")
    return lid


def answer(phone) -> dict:
    response = phone.push()
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"][-1]


def test_a_request_is_stored_with_its_notice_and_reaches_the_phone(phone, world, colleague):
    site = world["sites"][0]
    lid = leave(phone, site, "2026-12-03", "2026-12-05", stand_in_id=str(colleague.id))
    result = answer(phone)
    assert result["status"] == "applied", result
    assert result["notice"] == "short_notice"  # three days asked one day ahead
    stored = LeaveRequest.get_by_id(lid)
    assert (stored.notice, stored.notice_ahead, stored.status) == ("short_notice", 1, "waiting")
    assert stored.stand_in_id == colleague.id
    phone.pull_all()
    pulled = phone.records[("leave", lid)]["data"]
    assert pulled["notice"] == "short_notice"
    assert pulled["stand_in_name"] == colleague.name


def test_on_time_and_afterwards(phone, world):
    site = world["sites"][0]
    leave(phone, site, "2026-12-10", "2026-12-10")
    assert answer(phone)["notice"] == "on_time"
    leave(phone, site, "2026-12-01", "2026-12-01", reason="急性肠胃炎，去了医院", kind="sick")
    assert answer(phone)["notice"] == "afterwards"


def test_leave_filed_afterwards_needs_a_reason(phone, world):
    leave(phone, world["sites"][0], "2026-12-01", "2026-12-01", reason="  ")
    result = answer(phone)
    assert result["status"] == "rejected"
    assert "reason" in result["error"]["fields"]
    assert LeaveRequest.select().count() == 0


def test_the_notice_is_read_on_the_site_s_calendar(phone, world):
    # 2026-12-01T23:30Z is 07:30 on 2 December in China: the same day, short notice.
    leave(phone, world["sites"][0], "2026-12-02", "2026-12-02", filed_at="2026-12-01T23:30:00Z")
    assert answer(phone)["notice"] == "short_notice"


def test_the_server_judges_from_the_signed_time_when_the_phone_clock_is_behind(app, phone, world):
    from webapp.checkins.clock import make_stamp

    site = world["sites"][0]
    with app.app_context():
        # The phone last synced at 07:30 on 3 December in China; its clock says 1 December.
        held = make_stamp(datetime(2026, 12, 2, 23, 30))
        older = make_stamp(datetime(2026, 11, 20, 1, 0))
    behind = {"filed_at": "2026-12-01T09:00:00+08:00"}
    leave(phone, site, "2026-12-03", "2026-12-05", server_time=held, **behind)
    result = answer(phone)
    assert result["notice"] == "short_notice", result  # on time by the phone's clock alone
    assert LeaveRequest.get_by_id(LeaveRequest.select().first().id).notice_ahead == 0
    # An older stamp, or one that is not ours, leaves the phone's clock to decide.
    leave(phone, site, "2026-12-10", "2026-12-12", server_time=older)
    assert answer(phone)["notice"] == "on_time"
    forged = "2026-12-09T23:30:00Z." + "A" * 86
    leave(phone, site, "2026-12-20", "2026-12-22", server_time=forged)
    assert answer(phone)["notice"] == "on_time"


def test_a_clock_far_ahead_is_refused(phone, world):
    leave(
        phone, world["sites"][0], "2026-12-20", "2026-12-20", filed_at="2026-12-09T10:00:00+08:00"
    )
    result = answer(phone)
    assert result["status"] == "rejected" and "filed_at" in result["error"]["fields"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"last_day": "2026-12-01"}, "last_day"),  # before the first day
        ({"last_day": "2027-06-01"}, "last_day"),  # longer than 90 days
        ({"kind": "holiday"}, "kind"),
        ({"first_day": "2026-13-01"}, "first_day"),
        ({"filed_at": "2026-12-02T10:00:00"}, "filed_at"),  # no offset
        ({"reason": "x" * 1001}, "reason"),
        ({"stand_in_id": "nobody"}, "stand_in_id"),
    ],
)
def test_bad_input_is_refused_field_by_field(phone, world, changes, field):
    leave(phone, world["sites"][0], "2026-12-10", "2026-12-11", **changes)
    result = answer(phone)
    assert result["status"] == "rejected" and field in result["error"]["fields"], result


def test_a_kind_the_server_does_not_know_is_refused_in_the_engineers_words(phone, world):
    from webapp.models import User

    User.update(locale="zh_Hans").where(User.id == world["users"]["engineer"].id).execute()
    leave(phone, world["sites"][0], "2026-12-10", "2026-12-11", kind="holiday")
    (message,) = answer(phone)["error"]["fields"]["kind"]
    assert "事假" in message and "病假" in message and "sick" not in message, message


def test_overlapping_leave_is_refused_with_the_days_it_clashes_with(phone, world):
    site = world["sites"][0]
    leave(phone, site, "2026-12-10", "2026-12-12")
    assert answer(phone)["status"] == "applied"
    leave(phone, site, "2026-12-12", "2026-12-14")
    result = answer(phone)
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "overlap"
    assert "2026" in result["error"]["message"]
    # Days next to it are free.
    leave(phone, site, "2026-12-13", "2026-12-14")
    assert answer(phone)["status"] == "applied"


def test_a_withdrawn_request_frees_its_days(phone, world):
    site = world["sites"][0]
    lid = leave(phone, site, "2026-12-10", "2026-12-12")
    phone.edit("leave", lid, {}, op="withdraw")
    assert answer(phone)["status"] == "applied"
    assert LeaveRequest.get_by_id(lid).status == "withdrawn"
    leave(phone, site, "2026-12-10", "2026-12-12")
    assert answer(phone)["status"] == "applied"


def test_a_decided_request_cannot_be_withdrawn(phone, world):
    lid = leave(phone, world["sites"][0], "2026-12-10", "2026-12-12")
    answer(phone)
    ops.decide_leave(
        LeaveRequest.get_by_id(lid), actor=world["users"]["admin"], decision="approve", note=""
    )
    phone.edit("leave", lid, {}, op="withdraw")
    result = answer(phone)
    assert result["status"] == "rejected" and result["error"]["code"] == "decided"


def test_only_the_engineer_who_asked_withdraws(app, phone, world, colleague):
    lid = leave(phone, world["sites"][0], "2026-12-10", "2026-12-12")
    answer(phone)
    other = device(app, colleague)
    other.edit("leave", lid, {}, op="withdraw")
    result = answer(other)
    assert result["status"] == "rejected" and result["error"]["code"] == "forbidden"
    assert LeaveRequest.get_by_id(lid).status == "waiting"


def test_leave_only_at_a_site_the_engineer_is_stationed_at(phone, world):
    leave(phone, world["sites"][1], "2026-12-10", "2026-12-12")
    result = answer(phone)
    assert result["status"] == "rejected" and result["error"]["code"] == "not_found"


def test_the_stand_in_is_an_engineer_of_the_same_site(phone, world, colleague):
    site = world["sites"][0]
    elsewhere = create_user("engineer", "eng3")
    assign(elsewhere, world["sites"][1])
    for person in (elsewhere, world["users"]["dispatcher"], world["users"]["engineer"]):
        leave(phone, site, "2026-12-10", "2026-12-12", stand_in_id=str(person.id))
        result = answer(phone)
        assert result["status"] == "rejected" and "stand_in_id" in result["error"]["fields"]


@pytest.mark.parametrize("role", ["dispatcher", "admin", "client"])
def test_only_engineers_file_leave(app, world, clock, role):
    someone = device(app, world["users"][role])
    leave(someone, world["sites"][0], "2026-12-10", "2026-12-12")
    result = answer(someone)
    assert result["status"] == "rejected" and result["error"]["code"] == "forbidden"


def test_the_decision_reaches_the_phone_and_only_the_office_decides(phone, world):
    lid = leave(phone, world["sites"][0], "2026-12-10", "2026-12-12")
    answer(phone)
    phone.pull_all()
    record = LeaveRequest.get_by_id(lid)
    with pytest.raises(Exception) as refused:
        ops.decide_leave(record, actor=world["users"]["engineer"], decision="approve", note="")
    assert refused.value.status == 403
    ops.decide_leave(record, actor=world["users"]["dispatcher"], decision="return", note="写清楚")
    phone.pull_all()
    pulled = phone.records[("leave", lid)]["data"]
    assert (pulled["status"], pulled["office_note"]) == ("returned", "写清楚")


def test_approved_leave_days_are_the_approved_days_inside_the_range(phone, world):
    site = world["sites"][0]
    approved = leave(phone, site, "2026-11-29", "2026-12-03", reason="回老家")
    waiting = leave(phone, site, "2026-12-10", "2026-12-10")
    assert answer(phone)["status"] == "applied"
    admin = world["users"]["admin"]
    ops.decide_leave(LeaveRequest.get_by_id(approved), actor=admin, decision="approve", note="")
    engineer = world["users"]["engineer"]
    days = ops.approved_leave_days(engineer.id, date(2026, 12, 1), date(2026, 12, 31))
    assert days == {date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)}
    assert LeaveRequest.get_by_id(waiting).status == "waiting"


# Absence explanations -------------------------------------------------------------------------


def explain(phone, site, month="2026-11", text="11月3日、4日手机没电，未能签到。") -> str:
    eid = str(uuid.uuid4())
    phone.edit(
        "explanation",
        eid,
        {
            "site_id": str(site.id),
            "month": month,
            "text": text,
            "written_at": "2026-12-02T10:00:00+08:00",
        },
        op="create",
    )
    return eid


def test_an_explanation_is_written_decided_and_comes_back(phone, world):
    site = world["sites"][0]
    engineer = world["users"]["engineer"]
    assert ops.explanation_required(engineer.id, site.id, 2026, 11).status == "missing"
    eid = explain(phone, site)
    assert answer(phone)["status"] == "applied"
    assert ops.explanation_required(engineer.id, site.id, 2026, 11).status == "waiting"
    # One at a time per month: a second waits for the first to be decided.
    explain(phone, site)
    result = answer(phone)
    assert result["status"] == "rejected" and result["error"]["code"] == "exists"
    record = AbsenceExplanation.get_by_id(eid)
    ops.decide_explanation(
        record, actor=world["users"]["admin"], decision="return", note="补充证明"
    )
    assert ops.explanation_required(engineer.id, site.id, 2026, 11).status == "returned"
    phone.pull_all()
    assert phone.records[("explanation", eid)]["data"]["office_note"] == "补充证明"
    explain(phone, site, text="补充：附医院证明照片。")
    assert answer(phone)["status"] == "applied"


def test_an_explanation_takes_a_photo_through_the_attachments(phone, world):
    import hashlib

    eid = explain(phone, world["sites"][0])
    data = b"\xff\xd8 a photo"
    phone.edit(
        "attachment",
        str(uuid.uuid4()),
        {
            "owner_entity": "explanation",
            "owner_id": eid,
            "kind": "photo",
            "filename": "x.jpg",
            "mime": "image/jpeg",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
        op="create",
    )
    results = phone.push().get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"], results


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "26-11"}, "month"),
        ({"month": "2026-1"}, "month"),
        ({"text": " "}, "text"),
    ],
)
def test_bad_explanations_are_refused(phone, world, changes, field):
    eid = str(uuid.uuid4())
    base = {
        "site_id": str(world["sites"][0].id),
        "month": "2026-11",
        "text": "说明",
        "written_at": "2026-12-02T10:00:00+08:00",
    }
    phone.edit("explanation", eid, {**base, **changes}, op="create")
    result = answer(phone)
    assert result["status"] == "rejected" and field in result["error"]["fields"], result


def test_explanations_only_by_engineers_at_their_sites(app, phone, world, clock):
    explain(phone, world["sites"][1])
    assert answer(phone)["error"]["code"] == "not_found"
    office = device(app, world["users"]["dispatcher"])
    explain(office, world["sites"][0])
    assert answer(office)["error"]["code"] == "forbidden"
    eid = explain(phone, world["sites"][0])
    answer(phone)
    with pytest.raises(Exception) as refused:
        ops.decide_explanation(
            AbsenceExplanation.get_by_id(eid),
            actor=world["users"]["engineer"],
            decision="accept",
            note="",
        )
    assert refused.value.status == 403


def test_approved_leave_is_not_absence_in_the_month_s_rules(phone, world):
    from webapp.attendance.rules import ABSENT, LEAVE, SiteRules, evaluate_month

    site = world["sites"][0]
    lid = leave(phone, site, "2026-12-03", "2026-12-04")  # Thursday and Friday
    assert answer(phone)["status"] == "applied"
    ops.decide_leave(
        LeaveRequest.get_by_id(lid), actor=world["users"]["admin"], decision="approve", note=""
    )
    days = ops.approved_leave_days(
        world["users"]["engineer"].id, date(2026, 12, 1), date(2026, 12, 31)
    )
    month = evaluate_month(
        2026, 12, SiteRules.of(site), [], leave_days=days, until=date(2026, 12, 4)
    )
    status = {d.day: d.status for d in month.days}
    assert status[date(2026, 12, 3)] == status[date(2026, 12, 4)] == LEAVE
    assert status[date(2026, 12, 2)] == ABSENT


def test_leave_and_explanations_reach_only_their_engineer(app, phone, world, colleague):
    site = world["sites"][0]
    lid = leave(phone, site, "2026-12-10", "2026-12-10", kind="sick", reason="住院检查")
    eid = explain(phone, site)
    answer(phone)
    phone.pull_all()
    assert ("leave", lid) in phone.records and ("explanation", eid) in phone.records
    for person in (colleague, world["users"]["client"]):
        other = device(app, person)
        other.pull_all()
        assert ("leave", lid) not in other.records
        assert ("explanation", eid) not in other.records
    office = device(app, world["users"]["dispatcher"])
    office.pull_all()
    assert ("leave", lid) in office.records


def test_approved_leave_covers_the_engineer_at_every_site_they_are_stationed_at(phone, world):
    """Stationed at two sites: leave is asked once (a second request on the same days is refused
    as overlapping, whatever its site), so once approved it is no absence at either site."""
    from webapp.checkins import attendance

    site_a, site_b = world["sites"]
    assign(world["users"]["engineer"], site_b)
    lid = leave(phone, site_a, "2026-12-03", "2026-12-04")
    assert answer(phone)["status"] == "applied"
    leave(phone, site_b, "2026-12-03", "2026-12-04")
    assert answer(phone)["error"]["code"] == "overlap"
    ops.decide_leave(
        LeaveRequest.get_by_id(lid), actor=world["users"]["admin"], decision="approve", note=""
    )
    read_at = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # 20:00 on Friday in China
    for site in (site_a, site_b):
        (row,) = attendance.site_sheet(site, 2026, 12, read_at)
        status = {d.day.day: d.status for d in row.month.days}
        assert status[3] == status[4] == "leave", site.name
        assert row.leave[date(2026, 12, 3)].id == uuid.UUID(lid)


def test_a_request_withdrawn_twice_says_it_is_already_withdrawn(app, world, clock):
    """Two phones of the engineer (or a withdrawal sent again under a new id) withdraw the same
    request: the second is told it is already withdrawn, not that the office decided."""
    phone = device(app, world["users"]["engineer"])
    phone.client.set_cookie("rounds_lang", "en")
    lid = leave(phone, world["sites"][0], "2026-12-10", "2026-12-12")
    answer(phone)
    phone.edit("leave", lid, {}, op="withdraw")
    assert answer(phone)["status"] == "applied"
    phone.edit("leave", lid, {}, op="withdraw")
    result = answer(phone)
    assert result["status"] == "rejected" and result["error"]["code"] == "withdrawn", result
    assert result["error"]["message"] == "You have already withdrawn this request."
