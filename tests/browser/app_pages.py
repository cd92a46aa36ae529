"""Page objects for the offline app (/app/): what an engineer does with a phone in a machine room.

The app's screens are in the phone's language (Simplified Chinese in these tests); elements the
tests need are found by `data-testid` or by field id, and the outbox is watched through the
app's read-only test hook, `window.__rounds.state()`.

The app's CSP forbids `eval`, so every JavaScript snippet below is a function (`() => ...`),
which Playwright calls without evaluating a string.
"""

from __future__ import annotations

from playwright.sync_api import BrowserContext
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .pages import Visitor


class FieldEngineer(Visitor):
    """An engineer using the installed app, on and off the network."""

    @property
    def context(self) -> BrowserContext:
        return self.page.context

    def opens_the_app(self) -> None:
        self.opens("/app/")
        self.waits_for_sync()
        # The worker must be installed and in charge of this page before the network goes away,
        # as on a real phone. `ready` resolves when activation starts, before the worker has
        # claimed the page: offline in between, a lazily loaded file (the QR decoder, another
        # language) would go to the network and fail.
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    def state(self) -> dict:
        return self.page.evaluate("() => window.__rounds.state()")

    def waits_for_sync(self) -> None:
        self.page.wait_for_function(
            "() => window.__rounds && window.__rounds.state().lastSyncAt"
            " && !window.__rounds.state().syncing"
        )

    def waits_until_sent(self) -> None:
        self.page.wait_for_function(
            "() => { const s = window.__rounds.state(); return s.pending === 0 && !s.syncing; }"
        )

    def goes_offline(self) -> None:
        self.context.set_offline(True)

    def goes_online(self) -> None:
        self.context.set_offline(False)

    def taps_sync_now(self) -> None:
        self.page.get_by_test_id("sync-now").click()
        self.page.wait_for_function("() => !window.__rounds.state().syncing")

    def edits(self, equipment_id: str, **fields: str) -> None:
        """Open the equipment form, change text fields (by name) and save."""
        self.page.goto(f"{self.base_url}/app/#/equipment/{equipment_id}/edit")
        self.page.get_by_test_id("equipment-form").wait_for()
        for name, value in fields.items():
            self.page.fill(f"#f-{name}", value)
        self.page.get_by_test_id("save").click()
        self.page.get_by_test_id("pending-note").wait_for()

    def reloads(self):
        """Reload the page; returns the navigation's response."""
        return self.page.reload()

    def sees_pending_note(self) -> bool:
        """Whether the record says a change waits on this device (after the screen is drawn)."""
        note = self.page.get_by_test_id("pending-note")
        try:
            note.wait_for(timeout=5_000)
        except PlaywrightTimeout:
            return False
        return note.is_visible()

    def photographs_nameplate(self, equipment_id: str, photo_path: str) -> None:
        """Take a nameplate photo in the equipment form and save."""
        self.page.goto(f"{self.base_url}/app/#/equipment/{equipment_id}/edit")
        self.page.get_by_test_id("equipment-form").wait_for()
        self.page.set_input_files("#f-photo", photo_path)
        self.page.locator(".photo-box img").wait_for(timeout=30_000)
        self.page.get_by_test_id("save").click()
        self.page.locator("ul.photos img").first.wait_for()

    def photos_on_device(self) -> list[dict]:
        """The attachments whose bytes are still only on this device."""
        return self.page.evaluate(
            """async () => {
              const s = await window.__rounds.db.getMeta('session');
              const blobs = await window.__rounds.db.blobs(s.id);
              return blobs.map((b) => ({id: b.id, size: b.size, sha256: b.sha256, mime: b.mime}));
            }"""
        )
