"""What a phone downloads: the shell the service worker keeps (by category, as the app sends it
plain, gzip and brotli), the requests of a cold first load of the app, and one page of a pull of
the demo register; side by side for other versions of the code.

    .venv/bin/python bench/shell_bench.py
    .venv/bin/python bench/shell_bench.py --baseline /tmp/main-tree   # a `git archive` of main
    .venv/bin/python bench/shell_bench.py --skip-browser              # sizes only

Sizes, not timings: they do not depend on the machine. Each tree's app runs in a process of its
own (bench/served_tree.py) on a fresh temporary SQLite file with the demo seeded; every body is
fetched over HTTP from the app itself, so the figures are what the app sends, not what a proxy
would. The worker's list (`PRECACHE` in /app/sw.js) and, where the worker keeps the translations
of the user's language only, the file the shell names for the demo engineer (signed in) make the
shell. The cold first load is Debian's Chromium opening /app/ in a fresh profile (zh-CN, phone
viewport) until the app has drawn its sign-in screen: the page's requests by category (the
worker's own fetches as it installs are counted apart, from its list).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import sys
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from served_tree import ROOT, served  # noqa: E402

from webapp.demo import DEMO_PASSWORD  # noqa: E402

ENCODINGS = ("identity", "gzip", "br")
CLIENT_ID = "5d0f7e9e-6a3c-4a8e-9a57-1f0d2b0a3c11"
CHROMIUM = "/usr/bin/chromium"
QR = "QR decoder (loaded when scanning)"


def category(path: str) -> str:
    if path.startswith("/app/i18n/"):
        return "translations"
    if "/vendor/" in path:
        return QR
    if "/icons/" in path:
        return "icons"
    if path.endswith(".css"):
        return "CSS"
    if path.endswith(".js") and path != "/app/sw.js":
        return "app JS"
    if path.startswith("/api/"):
        return "API"
    return "shell, manifest, contract"


class Http:
    """http.client against one served app, with its cookies (bodies as sent, not decoded)."""

    def __init__(self, base: str):
        self.host = urlsplit(base).netloc
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, body=None, **headers) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.host, timeout=60)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, payload

    def sizes(self, path: str) -> dict[str, int]:
        found = {}
        for encoding in ENCODINGS:
            status, body = self.send("GET", path, **{"Accept-Encoding": encoding})
            assert status == 200, (path, status)
            found[encoding] = len(body)
        return found

    def signs_in(self) -> None:
        _status, body = self.send("GET", "/api/auth/csrf")
        token = json.loads(body)["csrf_token"]
        status, body = self.send(
            "POST",
            "/api/auth/sign-in",
            body={"username": "engineer", "password": DEMO_PASSWORD},
            **{"X-CSRF-Token": token},
        )
        assert status == 200, body


def measure_sizes(base: str) -> dict:
    client = Http(base)
    _status, worker = client.send("GET", "/app/sw.js")
    urls = json.loads(re.search(rb"const PRECACHE = (\[.*?\]);", worker)[1])
    client.signs_in()
    _status, shell = client.send("GET", "/app/", **{"Accept-Language": "zh-CN"})
    named = re.findall(rb'href="(/app/i18n/[^"]+\.json)"', shell)
    languages = [u.decode() for u in named if u.decode() not in urls]
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ENCODINGS, 0))
    for url in urls + languages:
        for encoding, n in client.sizes(url).items():
            totals[category(url)][encoding] += n
    page = client.sizes(f"/api/sync/pull?client_id={CLIENT_ID}&limit=500")
    translations = sum(1 for u in urls + languages if u.startswith("/app/i18n/"))
    return {
        "totals": dict(totals),
        "files": len(urls + languages),
        "languages": translations,
        "pull": page,
    }


READ_LOAD = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return [nav, ...performance.getEntriesByType('resource')].map((r) => ({
    path: new URL(r.name).pathname, bytes: r.transferSize,
  }));
}"""


def measure_cold_load(base: str, chromium) -> dict:
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(f"{base}/app/")
    page.get_by_test_id("sign-in").wait_for(timeout=60_000)
    page.wait_for_load_state("networkidle")
    rows = page.evaluate(READ_LOAD)
    context.close()
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[category(row["path"])] += 1
    return {
        "counts": dict(counts),
        "requests": len(rows),
        "not_api": sum(n for name, n in counts.items() if name != "API"),
    }


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--baseline",
        action="append",
        default=[],
        type=Path,
        help="another tree of the code, e.g. a git archive of main",
    )
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    trees = [("this", ROOT)] + [(str(p), p) for p in args.baseline]
    results: dict[str, dict] = {}
    chromium = playwright = None
    if not args.skip_browser:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless"])
    try:
        for name, tree in trees:
            print(f"measuring {tree}", file=sys.stderr)
            with served(tree) as base:
                results[name] = measure_sizes(base)
                if chromium:
                    results[name]["load"] = measure_cold_load(base, chromium)
    finally:
        if playwright:
            chromium.close()
            playwright.stop()

    for name, found in results.items():
        totals = found["totals"]
        print(
            f"== {name}: the worker keeps {found['files']} files"
            f" ({found['languages']} translation file(s))"
        )
        print(f"{'':36} {'plain':>10} {'gzip':>10} {'brotli':>10}")
        for group, row in sorted(totals.items()):
            print(f"{group:36} " + " ".join(f"{kb(row[e]):>10}" for e in ENCODINGS))
        critical = {e: sum(r[e] for g, r in totals.items() if g != QR) for e in ENCODINGS}
        row = " ".join(f"{kb(critical[e]):>10}" for e in ENCODINGS)
        print(f"{'all but the QR decoder':36} {row}")
        page = found["pull"]
        print(
            f"pull page of 500 (demo engineer): plain {kb(page['identity'])}, "
            f"gzip {kb(page['gzip'])} ({page['identity'] / page['gzip']:.1f}x smaller), "
            f"brotli {kb(page['br'])} ({page['identity'] / page['br']:.1f}x smaller)"
        )
        if "load" in found:
            load = found["load"]
            parts = ", ".join(f"{g} {n}" for g, n in sorted(load["counts"].items()))
            print(f"cold first load of /app/: {load['not_api']} requests besides the API ({parts})")
    if len(results) > 1:
        this = results["this"]

        def gzip_total(found):
            return sum(r["gzip"] for g, r in found["totals"].items() if g != QR)

        for name, found in list(results.items())[1:]:
            line = (
                f"shell_gzip_vs_{Path(name).name}: {gzip_total(this) / gzip_total(found):.2f}x"
                f" ({kb(gzip_total(this))} vs {kb(gzip_total(found))})"
            )
            if "load" in this and "load" in found:
                line += (
                    f"; cold first load requests {this['load']['not_api']}"
                    f" vs {found['load']['not_api']}"
                )
            print(line)


if __name__ == "__main__":
    main()
