"""Offline cold start: how long the installed app takes to show the site tiles with the network
off, against the moment the same navigation's document was ready (the shell comes from the
service worker's cache, so that moment is what a blank page served by the worker costs).

    .venv/bin/python bench/coldstart_bench.py            # 9 cold starts, 4x CPU throttle
    .venv/bin/python bench/coldstart_bench.py --runs 15 --throttle 1

The demo is seeded into a fresh SQLite file and served by werkzeug on 127.0.0.1; Debian's
Chromium signs in as the demo engineer, lets the app install its worker and pull, then goes
offline and reloads the app `--runs` times. Each run reads, in the page: `domInteractive` of the
navigation (document parsed; scripts not yet run), the moment the first site tile is in the DOM,
how many module scripts and translation files arrived and when the last of them did. The figure
is the ratio of the medians, tiles over document.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync_bench import CHROMIUM, CHROMIUM_ARGS, Server, fresh_app  # noqa: E402

from webapp.db import write_transaction  # noqa: E402
from webapp.demo import DEMO_PASSWORD, seed_demo  # noqa: E402

READ = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const loaded = performance.getEntriesByType('resource');
  const modules = loaded.filter((r) => r.name.includes('/static/js/'));
  const catalogues = loaded.filter((r) => r.name.includes('/app/i18n/'));
  const end = (rows) => rows.length ? Math.max(...rows.map((r) => r.responseEnd)) : 0;
  return {
    document: nav.domInteractive, tiles: window.__tilesAt,
    modules: modules.length, modules_done: end(modules),
    catalogues: catalogues.length, catalogue_done: end(catalogues),
  };
}"""

TILES = """() => {
  if (document.querySelector('[data-testid=site-tile]')) {
    window.__tilesAt = window.__tilesAt || performance.now();
    return true;
  }
  return false;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU slow-down factor")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        app, _path = fresh_app(Path(tmp))
        with app.app_context(), write_transaction():
            seed_demo()
        with Server(app) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
            )
            page = context.new_page()
            base = f"http://127.0.0.1:{server.port}"
            page.goto(f"{base}/sign-in")
            form = page.locator("form", has=page.locator("input[name=password]"))
            form.locator("input[name=username]").fill("engineer")
            form.locator("input[name=password]").fill(DEMO_PASSWORD)
            with page.expect_navigation():
                form.locator("button[type=submit]").click()
            page.goto(f"{base}/app/")
            page.wait_for_function(
                "() => window.__rounds && window.__rounds.state().lastSyncAt"
                " && !window.__rounds.state().syncing",
                timeout=120_000,
            )
            page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            context.set_offline(True)
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.throttle})
            rows = []
            for i in range(args.runs + 1):
                page.goto(f"{base}/app/", wait_until="commit")
                page.wait_for_function(TILES, polling="raf", timeout=60_000)
                if i:  # the first one warms the worker and the disk cache
                    rows.append(page.evaluate(READ))
            browser.close()

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    document, tiles = median("document"), median("tiles")
    print(
        f"offline_cold_start_tiles_vs_document: {tiles / document:.2f}x "
        f"(tiles {tiles:.0f} ms, document {document:.0f} ms; medians of {len(rows)}, "
        f"CPU {args.throttle:g}x slower)"
    )
    print(
        f"  modules: {rows[-1]['modules']} through the worker, the last at "
        f"{median('modules_done'):.0f} ms; translation files: {rows[-1]['catalogues']}, "
        f"the last at {median('catalogue_done'):.0f} ms"
    )


if __name__ == "__main__":
    main()
