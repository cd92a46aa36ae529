"""A change the server cannot save for its text (a control character pasted into a note) is
refused alone: the phone keeps it in the outbox with the reason in Chinese beside the field,
and offers to edit it again or export it; the corrected note arrives (issue 9, item 4)."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from webapp.models import Equipment

from .app_pages import FieldEngineer

pytestmark = pytest.mark.browser


@pytest.fixture
def engineer(phone, live_server, world):
    person = FieldEngineer(phone, live_server)
    person.signs_in("eng", PASSWORD)
    person.opens_the_app()
    return person


def test_a_note_with_a_control_character_is_refused_kept_and_fixed(engineer, world):
    device = world["equipment"][0]
    page = engineer.page
    engineer.goes_offline()
    engineer.edits(str(device.id), notes="断路器\x07跳闸")
    engineer.edits(str(device.id), brand="雅马哈")  # a later change to the same device
    engineer.goes_online()
    engineer.taps_sync_now()
    page.wait_for_function("() => window.__rounds.state().needsAttention === 1")
    assert Equipment.get_by_id(device.id).brand == "雅马哈"  # the rest went through
    assert "\x07" not in Equipment.get_by_id(device.id).notes

    page.goto(f"{engineer.base_url}/app/#/outbox")
    entry = page.get_by_test_id("refused-entry")
    entry.wait_for()
    text = entry.inner_text()
    assert "无法保存的字符" in text  # the reason, translated
    assert "备注" in text  # beside the field it concerns
    assert entry.get_by_test_id("export").is_visible()
    entry.get_by_role("button", name="重新编辑").click()
    page.get_by_test_id("equipment-form").wait_for()
    assert page.input_value("#f-notes") == "断路器\x07跳闸"  # the work is still there
    page.fill("#f-notes", "断路器跳闸")
    page.get_by_test_id("save").click()
    engineer.taps_sync_now()
    engineer.waits_until_sent()
    assert Equipment.get_by_id(device.id).notes == "断路器跳闸"
    assert engineer.state()["needsAttention"] == 0
