"""Page objects: what a person does and sees in Rounds, in their words.

Office pages are driven through labels and roles, which are English on the `desktop` page.
Sign-in goes by field names, because the sign-in page is shown in whatever language the
browser asks for and its labels may or may not be translated yet.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


class Person:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def opens(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    @property
    def language(self) -> str:
        """The page's declared language (`<html lang>`)."""
        return self.page.locator("html").get_attribute("lang") or ""

    def has_horizontal_scroll(self) -> bool:
        self.page.wait_for_load_state()
        width = self.page.evaluate("document.documentElement.scrollWidth")
        return width > self.page.viewport_size["width"]

    def notices(self) -> list[str]:
        """The flash messages at the top of the page."""
        return [t.strip() for t in self.page.locator("main .flash").all_inner_texts()]


class Visitor(Person):
    """Someone not signed in yet."""

    def signs_in(self, username: str, password: str) -> None:
        self.opens("/sign-in")
        form = self.page.locator("form", has=self.page.locator("input[name=password]"))
        form.locator("input[name=username]").fill(username)
        form.locator("input[name=password]").fill(password)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()
        if self.page.url.split("?")[0].endswith("/sign-in"):
            alert = self.page.get_by_role("alert")
            reason = alert.inner_text() if alert.count() else "no message shown"
            raise AssertionError(f"{username} could not sign in: {reason}")


class Engineer(Visitor):
    """An engineer on site, usually on a phone."""

    def site_tiles(self) -> Locator:
        return self.page.locator("main a.tile")

    def site_tile(self, name: str) -> Locator:
        return self.site_tiles().filter(has=self.page.get_by_text(name, exact=True))

    def sees_sites(self) -> list[str]:
        """The names of the sites on 'My sites', in the order shown."""
        self.site_tiles().first.wait_for()
        return [t.strip() for t in self.site_tiles().locator("strong").all_inner_texts()]


class Admin(Visitor):
    """An office user at a desk (English pages)."""

    def goes_to_sites(self) -> None:
        nav = self.page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Sites", exact=True).click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Sites")

    def starts_new_site(self) -> None:
        self.goes_to_sites()
        self.page.get_by_role("link", name="New", exact=True).click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("New: Site")

    def fills_site_form(self, *, client: str | None = None, **fields: str) -> None:
        """Fill the site form: `client` by its name, other fields by their English labels
        given as keywords (`name=`, `address=`, `contact=`, `phone=`)."""
        if client is not None:
            self.field("Client").select_option(label=client)
        for key, value in fields.items():
            self.field(key.replace("_", " ").capitalize()).fill(value)

    def saves(self) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Save", exact=True).click()

    def creates_site(self, *, client: str, name: str, address: str = "") -> None:
        self.starts_new_site()
        self.fills_site_form(client=client, name=name, address=address)
        self.saves()

    def field(self, label: str) -> Locator:
        """A form field by its label; required fields show a trailing '*' on screen."""
        return self.page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))

    def field_errors(self, label: str) -> list[str]:
        """The error messages shown under the form field with this label."""
        box = self.page.locator(".field", has=self.field(label))
        return [t.strip() for t in box.locator(".error-text").all_inner_texts()]

    def is_on_site(self, name: str) -> bool:
        heading = self.page.get_by_role("heading", level=1)
        return "/overview" in self.page.url and heading.inner_text().strip() == name

    def opens_site(self, name: str) -> None:
        self.goes_to_sites()
        row = self.page.get_by_role("row").filter(
            has=self.page.get_by_role("cell", name=name, exact=True)
        )
        row.get_by_role("link", name="Open", exact=True).click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(name)

    def stationed_section(self) -> Locator:
        return self.page.locator(
            "section", has=self.page.get_by_role("heading", name="Engineers stationed here")
        )

    def assigns(self, engineer: str, *, to_site: str) -> None:
        """Station an engineer at a site; `engineer` as the list shows it: 'Name (username)'."""
        if not self.is_on_site(to_site):
            self.opens_site(to_site)
        section = self.stationed_section()
        section.get_by_label("Engineer", exact=True).select_option(label=engineer)
        with self.page.expect_navigation():
            section.get_by_role("button", name="Assign", exact=True).click()

    def sees_stationed(self) -> list[str]:
        """The engineers listed as stationed at the open site, as 'Name username'."""
        rows = self.stationed_section().locator("ul.rows > li.row-split > span:first-child")
        return [" ".join(t.split()) for t in rows.all_inner_texts()]
