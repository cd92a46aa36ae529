"""The office's fault board and a fault's page on a dispatcher's phone (390 px): no sideways
scrolling, in Chinese, with the clocks and the dispatcher's forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import PASSWORD
from webapp.faults import operations as ops
from webapp.models import Fault
from webapp.records import create_record

from .pages import Visitor

pytestmark = pytest.mark.browser


def test_the_board_is_usable_on_a_phone(phone, live_server, world):
    reported = (datetime.now(UTC) - timedelta(minutes=9)).replace(microsecond=0)
    values = {
        "number": "F-2026-00077",
        "site": world["sites"][0].id,
        "equipment": world["equipment"][0].id,
        "description": "主会场扩声系统无声音，调音台输入电平正常但功放无输出",
        "reported_at": reported.isoformat(),
        "reported_by": world["users"]["engineer"].id,
    }
    fault = create_record(Fault, actor=None, **values, **ops.derived(Fault(**values)))
    dispatcher = Visitor(phone, live_server)
    dispatcher.signs_in("disp", PASSWORD)
    dispatcher.opens("/office/faults")
    row = phone.locator(f'[data-fault="{fault.id}"]')
    assert "is-warning" in row.get_attribute("class")  # 9 of 10 minutes used
    assert "响应" in row.inner_text()
    assert not dispatcher.has_horizontal_scroll(), "the board scrolls sideways at 390 px"
    row.get_by_role("link").click()
    phone.get_by_role("button", name="指派").wait_for()
    assert not dispatcher.has_horizontal_scroll(), "the fault's page scrolls sideways at 390 px"
