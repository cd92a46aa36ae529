"""Which language a person gets: their own choice, else their browser's.

Tried as a new user would: an English browser got an English sign-in page and then a Chinese
app, because the account had a saved language nobody chose. A user without a saved language
follows the browser on every page and in the app; a choice made in Settings is kept on the
account and follows the user to the next visit and to another device; "same as this browser"
undoes it.
"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from webapp.models import User

from .app_pages import FieldEngineer
from .conftest import PHONE_UA, TIMEOUT_MS

pytestmark = pytest.mark.browser

NAV = "() => [...document.querySelectorAll('#nav a')].map((a) => a.firstChild.textContent)"


def english_phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="en-US",
        user_agent=PHONE_UA,
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def app_language(engineer: FieldEngineer) -> tuple[str, list[str]]:
    page = engineer.page
    page.wait_for_function("() => document.documentElement.dataset.ready === '1'")
    page.locator("#nav a").first.wait_for()
    return page.locator("html").get_attribute("lang"), page.evaluate(NAV)


def chooses_in_settings(engineer: FieldEngineer, value: str) -> None:
    page = engineer.page
    page.goto(f"{engineer.base_url}/app/#/settings")
    # Choose once the screen has settled: a sync or session check that ends after the choice
    # redraws the screen, and the button would then send the select's redrawn value.
    engineer.waits_for_sync()
    page.wait_for_load_state("networkidle")
    select = page.get_by_test_id("language")
    select.select_option(value=value)
    assert select.input_value() == value
    select.locator("xpath=..").get_by_role("button").click()


@pytest.fixture
def contexts(browser):
    made = []

    def make():
        made.append(english_phone(browser))
        return made[-1]

    yield make
    for context in made:
        context.close()


def test_an_english_browser_gets_english_until_the_user_chooses_chinese(
    contexts, live_server, world
):
    engineer_user = world["users"]["engineer"]
    assert engineer_user.locale is None
    engineer = FieldEngineer(contexts().new_page(), live_server)
    page = engineer.page

    engineer.opens("/sign-in")
    assert engineer.language == "en"
    engineer.signs_in("eng", PASSWORD)
    site_page = f"/sites/{world['sites'][0].id}"
    engineer.opens(site_page)
    assert engineer.language == "en", "the pages after signing in are not in English"
    engineer.opens_the_app()
    assert app_language(engineer) == ("en", ["My sites", "Scan", "Outbox", "Settings"])
    assert User.get_by_id(engineer_user.id).locale is None, "a language was saved unasked"

    chooses_in_settings(engineer, "zh_Hans")
    page.wait_for_function("() => document.documentElement.lang === 'zh-Hans'")
    assert app_language(engineer)[1] == ["我的站点", "扫码", "待发送", "设置"]
    page.wait_for_function("() => !document.body.innerText.includes('Switch')")
    assert User.get_by_id(engineer_user.id).locale == "zh_Hans"

    # The next visit, on this phone and on another English one: Chinese, app and pages.
    page.reload()
    assert app_language(engineer)[0] == "zh-Hans"
    engineer.opens(site_page)
    assert engineer.language == "zh-Hans"
    elsewhere = FieldEngineer(contexts().new_page(), live_server)
    elsewhere.signs_in("eng", PASSWORD)
    elsewhere.opens(site_page)
    assert elsewhere.language == "zh-Hans"
    elsewhere.opens_the_app()
    assert app_language(elsewhere)[0] == "zh-Hans"

    # "Same as this browser" gives the choice back to the browser.
    chooses_in_settings(engineer, "")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert User.get_by_id(engineer_user.id).locale is None
    engineer.opens(site_page)
    assert engineer.language == "en"


def test_a_language_chosen_on_the_sign_in_page_is_the_apps_too(contexts, live_server, world):
    """The sign-in page's own language switch is a choice too: the app follows it."""
    engineer = FieldEngineer(contexts().new_page(), live_server)
    engineer.opens("/sign-in")
    engineer.page.locator("select#lang").select_option("zh_Hant")
    with engineer.page.expect_navigation():
        engineer.page.locator("form.lang-form button").click()
    assert engineer.language == "zh-Hant"
    engineer.signs_in("eng", PASSWORD)
    engineer.opens(f"/sites/{world['sites'][0].id}")
    assert engineer.language == "zh-Hant"
    engineer.opens_the_app()
    assert app_language(engineer)[0] == "zh-Hant"
    assert User.get_by_id(world["users"]["engineer"].id).locale is None


def test_an_english_phone_starts_offline_in_english_and_fetches_another_language_when_online(
    contexts, live_server, world, monkeypatch
):
    """Only the user's language comes with the app: the installed app starts offline in it; a
    language picked offline that the phone has not got yet is explained, then fetched and kept
    once the phone is online; the next version keeps both."""
    engineer = FieldEngineer(contexts().new_page(), live_server)
    page = engineer.page
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    assert app_language(engineer)[0] == "en"
    kept = "() => caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n)"
    kept += ".then((c) => c.keys())))).then((all) => all.flat().map((r) => new URL(r.url).pathname)"
    kept += ".filter((p) => /^\\/app\\/i18n\\/[^/]+\\.json$/.test(p)))"
    assert page.evaluate(kept) == ["/app/i18n/en.json"]

    engineer.goes_offline()
    page.reload()
    assert app_language(engineer) == ("en", ["My sites", "Scan", "Outbox", "Settings"])

    chooses_in_settings(engineer, "zh_Hant")
    page.get_by_text("This language is not on this phone yet").wait_for()
    assert app_language(engineer)[0] == "en"

    engineer.goes_online()  # the app syncs on its own, saves the choice and fetches the language
    page.wait_for_function("() => document.documentElement.lang === 'zh-Hant'")
    assert sorted(page.evaluate(kept)) == ["/app/i18n/en.json", "/app/i18n/zh_Hant.json"]
    engineer.goes_offline()
    page.reload()
    assert app_language(engineer) == ("zh-Hant", ["我的站點", "掃描", "待傳送", "設定"])

    # A new version: the languages this phone used come along, fresh.
    from webapp.pwa import views as pwa

    engineer.goes_online()
    real = pwa.precache_manifest
    monkeypatch.setattr(pwa, "precache_manifest", lambda: ("new-release", real()[1]))
    page.evaluate("() => navigator.serviceWorker.getRegistration('/').then((r) => r.update())")
    update = page.get_by_test_id("update")
    update.wait_for(timeout=15_000)
    with page.expect_navigation():
        update.click()
    assert app_language(engineer)[0] == "zh-Hant"
    names = page.evaluate("() => caches.keys()")
    assert len(names) == 1 and names[0].endswith("new-release"), names
    assert sorted(page.evaluate(kept)) == ["/app/i18n/en.json", "/app/i18n/zh_Hant.json"]


@pytest.mark.parametrize(
    ("browser_locale", "expected", "nav"),
    [
        ("zh-Hans-HK", "zh-Hans", ["我的站点", "扫码", "待发送", "设置"]),
        ("zh-Hant-CN", "zh-Hant", ["我的站點", "掃描", "待傳送", "設定"]),
    ],
)
def test_a_script_the_browser_names_wins_over_its_region(
    browser, live_server, world, browser_locale, expected, nav
):
    """A phone in Hong Kong set to Simplified Chinese asks for zh-Hans-HK: Simplified, on the
    pages and in the app, though Hong Kong alone would mean Traditional."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale=browser_locale
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        engineer = FieldEngineer(context.new_page(), live_server)
        engineer.opens("/sign-in")
        assert engineer.language == expected
        engineer.signs_in("eng", PASSWORD)
        engineer.opens_the_app()
        assert app_language(engineer) == (expected, nav)
    finally:
        context.close()
