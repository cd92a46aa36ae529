"""Browser fixtures: one headless Chromium per run, the test's app served on localhost, and a
phone and a desktop page, each in a fresh context (fresh cookies) per test."""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import got_request_exception
from werkzeug.serving import make_server

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A mid-range Android phone with a current Chrome.
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)
# Generous: on a loaded two-core machine a PDF or a label sheet can take several seconds.
TIMEOUT_MS = 20_000


def pytest_collection_modifyitems(config, items):
    """Every test in this folder drives a browser: `-m "not browser"` leaves them out."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    # A missing browser must fail the run, never skip it: a skipped suite looks green.
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium) "
            "or point the CHROMIUM environment variable at a Chromium binary.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}", pytrace=False)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test's app (and so its fresh database) on http://localhost:<port>.

    Request threads open their own peewee connections (connection state is thread-local)
    and close them at teardown; the test thread keeps the one the `app` fixture opened, so
    tests can check the database directly. An exception in a request fails the test.
    """
    errors: list[str] = []

    def record(sender, exception, **extra):
        errors.append("".join(traceback.format_exception(exception)))

    got_request_exception.connect(record, app)
    server = make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        got_request_exception.disconnect(record, app)
    if errors:
        pytest.fail("The app raised while serving the test:\n" + "\n".join(errors), pytrace=False)


def _page(browser, **options):
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone(browser):
    """A mid-range Android phone whose browser asks for Simplified Chinese."""
    yield from _page(
        browser,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        user_agent=PHONE_UA,
    )


@pytest.fixture
def desktop(browser):
    """An office PC with an English browser."""
    yield from _page(browser, viewport={"width": 1366, "height": 900}, locale="en-US")
