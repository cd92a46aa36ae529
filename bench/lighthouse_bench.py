"""Lighthouse (mobile) on the signed-in app, the sign-in page and the office's first page.

    .venv/bin/python bench/lighthouse_bench.py                 # 3 runs of each page, medians
    .venv/bin/python bench/lighthouse_bench.py --runs 1 --pages app

The audit tool comes from the npm registry, pinned in bench/lighthouse/package-lock.json and
installed on first use with `npm ci --prefix bench/lighthouse` (the only step that needs the
network; the project's own package.json stays as it is). The demo is seeded into a fresh SQLite
file and served by werkzeug on 127.0.0.1. Debian's Chromium is started headless with a remote
debugging port; Playwright signs in through that same browser, as a person would (so the app's
service worker is installed and its first pull done), then lets go of it, and the tool's CLI
audits each page through `--port` with its default mobile preset (simulated slow 4G, 4x CPU),
keeping the browser's storage (`--disable-storage-reset`): cookies, the worker and its cache;
`--first-visit` lets the tool empty it first (all but the cookies), as a first visit after
signing in on the server's page.

Printed per page: the median of each category's score over the runs, the median FCP, LCP, TBT,
CLS and Speed Index, the tool's benchmark index of the host, the failing audits (score below
0.9; those that weigh in a score apart from the performance diagnostics that do not) with how
many runs failed them. `--pages all` adds the app's other screens and some office lists.
The JSON reports are kept in /tmp/lighthouse-bench/. The installed release (12.x) no longer has a
PWA category; for /app/ the bench asks the browser itself whether the app is installable (the
check the old category made) and whether the worker controls the page.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync_bench import CHROMIUM, CHROMIUM_ARGS, Server, fresh_app  # noqa: E402

from webapp.db import write_transaction  # noqa: E402
from webapp.demo import DEMO_PASSWORD, seed_demo  # noqa: E402

TOOL_DIR = Path(__file__).resolve().parent / "lighthouse"
TOOL = TOOL_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
REPORTS = Path(tempfile.gettempdir()) / "lighthouse-bench"
CATEGORIES = ("performance", "accessibility", "best-practices")
METRICS = {
    "first-contentful-paint": ("FCP", "ms"),
    "largest-contentful-paint": ("LCP", "ms"),
    "total-blocking-time": ("TBT", "ms"),
    "cumulative-layout-shift": ("CLS", ""),
    "speed-index": ("SI", "ms"),
}
# page name -> (path, who is signed in; None: nobody). "{site}" and "{equipment}": the first
# site tile of the engineer's home and the first equipment row of that site.
PAGES = {
    "sign-in": ("/sign-in", None),
    "app-sign-in": ("/app/", None),
    "app": ("/app/", "engineer"),
    "office": ("/office/", "dispatcher"),
}
# The app's and the office's other screens, audited on request (--pages all, or by name).
VIEWS = {
    "app-site": ("/app/#/sites/{site}", "engineer"),
    "app-equipment": ("/app/#/equipment/{equipment}", "engineer"),
    "app-equipment-edit": ("/app/#/equipment/{equipment}/edit", "engineer"),
    "app-outbox": ("/app/#/outbox", "engineer"),
    "app-settings": ("/app/#/settings", "engineer"),
    "app-leave": ("/app/#/leave", "engineer"),
    "app-leave-new": ("/app/#/leave/new", "engineer"),
    "office-sites": ("/office/sites", "dispatcher"),
    "office-equipment": ("/office/equipment", "dispatcher"),
    "office-faults": ("/office/faults", "dispatcher"),
    "office-checkins": ("/office/checkins", "dispatcher"),
    "office-leave": ("/office/leave", "dispatcher"),
}
ALL = {**PAGES, **VIEWS}
# Run in this order: the signed-out pages first (a fresh profile), each person signed in once.
ORDER = ["sign-in", "app-sign-in", "app", *VIEWS]
ORDER.insert(ORDER.index("office-sites"), "office")


def ensure_tool() -> None:
    if not TOOL.exists():
        print("installing the audit tool: npm ci --prefix bench/lighthouse", file=sys.stderr)
        npm = shutil.which("npm") or "npm"
        command = [npm, "ci", "--prefix", str(TOOL_DIR), "--no-audit", "--no-fund"]
        subprocess.run(command, check=True)  # noqa: S603 - fixed arguments


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_devtools(port: int) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("Chromium did not open its debugging port")


def sign_in(cdp_url: str, base: str, username: str | None) -> tuple[dict, dict]:
    """Through the running browser: forget any session, sign `username` in and, for the app,
    wait for its worker and first pull. Returns the app's installability facts and the ids the
    app's screens are audited with (both empty unless the engineer signs in)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.connect_over_cdp(cdp_url)
        context = browser.contexts[0]  # the default profile, the one the audit's tab opens in
        context.clear_cookies()
        if username is None:
            browser.close()
            return {}, {}
        page = context.new_page()
        page.goto(f"{base}/sign-in")
        form = page.locator("form", has=page.locator("input[name=password]"))
        form.locator("input[name=username]").fill(username)
        form.locator("input[name=password]").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        facts, ids = {}, {}
        if username == "engineer":
            page.goto(f"{base}/app/")
            page.wait_for_function(
                "() => window.__rounds && window.__rounds.state().lastSyncAt"
                " && !window.__rounds.state().syncing",
                timeout=120_000,
            )
            page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            page.reload()
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            cdp = context.new_cdp_session(page)
            errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            manifest = cdp.send("Page.getAppManifest")
            facts = {
                "installability errors": [e["errorId"] for e in errors] or "none",
                "manifest": manifest.get("url", "").replace(base, "")
                + (" (parsed)" if not manifest.get("errors") else f" {manifest['errors']}"),
                "worker controls /app/ after sign-in": page.evaluate(
                    "() => navigator.serviceWorker.controller !== null"
                ),
            }
            first = "(s) => decodeURIComponent(document.querySelector(s).hash.split('/').pop())"
            ids["site"] = page.evaluate(first, "[data-testid=site-tile]")
            page.goto(f"{base}/app/#/sites/{ids['site']}")
            page.wait_for_selector("[data-testid=equipment-row]")
            ids["equipment"] = page.evaluate(first, "[data-testid=equipment-row]")
        page.close()
        browser.close()  # over CDP: lets go of the browser, which keeps running
        return facts, ids


def audit(port: int, url: str, out: Path, first_visit: bool) -> dict:
    command = [
        shutil.which("node") or "node",
        str(TOOL),
        url,
        f"--port={port}",
        "--hostname=127.0.0.1",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--no-enable-error-reporting",
        "--quiet",
    ]
    if not first_visit:  # else the tool empties the worker, its cache and storage (not cookies)
        command.append("--disable-storage-reset")
    env = {**os.environ, "NO_UPDATE_NOTIFIER": "1", "CI": "1"}
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    return json.loads(out.read_text(encoding="utf-8"))


def summarise(name: str, reports: list[dict]) -> None:
    runs = len(reports)
    print(f"{name} ({reports[0]['finalDisplayedUrl']}, {runs} runs, medians):")
    for category in CATEGORIES:
        scores = [r["categories"][category]["score"] for r in reports]
        print(f"  {category}: {statistics.median(scores):.2f}  (runs: {scores})")
    figures = []
    for audit_id, (label, unit) in METRICS.items():
        value = statistics.median(r["audits"][audit_id]["numericValue"] for r in reports)
        figures.append(f"{label} {value:.0f} {unit}" if unit else f"{label} {value:.3f}")
    # The tool's own measure of the host's CPU speed (higher is faster; the simulation's 4x
    # slow-down is calibrated for about 1000 and up): a shared machine shows here.
    speed = [round(r["environment"]["benchmarkIndex"]) for r in reports]
    print("  " + ", ".join(figures) + f"; host benchmark index {speed}")
    failing: dict[str, int] = {}  # audits that weigh in a category's score
    hints: dict[str, int] = {}  # the performance diagnostics and insights (no weight)
    for report in reports:
        for category in CATEGORIES:
            for ref in report["categories"][category]["auditRefs"]:
                result = report["audits"][ref["id"]]
                if result["score"] is not None and result["score"] < 0.9:
                    into = failing if ref["weight"] > 0 else hints
                    into[ref["id"]] = into.get(ref["id"], 0) + 1

    def listed(found: dict[str, int]) -> str:
        return ", ".join(f"{k} ({v}/{runs})" for k, v in sorted(found.items())) or "none"

    print(f"  failing audits: {listed(failing)}")
    print(f"  diagnostics flagged: {listed(hints)}")
    for warning in sorted({w for r in reports for w in r.get("runWarnings", [])}):
        print(f"  warning: {warning}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help=f"'all' or comma-separated, of {', '.join(ALL)}",
    )
    parser.add_argument(
        "--first-visit",
        action="store_true",
        help="let the tool empty the origin's storage before each run: no worker, no cache,"
        " no local data (the session cookie stays), as the first visit after signing in",
    )
    args = parser.parse_args()
    wanted = ALL if args.pages == "all" else [name.strip() for name in args.pages.split(",")]
    unknown = set(wanted) - set(ALL)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    pages = [name for name in ORDER if name in wanted]
    ensure_tool()
    REPORTS.mkdir(exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        app, _path = fresh_app(Path(tmp) / "data")
        with app.app_context(), write_transaction():
            seed_demo()
        port = free_port()
        chromium = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                CHROMIUM,
                *CHROMIUM_ARGS,
                f"--remote-debugging-port={port}",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                "--lang=zh-CN",
                "--accept-lang=zh-CN",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_devtools(port)
            with Server(app) as server:
                base = f"http://127.0.0.1:{server.port}"
                signed_in, facts, ids = "", {}, {}
                for name in pages:
                    path, who = ALL[name]
                    if who != signed_in or who is None:
                        facts, ids = sign_in(f"http://127.0.0.1:{port}", base, who)
                        signed_in = who
                    url = base + path.format(**ids)
                    out = [REPORTS / f"{name}-{i + 1}.json" for i in range(args.runs)]
                    reports = [audit(port, url, path, args.first_visit) for path in out]
                    summarise(name, reports)
                    if name == "app":
                        for key, value in facts.items():
                            print(f"  {key}: {value}")
        finally:
            chromium.terminate()
            chromium.wait(timeout=10)
    print(f"JSON reports: {REPORTS}/")


if __name__ == "__main__":
    if shutil.which("node") is None:
        raise SystemExit("the audit tool needs Node.js (node and npm on PATH)")
    main()
