"""Every HTML page's <head> holds only text where text belongs.

A block left open in a template swallows what follows into the blocks before it: the site's tag
page once carried its "reissue every tag" form, CSRF token included, inside <title> (shown in the
tab, the history and bookmarks) and inside <main class="...">. Each page of the access table
(tests/test_access.py) that answers 200 with HTML is rendered here for every role, in and out of
scope, and its title and main element are checked.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests import test_access
from tests.conftest import sign_in_as
from tests.test_access import CASES, ROLES, SCOPES, _expected

scoped_world = test_access.scoped_world  # the access table's world, as a fixture here too

# Pages rendered for people; the access table's GET rows that answer 200.
PAGES = [case for case in CASES if case[0] == "GET" and not case[1].startswith("/api/")]


class Head(HTMLParser):
    """The texts of <title> and the class of <main>, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.titles: list[str] = []
        self.main_classes: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
            self.titles.append("")
        elif tag == "main":
            self.main_classes.append(dict(attrs).get("class") or "")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.titles[-1] += data


def read_head(html: str) -> Head:
    head = Head()
    head.feed(html)
    head.close()
    return head


def check_page(html: str, token: str) -> None:
    head = read_head(html)
    assert len(head.titles) == 1, head.titles
    (title,) = head.titles
    assert "<" not in title and ">" not in title, title
    assert token not in title, title
    assert "csrf" not in title.lower(), title
    assert 0 < len(title) <= 200 and "\n" not in title.strip(), title
    assert len(head.main_classes) == 1, head.main_classes
    assert all(part.replace("-", "").isalnum() for part in head.main_classes[0].split()), (
        head.main_classes
    )


def test_the_check_finds_a_form_swallowed_by_the_title():
    token = "csrf-secret-123"
    leaked = (
        f"<html><head><title>QR tags · 主楼<form><input name=csrf_token value={token}></form>"
        f" · Rounds</title></head><body><main class='page wide<p>'></main></body></html>"
    )
    with pytest.raises(AssertionError):
        check_page(leaked, token)
    fine = "<html><head><title>QR tags · 主楼 · Rounds</title></head><body><main class='page wide'>"
    check_page(fine + "</main></body></html>", token)


def test_no_page_puts_markup_or_a_token_in_its_title(app, request):
    """One world, every page for every role that gets it (one test: building the world is the
    slow part)."""
    world = request.getfixturevalue("scoped_world")
    checked = 0
    for _method, rule, url, _body, expect in PAGES:
        for role in ROLES:
            for scope in SCOPES:
                if _expected(expect[role], scope) != 200:
                    continue
                client = app.test_client()
                if role == "anonymous":
                    token = client.get("/api/auth/csrf").json["csrf_token"]
                else:
                    token = sign_in_as(client, world["users"][role])
                response = client.get(url(world, scope))
                assert response.status_code == 200, (rule, role, scope)
                if response.mimetype == "text/html":  # not the exports, labels and PDFs
                    try:
                        check_page(response.get_data(as_text=True), token)
                    except AssertionError as error:
                        raise AssertionError(f"{rule} as {role} ({scope}): {error}") from None
                    checked += 1
    assert checked >= 40


def test_the_tag_page_of_a_site_with_stale_tags_keeps_its_warning_out_of_the_title(
    client, app, tmp_path, request
):
    """The stale-key warning was the other block swallowed by the title."""
    scoped_world = request.getfixturevalue("scoped_world")
    from webapp.tags import signing

    token = sign_in_as(client, scoped_world["users"]["admin"])
    site = scoped_world["sites"][0]
    app.extensions.pop(signing._CACHE_KEY, None)
    (tmp_path / "instance" / signing.KEY_FILE_NAME).unlink()  # a new key: every tag is stale
    html = client.get(f"/office/tags?site={site.id}").get_data(as_text=True)
    assert "no longer uses" in html
    check_page(html, token)
