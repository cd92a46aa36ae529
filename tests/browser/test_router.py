"""A hash the phone cannot decode (a broken % escape, typed or from a mangled link) shows the
"Nothing here" screen with a way home, instead of an exception and a blank app."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

from .pages import Engineer

pytestmark = pytest.mark.browser

BROKEN = ["#/equipment/%E0%A4%A", "#/sites/%", "#/t/%zz", "#/rounds/%C3%28"]


def test_a_broken_escape_in_the_hash_is_nothing_here(phone, live_server, world):
    engineer = Engineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.sees_sites()
    routes = phone.evaluate(
        """async (hashes) => {
          const { parseRoute } = await import('/static/js/router.js');
          return hashes.map((h) => parseRoute(h).name);
        }""",
        BROKEN,
    )
    assert routes == ["not-found"] * len(BROKEN)
    errors: list[str] = []
    phone.on("pageerror", lambda err: errors.append(str(err)))
    for hash_ in BROKEN:
        phone.goto(f"{live_server}/app/{hash_}")
        empty = phone.locator("div.empty")
        empty.wait_for()
        assert "暂无内容" in empty.inner_text()
        assert empty.get_by_role("link").count() == 1  # the way back to my sites
    assert not errors, errors
