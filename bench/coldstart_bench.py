"""Offline cold start: how long the installed app takes to show the site tiles with the network
off, against the moment the same navigation's document was ready (the shell comes from the
service worker's cache, so that moment is what a blank page served by the worker costs).

    .venv/bin/python bench/coldstart_bench.py            # 9 cold starts, 4x CPU throttle
    .venv/bin/python bench/coldstart_bench.py --runs 15 --throttle 1
    .venv/bin/python bench/coldstart_bench.py --baseline /tmp/main-tree   # a git archive of main

Each tree of the code (this checkout and any `--baseline`) is served with the demo seeded into a
fresh SQLite file, by werkzeug on 127.0.0.1 in a process of its own (bench/served_tree.py); in
one Debian Chromium, a page per tree signs in as the demo engineer, lets the app install its
worker and pull, then goes offline, and the pages reload the app in turn, `--runs` times each
side. Each run reads, in the page: `domInteractive` of the navigation (document parsed; scripts
not yet run), the moment the first site tile is in the DOM, how many scripts and translation
files arrived and when the last of them did. The figure is the ratio of the medians, tiles over
document.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from served_tree import ROOT, served  # noqa: E402
from sync_bench import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from webapp.demo import DEMO_PASSWORD  # noqa: E402

READ = r"""async () => {
  const nav = performance.getEntriesByType('navigation')[0];
  const loaded = performance.getEntriesByType('resource');
  const modules = loaded.filter((r) => /\/static\/(js|dist)\/.*\.js$/.test(r.name));
  const catalogues = loaded.filter((r) => r.name.includes('/app/i18n/'));
  const end = (rows) => rows.length ? Math.max(...rows.map((r) => r.responseEnd)) : 0;
  const entries = (type) => new Promise((resolve) => {
    const seen = [];
    const observer = new PerformanceObserver((list) => seen.push(...list.getEntries()));
    try {
      observer.observe({ type, buffered: true });
    } catch (error) {
      resolve([]);
      return;
    }
    setTimeout(() => { observer.disconnect(); resolve(seen); }, 50);
  });
  const lcps = await entries('largest-contentful-paint');
  const tasks = window.__longTasks.map(([startTime, duration]) => ({ startTime, duration }));
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const fcpAt = fcp ? fcp.startTime : 0;
  // Total blocking time as Lighthouse counts it: each long task's time over 50 ms, from the
  // first contentful paint until the app is ready (interactive).
  const tbt = tasks
    .filter((e) => e.startTime + e.duration > fcpAt && e.startTime < window.__readyAt)
    .reduce((sum, e) => sum + Math.max(0, e.duration - 50), 0);
  const marks = Object.fromEntries(performance.getEntriesByType('mark')
    .filter((m) => m.name.startsWith('rounds:')).map((m) => [m.name.slice(7), m.startTime]));
  return {
    marks,
    document: nav.domInteractive, tiles: window.__tilesAt, ready: window.__readyAt,
    modules: modules.length, modules_done: end(modules),
    catalogues: catalogues.length, catalogue_done: end(catalogues),
    fcp: fcpAt, lcp: lcps.length ? lcps[lcps.length - 1].startTime : 0, tbt,
  };
}"""

# Installed before the page's own scripts (an init script): notes the moment the first tile is
# in the DOM (a kept picture of home, boot.js, counts) and the moment the app itself has drawn
# home (the view no longer the picture), as mutations happen, not when a poll comes round.
WATCH = """(() => {
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask' });
  } catch (error) {
    // no long task timing in this browser: TBT reads 0
  }
  const look = () => {
    const view = document.getElementById('view');
    if (!view || !view.querySelector('[data-testid=site-tile]')) return;
    window.__tilesAt = window.__tilesAt || performance.now();
    if (!view.dataset.snapshot && !window.__readyAt) window.__readyAt = performance.now();
  };
  new MutationObserver(look).observe(document, {
    childList: true, subtree: true, attributes: true, attributeFilter: ['data-snapshot'],
  });
})()"""

READY = "() => Boolean(window.__readyAt && window.__rounds)"

FORGET_SNAPSHOT = "() => localStorage.removeItem('rounds.home')"


def installed(browser, base: str, throttle: float):
    """A phone with the app installed and synced, offline, its CPU slowed down."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    page = context.new_page()
    page.add_init_script(WATCH)
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
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU slow-down factor")
    parser.add_argument(
        "--baseline", action="append", default=[], type=Path, help="another tree of the code"
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    trees = [("this", ROOT)] + [(p.name, p) for p in args.baseline]
    runs: dict[tuple[str, str], list[dict]] = {}
    with ExitStack() as stack:
        bases = {name: stack.enter_context(served(tree)) for name, tree in trees}
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {name: installed(browser, base, args.throttle) for name, base in bases.items()}
        for i in range(args.runs + 1):
            for name, page in pages.items():  # interleaved: tree by tree, side by side
                for side in ("kept picture", "no picture"):
                    if side == "no picture":
                        page.evaluate(FORGET_SNAPSHOT)
                    page.goto(f"{bases[name]}/app/", wait_until="commit")
                    page.wait_for_function(READY, timeout=60_000)
                    page.wait_for_timeout(300)  # the picture for the next start is kept when idle
                    if i:  # the first round warms the worker and the disk cache
                        runs.setdefault((name, side), []).append(page.evaluate(READ))
        browser.close()

    for (name, side), rows in runs.items():

        def median(key: str, rows=rows) -> float:
            return statistics.median(r[key] for r in rows)

        document, tiles, ready = median("document"), median("tiles"), median("ready")
        print(
            f"offline_cold_start_tiles_vs_document ({name}, {side}): {tiles / document:.2f}x "
            f"(tiles {tiles:.0f} ms, document {document:.0f} ms; the app's own home"
            f" {ready:.0f} ms, {ready / document:.2f}x; medians of {len(rows)},"
            f" CPU {args.throttle:g}x slower)"
        )
        print(
            f"  FCP {median('fcp'):.0f} ms, LCP {median('lcp'):.0f} ms, TBT {median('tbt'):.0f} ms;"
            f" scripts: {rows[-1]['modules']} through the worker, the last at"
            f" {median('modules_done'):.0f} ms; translation files: {rows[-1]['catalogues']},"
            f" the last at {median('catalogue_done'):.0f} ms"
        )
        names = [m for m in rows[-1]["marks"] if all(m in r["marks"] for r in rows)]
        if names:
            steps = ", ".join(
                f"{m} {statistics.median(r['marks'][m] for r in rows):.0f}" for m in names
            )
            print(f"  the app's start (marks, ms): {steps}")


if __name__ == "__main__":
    main()
