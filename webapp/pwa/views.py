"""The installable app: its shell, service worker, manifest, translations and static files.

The service worker is served with the list of files to precache and a version derived from their
contents (and from the phone–server contract, /app/contract.json), so any change to the shell, a
module or a vocabulary makes the browser see a new worker.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    request,
    send_from_directory,
)

from ..i18n import catalogue_path, load_catalogue
from .contract import contract

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
PRECACHE_DIRS = ("js", "css", "icons", "vendor")

bp = Blueprint("pwa", __name__)


@bp.route("/static/<path:filename>")
def static(filename: str):
    return send_from_directory(STATIC_DIR, filename, max_age=0 if current_app.debug else 3600)


# `import … from './x.js'`, `export … from './x.js'` and `import './x.js'` at the start of a line;
# dynamic `import()` (the QR decoder, loaded when the scanner opens) is not followed.
STATIC_IMPORT = re.compile(
    r"""^[ \t]*(?:(?:import|export)\b[^'"`;]*?\bfrom[ \t]*|import[ \t]*)['"](\.{1,2}/[^'"]+)['"]""",
    re.MULTILINE,
)


def module_graph(entry: str = "js/app.js") -> list[str]:
    """Every module the entry imports, directly or not, as /static/ URLs, the entry first."""
    root = STATIC_DIR / entry
    order, seen, todo = [], {root}, [root]
    while todo:
        path = todo.pop(0)
        order.append("/static/" + path.relative_to(STATIC_DIR).as_posix())
        for target in STATIC_IMPORT.findall(path.read_text(encoding="utf-8")):
            found = (path.parent / target).resolve()
            if found not in seen and found.is_file():
                seen.add(found)
                todo.append(found)
    return order


def shell_html() -> str:
    """app.html with a modulepreload link for every module of the app's static import graph:
    the browser asks the worker for all of them at once instead of discovering them level by
    level (a chain five imports deep), and a catalogue prefetch starts beside them."""
    html = (STATIC_DIR / "app.html").read_text(encoding="utf-8")
    links = "".join(f'  <link rel="modulepreload" href="{url}">\n' for url in module_graph()[1:])
    return html.replace("  <!-- modulepreload -->\n", links)


@bp.route("/app/")
def shell():
    body = shell_html()
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
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
    return path.name not in skipped and not path.name.startswith(".")


def precache_manifest() -> tuple[str, list[str]]:
    """The URLs the worker keeps offline and a version hash over their contents."""
    digest = hashlib.sha256()
    urls = ["/app/", "/static/manifest.webmanifest"]
    sources = [STATIC_DIR / "app.html", STATIC_DIR / "manifest.webmanifest"]
    for path in _static_files():
        urls.append("/static/" + path.relative_to(STATIC_DIR).as_posix())
        sources.append(path)
    for locale in current_app.config["LANGUAGES"]:
        urls.append(f"/app/i18n/{locale}.json")
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
    response = Response(contract_bytes(), mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@cache
def _messages(locale: str) -> dict:
    messages: dict[str, object] = {}
    for message in load_catalogue(locale):
        if not message.id:
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
    response = jsonify(locale=locale, messages=_messages(locale))
    response.headers["Cache-Control"] = "no-cache"
    return response
