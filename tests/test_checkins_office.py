"""The office's check-ins: the list with verification and flags, its filters, and the attendance
month sheet computed from kept check-ins by the attendance rules, each cell explained."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from tests.conftest import sign_in_as
from webapp.models import CheckIn, utcnow
from webapp.records import create_record


def keep(world, at_utc: datetime, kind="in", *, signed=True, flags=(), user=None, site=None):
    return create_record(
        CheckIn,
        actor=None,
        id=uuid.uuid4(),
        user=user or world["users"]["engineer"],
        site=site or world["sites"][0],
        location=world["locations"][0],
        kind=kind,
        device_text=at_utc.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        device_time=at_utc,
        received_at=utcnow(),
        content_hash="0" * 64,
        signed=signed,
        verification="verified" if signed else "unsigned",
        flags=list(flags),
    )


@pytest.fixture
def office(app, world):
    client = app.test_client()
    sign_in_as(client, world["users"]["dispatcher"])
    return client


def test_the_office_sees_check_ins_with_verification_and_flags(office, world):
    good = keep(world, datetime(2026, 12, 1, 0, 25))
    odd = keep(world, datetime(2026, 12, 1, 9, 40), "out", signed=False, flags=["no_tag"])
    page = office.get("/office/checkins?month=2026-12").get_data(as_text=True)
    assert f'data-id="{good.id}" data-verification="verified"' in page
    assert f'data-id="{odd.id}" data-verification="unsigned"' in page
    assert 'data-flag="no_tag"' in page
    flagged = office.get("/office/checkins?month=2026-12&flagged=1").get_data(as_text=True)
    assert str(odd.id) in flagged and str(good.id) not in flagged
    other_site = office.get(
        f"/office/checkins?month=2026-12&site_id={world['sites'][1].id}"
    ).get_data(as_text=True)
    assert str(good.id) not in other_site


def test_the_month_sheet_explains_each_cell_and_flags_the_month(office, world):
    # 2026-12-01 is a Tuesday, a working day; the site works 08:30-12:00,14:00-17:30 (UTC+8).
    on_time = keep(world, datetime(2026, 12, 1, 0, 25))  # 08:25
    keep(world, datetime(2026, 12, 1, 9, 35), "out")  # 17:35
    late = keep(world, datetime(2026, 12, 2, 4, 0))  # 12:00: 210 minutes late
    page = office.get(
        f"/office/checkins/sheet?month=2026-12&site_id={world['sites'][0].id}"
    ).get_data(as_text=True)
    assert 'data-day="2026-12-01" data-status="present"' in page
    assert f'data-checkins="{on_time.id} ' in page
    assert 'data-day="2026-12-02" data-status="incomplete"' in page
    assert str(late.id) in page
    assert "more than 15 minutes after the start" in page
    assert 'data-testid="monthly-flag"><span class="badge warn">' in page  # 210 minutes late


def test_engineers_and_clients_do_not_see_the_office_pages(app, world):
    for role in ("engineer", "client"):
        client = app.test_client()
        sign_in_as(client, world["users"][role])
        assert client.get("/office/checkins").status_code == 403
        assert client.get("/office/checkins/sheet").status_code == 403


def test_a_bad_month_is_a_clear_error(office):
    r = office.get("/office/checkins?month=2026-13")
    assert r.status_code == 400


def keep_local(world, text: str, kind="in"):
    """A check-in made on a phone in China at the wall time `text` (2026-12-01T07:50)."""
    moment = datetime.fromisoformat(f"{text}+08:00")
    record = keep(world, moment.astimezone(UTC).replace(tzinfo=None), kind)
    record.device_text = f"{text}:00+08:00"
    record.save()
    return record


def test_a_month_lists_the_check_ins_of_its_own_days_at_the_site(office, world):
    # Stored in UTC, read on the phone's own day: 07:50 on 1 December in China is still
    # 30 November in UTC, and 10:00 on 30 November or 1 January are other months.
    first_morning = keep_local(world, "2026-12-01T07:50")
    last_night = keep_local(world, "2026-12-31T23:30", "out")
    before = keep_local(world, "2026-11-30T10:00")
    after = keep_local(world, "2027-01-01T09:00")
    page = office.get("/office/checkins?month=2026-12").get_data(as_text=True)
    assert str(first_morning.id) in page and str(last_night.id) in page
    assert str(before.id) not in page
    assert str(after.id) not in page


def test_a_day_lists_the_check_ins_of_that_day_at_the_site(office, world):
    early = keep_local(world, "2026-12-02T07:50")
    late = keep_local(world, "2026-12-02T23:10", "out")
    day_before = keep_local(world, "2026-12-01T20:00", "out")
    day_after = keep_local(world, "2026-12-03T09:00")
    page = office.get("/office/checkins?day=2026-12-02").get_data(as_text=True)
    assert str(early.id) in page and str(late.id) in page
    assert str(day_before.id) not in page
    assert str(day_after.id) not in page


def test_this_month_is_the_month_in_china(app, office):
    """At 07:30 on 1 March in China it is still February in UTC: the office's pages open on
    March, and the access log's download is named for the 1st of March."""
    app.config["CLOCK"] = lambda: datetime(2027, 2, 28, 23, 30, tzinfo=UTC)
    month_link = office.get("/office/checkins").get_data(as_text=True)
    assert "month=2027-03" in month_link
    access = office.get("/office/checkins/access").get_data(as_text=True)
    assert 'name="from" value="2027-03-01"' in access
    download = office.get("/office/checkins/access/export.csv")
    assert "access-log-20270301.csv" in download.headers["Content-Disposition"]
