"""Leave on a phone in Simplified Chinese, offline: a three-day request filed one day ahead is
shown as short notice before it is sent, it syncs, the office approves it, and the phone shows
it approved (docs/attendance.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, assign
from webapp.models import LeaveRequest

from .app_pages import FieldEngineer
from .pages import Visitor

pytestmark = pytest.mark.browser


@pytest.fixture
def engineer(phone, live_server, world):
    assign(world["engineer2"], world["sites"][0])  # a colleague at the site: the stand-in
    person = FieldEngineer(phone, live_server)
    person.signs_in("eng", PASSWORD)
    person.opens_the_app()
    return person


def test_short_notice_leave_filed_offline_is_approved_and_the_phone_sees_it(
    engineer, desktop, live_server, world
):
    page = engineer.page
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the site's calendar
    first, last = today + timedelta(days=1), today + timedelta(days=3)

    engineer.goes_offline()
    page.goto(f"{live_server}/app/#/leave/new")
    page.get_by_test_id("first-day").fill(first.isoformat())
    page.get_by_test_id("last-day").fill(last.isoformat())
    notice = page.get_by_test_id("leave-notice")
    expect(notice).to_have_attribute("data-status", "short_notice")
    expect(notice).to_contain_text("未按时提前")  # shown before sending, in the phone's language
    page.get_by_test_id("kind").select_option("annual")
    page.get_by_test_id("stand-in").select_option(str(world["engineer2"].id))
    page.get_by_test_id("reason").fill("回老家办事")
    page.get_by_test_id("send-leave").click()
    item = page.get_by_test_id("leave-item")
    expect(item).to_contain_text("年假")
    expect(item.get_by_test_id("leave-status")).to_have_text("等待审批")
    assert LeaveRequest.select().count() == 0  # still on the phone

    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    stored = LeaveRequest.get()
    assert (stored.notice, stored.first_day, stored.last_day) == ("short_notice", first, last)
    assert stored.stand_in_id == world["engineer2"].id

    office = Visitor(desktop, live_server)
    office.signs_in("disp", PASSWORD)
    office.opens("/office/leave")
    desktop.get_by_test_id("leave-row").click()
    expect(desktop.get_by_test_id("notice-mark")).to_be_visible()
    expect(desktop.get_by_test_id("stand-in")).to_contain_text(world["engineer2"].name)
    desktop.get_by_test_id("decide-yes").click()
    expect(desktop.get_by_test_id("leave-status")).to_have_text("Approved")
    assert LeaveRequest.get().status == "approved"

    engineer.taps_sync_now()
    page.goto(f"{live_server}/app/#/leave")
    expect(page.get_by_test_id("leave-status")).to_have_text("已批准")
    expect(page.get_by_test_id("withdraw")).to_have_count(0)


def test_the_office_decides_on_a_phone_in_chinese(phone, live_server, world):
    from datetime import date

    from webapp.records import create_record

    record = create_record(
        LeaveRequest,
        actor=None,
        engineer=world["users"]["engineer"],
        site=world["sites"][0],
        first_day=date(2026, 12, 3),
        last_day=date(2026, 12, 5),
        kind="sick",
        reason="发烧住院，需要观察三天",
        stand_in=world["engineer2"],
        filed_at="2026-12-02T10:00:00+08:00",
        notice="short_notice",
        notice_ahead=1,
    )
    office = Visitor(phone, live_server)
    office.signs_in("disp", PASSWORD)
    office.opens("/office/leave")
    expect(phone.get_by_test_id("leave-row")).to_contain_text("病假")
    expect(phone.get_by_test_id("leave-row")).to_contain_text("未按时提前")
    assert not office.has_horizontal_scroll()
    phone.get_by_test_id("leave-row").click()
    expect(phone.get_by_test_id("decide-return")).to_be_visible()  # the request's page is in
    assert not office.has_horizontal_scroll()
    phone.get_by_test_id("decide-return").click()  # a return without a note is refused
    expect(phone.get_by_role("alert").first).to_contain_text("备注")
    phone.locator("#note").fill("请附上医院证明")
    phone.get_by_test_id("decide-return").click()
    expect(phone.get_by_test_id("leave-status")).to_have_text("已退回")
    assert LeaveRequest.get_by_id(record.id).office_note == "请附上医院证明"


def test_an_absence_explanation_written_offline_is_returned_with_a_note(
    engineer, live_server, world
):
    from webapp.leave import operations as ops
    from webapp.models import AbsenceExplanation

    page = engineer.page
    engineer.goes_offline()
    page.goto(f"{live_server}/app/#/explanations/new")
    page.get_by_test_id("month").fill("2026-11")
    page.get_by_test_id("explanation-text").fill("11月3日、4日手机没电，未能签到，当天在岗。")
    page.get_by_test_id("send-explanation").click()
    expect(page.get_by_test_id("explanation-item")).to_contain_text("等待审批")
    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    stored = AbsenceExplanation.get()
    assert (stored.month, stored.status) == ("2026-11", "waiting")
    ops.decide_explanation(
        stored, actor=world["users"]["dispatcher"], decision="return", note="请附上证明"
    )
    engineer.taps_sync_now()
    page.goto(f"{live_server}/app/#/leave")
    item = page.get_by_test_id("explanation-item")
    expect(item).to_contain_text("已退回")
    expect(item).to_contain_text("请附上证明")


def test_a_phone_whose_clock_is_behind_is_judged_from_the_signed_time(
    app, engineer, live_server, world
):
    """The phone's clock says three days ahead; the newest signed server time it holds says one.
    The phone shows short notice before sending, and the server, checking the stamp, agrees."""
    from webapp.checkins.clock import make_stamp

    page = engineer.page
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    first, last = today + timedelta(days=3), today + timedelta(days=5)
    # As if the phone had synced on the day before the leave, 10:00 in China (02:00 UTC).
    with app.app_context():
        stamp = make_stamp(
            datetime.combine(first - timedelta(days=1), datetime.min.time()) + timedelta(hours=2)
        )
    engineer.goes_offline()
    page.evaluate(
        "(stamp) => window.__rounds.db.setMeta('serverTime', { stamp, at: Date.now() })", stamp
    )
    page.goto(f"{live_server}/app/#/leave/new")
    page.get_by_test_id("first-day").fill(first.isoformat())
    page.get_by_test_id("last-day").fill(last.isoformat())
    expect(page.get_by_test_id("leave-notice")).to_have_attribute("data-status", "short_notice")
    page.get_by_test_id("reason").fill("家里有事")
    page.get_by_test_id("send-leave").click()
    engineer.goes_online()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    stored = LeaveRequest.get()
    assert (stored.notice, stored.notice_ahead) == ("short_notice", 1)
