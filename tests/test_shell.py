"""The app's shell: the app's code arrives as one bundle (static/dist, built from static/js and
committed), the translations of the user's language alone beside it; the worker precaches the
bundle, not the modules, and no translation file but the one the shell names."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from webapp.i18n import load_catalogue
from webapp.pwa import views as pwa

from .factories import PASSWORD, create_user


def precache(client) -> list[str]:
    worker = client.get("/app/sw.js").get_data(as_text=True)
    return json.loads(re.search(r"const PRECACHE = (\[.*?\]);", worker)[1])


def preloaded_language(html: str) -> str:
    found = re.findall(r'<link rel="preload" as="fetch" crossorigin href="([^"]+)"', html)
    assert len(found) == 1, found
    return found[0]


def test_the_shell_loads_the_bundle_and_preloads_one_language(client):
    shell = client.get("/app/", headers={"Accept-Language": "zh-TW,zh;q=0.8"})
    assert shell.status_code == 200 and shell.headers["Cache-Control"] == "no-cache"
    html = shell.get_data(as_text=True)
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/js/boot.js" defer>',
        f'<script type="module" src="{pwa.BUNDLE}">',
    ]
    assert "modulepreload" not in html
    assert preloaded_language(html) == "/app/i18n/zh_Hant.json"
    assert {"Cookie", "Accept-Language"} <= set(shell.headers["Vary"].replace(" ", "").split(","))


def test_the_shell_preloads_the_signed_in_users_language(app, client):
    with app.app_context():
        create_user("engineer", "eng", locale="en")
    csrf = client.get("/api/auth/csrf").get_json()["csrf_token"]
    answer = client.post(
        "/api/auth/sign-in",
        json={"username": "eng", "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    html = client.get("/app/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert preloaded_language(html) == "/app/i18n/en.json"


def test_the_worker_precaches_the_bundle_not_the_modules_nor_every_language(client):
    urls = precache(client)
    assert pwa.BUNDLE in urls and "/static/js/boot.js" in urls
    assert [u for u in urls if u.startswith("/static/js/")] == ["/static/js/boot.js"]
    assert not [u for u in urls if u.endswith(".map") or u.startswith("/app/i18n/")]
    assert (pwa.STATIC_DIR / pwa.BUNDLE.removeprefix("/static/")).is_file()


def test_the_shell_is_revalidated_by_its_etag(client):
    etag = client.get("/app/").headers["ETag"]
    assert client.get("/app/", headers={"If-None-Match": etag}).status_code == 304


def test_the_phones_catalogue_carries_what_the_phone_shows_and_not_the_offices(client):
    catalogue = {
        (m.id[0] if isinstance(m.id, tuple) else m.id): m.string
        for m in load_catalogue("zh_Hans")
        if m.id
    }
    served = client.get("/app/i18n/zh_Hans.json")
    assert served.mimetype == "application/json"
    messages = served.get_json()["messages"]
    # Strings of the phone's own screens, a plural among them.
    for msgid in ("Outbox", "My sites", "Saved to your account."):
        assert messages[msgid] == catalogue[msgid]
    assert isinstance(
        messages["%(num)d change by another user of this device waits for them to sign in."], list
    )
    # Strings only the office pages and the server's own messages use.
    for msgid in ("Label sheet for the whole site", "Office"):
        assert msgid in catalogue and msgid not in messages
    assert set(messages) == {m for m in pwa.phone_msgids() if m in catalogue}
    assert len(messages) < len(catalogue) / 2
    # Chinese as UTF-8, not \\u escapes (half the bytes before compression).
    assert "我的站点".encode() in served.data or catalogue["My sites"].encode() in served.data


def test_the_committed_bundle_is_built_from_the_modules_as_they_are():
    """The phone runs static/dist/app.js, not the modules: a module changed without `npm run
    build` would be tested and shipped as it was before. The build lists its inputs' digests."""
    root = Path(__file__).resolve().parent.parent
    inputs = json.loads((root / "static/dist/inputs.json").read_text())
    assert "static/js/app.js" in inputs and "static/js/db.js" in inputs
    stale = [
        name
        for name, digest in inputs.items()
        if not (root / name).is_file()
        or hashlib.sha256((root / name).read_bytes()).hexdigest() != digest
    ]
    assert not stale, f"changed since the bundle was built (run npm run build): {stale}"
