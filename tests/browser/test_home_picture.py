"""The picture of home that boot.js draws before the app has started (docs/pwa.md, "Home shows
before the app has started"): the signed-in engineer's own tiles at once, a tap on one of them
opens that site when the app is ready, and signing out forgets it.

The store is made slow to open (an init script delays `indexedDB.open` by two seconds), so the
picture stays up long enough to look at and to tap, as on a slow phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

from .app_pages import FieldEngineer
from .test_passkeys import signs_out_of_the_app

pytestmark = pytest.mark.browser

SLOW_STORE = """(() => {
  const open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function (...args) {
    const waiting = {};
    setTimeout(() => {
      const req = open.apply(this, args);
      for (const name of ['onupgradeneeded', 'onsuccess', 'onerror', 'onblocked']) {
        req[name] = (event) => {
          waiting.result = req.result;
          waiting.error = req.error;
          waiting.transaction = req.transaction;
          if (waiting[name]) waiting[name](event);
        };
      }
    }, 2000);
    return waiting;
  };
})()"""

PICTURE = "() => document.getElementById('view').dataset.snapshot === '1'"


def test_a_tile_tapped_on_the_picture_opens_its_site_once_the_app_is_ready(
    phone, live_server, world
):
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    tiles = phone.get_by_test_id("site-tile")
    names = tiles.locator("strong").all_inner_texts()
    assert names
    phone.wait_for_function("() => localStorage.getItem('rounds.home') !== null")
    engineer.goes_offline()
    phone.add_init_script(SLOW_STORE)
    phone.reload()
    assert phone.evaluate(PICTURE)  # the picture, drawn before the store has opened
    assert tiles.locator("strong").all_inner_texts() == names
    assert phone.locator("#view").get_attribute("aria-busy") == "true"
    tiles.filter(has_text=names[-1]).click()
    assert phone.evaluate(PICTURE)  # the tap came before the app had drawn anything
    expect(phone.locator("h1")).to_have_text(names[-1])
    assert not phone.evaluate(PICTURE)
    assert phone.locator("#view").get_attribute("aria-busy") is None
    assert "#/sites/" in phone.url


def test_signing_out_forgets_the_picture(phone, live_server, world):
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    phone.wait_for_function("() => localStorage.getItem('rounds.home') !== null")
    signs_out_of_the_app(phone)
    assert phone.evaluate("() => localStorage.getItem('rounds.home')") is None
    phone.add_init_script(SLOW_STORE)
    phone.goto(f"{live_server}/app/")
    assert not phone.evaluate(PICTURE)
    assert phone.get_by_test_id("site-tile").count() == 0
    expect(phone.get_by_test_id("sign-in")).to_be_visible()
