"""The installable app: its shell, service worker, manifest, translations and static files.

The service worker is served with the list of files to precache and a version derived from their
contents (and from the phone–server contract, /app/contract.json), so any change to the shell, a
module or a vocabulary makes the browser see a new worker.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from babel.messages.extract import extract_from_dir
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    request,
    send_from_directory,
)

from .. import compression
from ..i18n import catalogue_path, load_catalogue, select_locale
from .contract import contract

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
PRECACHE_DIRS = ("dist", "css", "icons", "vendor")

bp = Blueprint("pwa", __name__)


@bp.route("/static/<path:filename>")
def static(filename: str):
    return send_from_directory(STATIC_DIR, filename, max_age=0 if current_app.debug else 3600)


# The phone app's code: one bundle of static/js/app.js and everything it imports, made by
# `npm run build` (scripts/build-bundle.mjs) and committed; the modules in static/js are its
# sources. boot.js runs before it, as it is.
BUNDLE = "/static/dist/app.js"
BOOT = "/static/js/boot.js"


def catalogue_url(locale: str) -> str:
    return f"/app/i18n/{locale}.json"


def shell_html(locale: str) -> str:
    """app.html with a preload of the translations for the language the server would choose for
    this request (the user's, else the browser's): they are fetched beside the bundle, not after
    it. The worker precaches the language named here at install (static/sw.js)."""
    html = (STATIC_DIR / "app.html").read_text(encoding="utf-8")
    link = (
        f'  <link rel="preload" as="fetch" crossorigin href="{catalogue_url(locale)}"'
        f' data-locale="{locale}">\n'
    )
    return html.replace("  <!-- translations -->\n", link)


@bp.route("/app/")
def shell():
    body = shell_html(select_locale())
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Cookie", "Accept-Language"))  # the preloaded language is the user's
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    return response.make_conditional(request)


def _static_files() -> list[Path]:
    files = []
    for folder in PRECACHE_DIRS:
        root = STATIC_DIR / folder
        if root.exists():
            files.extend(p for p in sorted(root.rglob("*")) if p.is_file() and _wanted(p))
    return files


def _wanted(path: Path) -> bool:
    skipped = {"LICENSES.md", "versions.json", "LICENSE"}  # listed for people, not needed offline
    # Source maps are for a person debugging, fetched by developer tools only.
    return path.name not in skipped and not path.name.startswith(".") and path.suffix != ".map"


def precache_manifest() -> tuple[str, list[str]]:
    """The URLs the worker keeps offline and a version hash over their contents.

    The translations are not listed: the worker precaches the user's language alone (the one
    the shell preloads) and fetches another when the user picks it. All three catalogues are
    part of the version, so a changed translation still reaches the phone as an update."""
    digest = hashlib.sha256()
    urls = ["/app/", "/static/manifest.webmanifest", BOOT]
    sources = [STATIC_DIR / "app.html", STATIC_DIR / "manifest.webmanifest"]
    sources.append(STATIC_DIR / BOOT.removeprefix("/static/"))
    for path in _static_files():
        urls.append("/static/" + path.relative_to(STATIC_DIR).as_posix())
        sources.append(path)
    for locale in current_app.config["LANGUAGES"]:
        sources.append(catalogue_path(locale))
    for path in sources:
        if path.exists():
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
    # The contract is made from the server's code, not a file: its bytes are part of the version,
    # so a changed vocabulary or field rule reaches the phone as an update.
    urls.append("/app/contract.json")
    digest.update(b"/app/contract.json")
    digest.update(contract_bytes())
    return digest.hexdigest()[:16], urls


@bp.route("/app/sw.js")
def service_worker():
    version, urls = precache_manifest()
    source = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    body = source.replace("__VERSION__", version).replace(
        "__PRECACHE__", json.dumps(urls, ensure_ascii=False)
    )
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    # Registered for the scope / so that a tag's link (/t/<token>) opens the app offline; the
    # worker itself only answers /app/ and /t/ pages and the files they load.
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@cache
def contract_bytes() -> bytes:
    """/app/contract.json's body: the same bytes for every request and for the version hash."""
    return json.dumps(contract(), ensure_ascii=False, sort_keys=True).encode()


@bp.route("/app/contract.json")
def contract_json():
    return _unchanging(contract_bytes())


def _unchanging(body: bytes) -> Response:
    """JSON made once per process: asked again each time (`no-cache`), answered 304 while its
    ETag holds, and compressed once (compression.once)."""
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(_digest(body))
    return compression.once(response).make_conditional(request)


@cache
def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


# How the phone's code marks its strings (as scripts/update-catalogues.sh extracts them).
PHONE_KEYWORDS = {"t": None, "tn": (1, 2)}


@cache
def phone_msgids() -> frozenset[str]:
    """The messages the phone shows: those its modules translate (t/tn in static/js, not the
    office's scripts) and the vocabularies' labels the contract sends it. The rest of the
    catalogue is the office's and the server's, never shown by the phone."""
    found = set()
    for _file, _line, msgid, _comments, _context in extract_from_dir(
        STATIC_DIR / "js",
        method_map=[("office/**", "ignore"), ("**.js", "javascript")],
        options_map={"**.js": {"parse_template_string": "true"}},
        keywords=PHONE_KEYWORDS,
    ):
        found.add(msgid if isinstance(msgid, str) else msgid[0])
    for entries in contract()["vocabularies"].values():
        for entry in entries:
            found.update(entry[key] for key in ("label", "short") if key in entry)
    return frozenset(found)


@cache
def _messages(locale: str) -> dict:
    messages: dict[str, object] = {}
    wanted = phone_msgids()
    for message in load_catalogue(locale):
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if not key or key not in wanted:
            continue
        if isinstance(message.id, tuple):
            forms = [s for s in message.string if s] if message.string else []
            messages[message.id[0]] = forms or None
        elif message.string:
            messages[message.id] = message.string
    return messages


@bp.route("/app/i18n/<locale>.json")
def translations(locale: str):
    if locale not in current_app.config["LANGUAGES"]:
        abort(404)
    return _unchanging(_catalogue_bytes(locale))


@cache
def _catalogue_bytes(locale: str) -> bytes:
    # UTF-8 as it is (not \\u escapes): Chinese text at 3 bytes a character instead of 6.
    body = {"locale": locale, "messages": _messages(locale)}
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
