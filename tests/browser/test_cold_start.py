"""An offline start asks the worker for the translations once, beside the modules: the catalogue
the phone showed last time is fetched by boot.js before the modules run, and i18n.js takes it
instead of asking again."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

from .app_pages import FieldEngineer

pytestmark = pytest.mark.browser

REQUESTS = """() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname)"""


def test_an_offline_start_fetches_its_catalogue_once_with_the_modules(phone, live_server, world):
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
    assert "/static/js/boot.js" in fetched and "/static/js/views/home.js" in fetched
