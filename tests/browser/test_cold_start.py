"""An offline start asks the worker for the app's code in one fetch (the bundle) and for the
translations once, beside it: the catalogue the phone showed last time is fetched by boot.js
before the bundle runs, and i18n.js takes it instead of asking again."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

from .app_pages import FieldEngineer

pytestmark = pytest.mark.browser

REQUESTS = """() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname)"""


def test_an_offline_start_fetches_its_code_in_one_bundle_and_its_catalogue_once(
    phone, live_server, world
):
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    assert phone.evaluate("() => localStorage.getItem('rounds.locale')") == "zh_Hans"
    engineer.goes_offline()
    phone.reload()
    phone.get_by_test_id("site-tile").first.wait_for()
    assert phone.locator("html").get_attribute("lang") == "zh-Hans"
    fetched = phone.evaluate(REQUESTS)
    assert fetched.count("/app/i18n/zh_Hans.json") == 1, fetched
    scripts = [url for url in fetched if url.endswith(".js")]
    # Each once; the two are fetched side by side, in either order.
    assert sorted(scripts) == ["/static/dist/app.js", "/static/js/boot.js"], fetched
    assert not [url for url in fetched if url.startswith("/app/i18n/") and "zh_Hans" not in url]
