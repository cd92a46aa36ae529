"""Answering a 100-item round on a phone: time from the tap to the answer stored, in Chromium.

    .venv/bin/python bench/round_bench.py [--items N] [--profile N] [--serve URL=FILE ...]
                                          [--compare]

Builds a temporary app with a 100-item round template (10 items, a section of 8 items for each
of 10 devices, 10 closing items; checks, choices, measurements, counts and texts), signs an
engineer in on a phone-sized headless Chromium with a profile on disk, lets the app sync, goes
offline and starts the round from the due list. Then, with the CPU throttled 4x, it answers the
100 items one by one the way an engineer does (a tap on the answer button; for value items the
value is typed first and the Tab that leaves the field is what saves it) and measures, in the
page, from the tap's event to the outbox's 'change' event (fired once the edit's transaction
has committed, durability strict). Interleaved with the taps, in the same page, it times a bare
IndexedDB put of a comparable record (one put per strict transaction, into a store of its own
database), and the same put started by a real tap on a plain button of its own (what any write
a tap starts costs in this browser: the frame the tap asks for is drawn first). It prints one
line with the medians and the ratios; then does the same for a second round without
throttling. `--profile N` instead traces N taps (Chromium's own trace) and prints on stderr
where a tap's time goes. `--serve /static/js/db.js=/tmp/db.js` answers a URL with another
file, to try a change in a scratch copy; with `--compare` the app as it is runs too, in a second
page, the two answering their items alternately. See bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import CDPSession, Page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sync_bench import CHROMIUM, CHROMIUM_ARGS, Server, fresh_app, log, workdir  # noqa: E402
from tests import factories  # noqa: E402
from webapp.checklists import operations as checklists  # noqa: E402
from webapp.checklists.schedules import create_schedule  # noqa: E402
from webapp.extensions import db  # noqa: E402

TARGET = 3.0  # a tap's answer stored in at most three times a bare strict put
DEVICES = 10  # devices of the repeated section at each of the two rooms
PHONE = {  # as the `phone` fixture of tests/browser/conftest.py
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
    ),
}


# --- the template: 100 entries of mixed kinds -------------------------------------------------


def t(zh: str, en: str) -> dict:
    return {"zh_Hans": zh, "zh_Hant": zh, "en": en}


CHECKS = [
    ("look", "外观是否完好，有无破损、变形、锈蚀", "Casing intact, no damage or rust"),
    ("listen", "运行声音是否正常，有无异响、啸叫", "Running sound normal, no noise or howling"),
    ("smell", "有无焦糊、异味", "No burning or strange smell"),
    ("touch", "机身温度是否正常，接头有无松动", "Casing temperature normal, connectors tight"),
    ("function", "开机自检通过，各通道输出正常", "Self-test passes, every channel outputs"),
]


def make_item(key: str, n: int, kind: str) -> dict:
    if kind == "check":
        sense, zh, en = CHECKS[n % len(CHECKS)]
        return {
            "key": key,
            "kind": "check",
            "sense": sense,
            "label": t(zh, en),
            "abnormal_requires": ["note"],
        }
    if kind == "choice":
        options = [
            {"key": "ok", "label": t("正常", "Normal")},
            {"key": "degraded", "label": t("性能下降", "Degraded")},
            {"key": "down", "label": t("不工作", "Not working")},
        ]
        return {
            "key": key,
            "kind": "choice",
            "label": t("指示灯状态", "Indicator lights"),
            "options": options,
            "abnormal_options": ["degraded", "down"],
            "abnormal_requires": ["note"],
        }
    if kind == "measurement":
        return {
            "key": key,
            "kind": "measurement",
            "label": t("供电电压", "Supply voltage"),
            "unit": "V",
            "nominal": 220,
            "tolerance": 11,
        }
    if kind == "count_pair":
        return {
            "key": key,
            "kind": "count_pair",
            "label": t("检查接头有没有松动、接触不良", "Check connectors for looseness"),
            "counts": [
                {"key": "checked", "label": t("检查（个）", "Checked")},
                {"key": "handled", "label": t("处理（个）", "Handled")},
            ],
            "abnormal_if": "handled",
        }
    assert kind == "text", kind
    return {
        "key": key,
        "kind": "text",
        "label": t("固件版本", "Firmware version"),
        "multiline": False,
    }


HOST = ["check", "check", "measurement", "check", "choice", "check", "count_pair", "check",
        "text", "check"]  # fmt: skip
TERMINAL = ["check", "check", "choice", "check", "measurement", "check", "count_pair", "check"]
CLOSING = ["check", "count_pair", "check", "text", "check", "choice", "check", "measurement",
           "check", "check"]  # fmt: skip


def content() -> dict:
    def section(key: str, zh: str, en: str, kinds: list[str], **extra) -> dict:
        items = [make_item(f"{key}.{i + 1}", i, kind) for i, kind in enumerate(kinds)]
        return {"key": key, "title": t(zh, en), "items": items, **extra}

    return {
        "title": t("音视频系统日常巡检", "Daily AV round"),
        "form": "round",
        "sections": [
            section("host", "主机/服务器", "Hosts", HOST),
            section("terminal", "终端设备", "Terminals", TERMINAL, repeat="equipment"),
            section("closing", "机房与收尾", "Room and closing", CLOSING),
        ],
    }


DEVICE_NAMES = ("无线话筒接收机", "功放", "激光投影机", "中控主机", "核心交换机")


def seed() -> None:
    """An engineer at a site with two rooms of 10 devices each (and a room of 30 more), and a
    daily round of the template at each of the two rooms."""
    client = factories.create_client(
        "会议中心",
        contact_name="王经理",
        contact_phone="021-6888 1234",
        address="浦东新区世纪大道 1 号",
    )
    site = factories.create_site(client, "主楼", address="浦东新区世纪大道 1 号")
    engineer = factories.create_user("engineer", "bench-eng", display_name="李工")
    factories.assign(engineer, site)
    rooms = [factories.create_location(site, name) for name in ("音控机房", "多功能厅", "网络间")]
    for r, room in enumerate(rooms):
        for i in range(DEVICES if r < 2 else 30):
            factories.create_equipment(
                site,
                room,
                name=f"{DEVICE_NAMES[i % 5]} {i + 1}号",
                code=f"AV-{r}{i:03d}",
                system=("audio", "audio", "video", "central_control", "network")[i % 5],
                brand=("Shure", "Yamaha", "Sony", "Crestron", "Huawei")[i % 5],
                serial_number=f"SN{r}{i:06d}",
            )
    template = checklists.create_template(
        actor=None, key="bench-round", form="round", title=content()["title"], content=content()
    )
    checklists.publish(checklists.draft_version(template), actor=None)
    for room in rooms[:2]:
        create_schedule(
            actor=None,
            data={
                "template_id": template.id,
                "site_id": site.id,
                "location_id": room.id,
                "frequency": "daily",
            },
        )


# --- in the page ------------------------------------------------------------------------------

# Installed into the app's page (a function: the app's CSP forbids eval). Taps are measured from
# a capturing listener on the document ('click', or 'change' for a typed value) to the Outbox's
# 'change' event, which commitInOrder dispatches once db.commitEdit resolved, i.e. after the
# transaction's complete event. The outbox is reached through the app's test hook:
# window.__rounds.sync.outbox. Both moments are also performance marks, for --profile.
INSTALL_JS = r"""
async () => {
  if (window.__bench) return true;
  const outbox = window.__rounds.sync.outbox;
  const bench = { armed: null, current: null, conn: null };
  window.__bench = bench;
  const start = (event) => {
    const armed = bench.armed;
    if (!armed || armed.t0 !== null) return;
    if (!(event.target instanceof Element) || !event.target.closest('article.round-item')) return;
    armed.t0 = performance.now();
    armed.stamp = event.timeStamp; // when the input event was made (before it was dispatched)
    armed.how = event.type;
    performance.mark('bench-tap');
  };
  document.addEventListener('click', start, true);
  document.addEventListener('change', start, true);
  outbox.addEventListener('change', () => {
    const armed = bench.armed;
    if (!armed || armed.t0 === null) return;
    armed.t1 = performance.now();
    performance.mark('bench-stored');
    bench.armed = null;
    armed.resolve();
  }, { capture: true });

  bench.arm = () => {
    const armed = { t0: null, t1: null, stamp: null, how: null };
    armed.done = new Promise((resolve) => { armed.resolve = resolve; });
    bench.armed = armed;
    bench.current = armed;
    return true;
  };
  bench.stored = async () => {
    const armed = bench.current;
    if (!armed) return null;
    await armed.done;
    bench.current = null;
    return { ms: armed.t1 - armed.t0, queued: armed.t0 - armed.stamp, how: armed.how };
  };
  // Let the app finish what the tap started after storing (progress, sync bar) and go idle.
  bench.settle = () => new Promise((resolve) => setTimeout(
    () => requestIdleCallback(() => resolve(true), { timeout: 1000 }), 60));

  // The bare side: a database of its own, one put per transaction, durability strict, awaiting
  // complete; the record is shaped as db.js stores an answer.
  const request = (req) => new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  await request(indexedDB.deleteDatabase('bench-bare'));
  const open = indexedDB.open('bench-bare', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('records',
    { keyPath: ['user_id', 'entity', 'id'] });
  bench.conn = await request(open);
  bench.context = {};
  const put = () => {
    const { userId, roundId, siteId } = bench.context;
    const id = crypto.randomUUID();
    const local = { status: 'normal', value: null, note: '', photos: [],
      answered_at: new Date().toISOString(), round_id: roundId, item_key: 'bench', id };
    const rec = { user_id: userId, entity: 'answer', id, version: 0, server: null,
      server_deleted: false, local, site_id: siteId, parent_id: roundId, pending: 1 };
    const t0 = performance.now();
    const tx = bench.conn.transaction(['records'], 'readwrite', { durability: 'strict' });
    tx.objectStore('records').put(rec);
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve({ ms: performance.now() - t0, durability: tx.durability });
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  };
  bench.bare = () => put();

  // The same put from a real tap, on a plain button of its own: no screen to redraw but the
  // button's, but a tap all the same (the browser answers input before anything else).
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'bench';
  button.dataset.testid = 'bench-put';
  for (const [k, v] of Object.entries({ position: 'fixed', right: '4px', top: '60px',
    'z-index': '99', opacity: '0.6' })) button.style.setProperty(k, v);
  document.body.append(button);
  button.addEventListener('click', () => { bench.tapped = put(); });
  bench.tappedPut = () => bench.tapped;
  return true;
}
"""


# --- driving the app --------------------------------------------------------------------------


def answer_action(card):
    """What the engineer does for one item: returns (prepare, tap), prepare untimed."""
    if card.locator("input[data-count]").count():
        counts = card.locator("input[data-count]")

        def prepare():
            counts.nth(0).fill("4")
            counts.nth(1).fill("0")

        return prepare, partial(counts.nth(1).press, "Tab")
    for field, value in (("reading", "221.6"), ("text", "V3.2.7 build 0412")):
        box = card.locator(f"input[data-field={field}]")
        if box.count():
            return partial(box.fill, value), partial(box.press, "Tab")
    option = card.locator("button[data-option=ok]")
    if option.count():
        return None, option.click
    return None, card.locator("button[data-status=normal]").click


def start_round(page) -> str:
    """Start the first round due from the due list; returns its id."""
    page.get_by_test_id("due-list").wait_for()
    page.get_by_test_id("due-due").first.click()
    page.get_by_test_id("round").wait_for()
    return page.evaluate("() => decodeURIComponent(location.hash.split('/')[2])")


def round_context(page) -> dict:
    """The round on screen, its user and site, given to the bare side's records."""
    round_id = page.evaluate("() => decodeURIComponent(location.hash.split('/')[2])")
    user_id = page.evaluate("async () => (await window.__rounds.db.getMeta('session')).id")
    site_id = page.evaluate(
        "async (a) => (await window.__rounds.db.record(a[0], 'round', a[1])).local.site_id",
        [user_id, round_id],
    )
    context = {"userId": user_id, "roundId": round_id, "siteId": site_id}
    page.evaluate("(c) => { window.__bench.context = c; return true; }", context)
    return context


def tap_item(page, key: str) -> dict:
    """Answer one item as the engineer does; the tap (or the Tab after typing) is timed."""
    card = page.locator(f"article[data-key='{key}']")
    card.scroll_into_view_if_needed()
    prepare, tap = answer_action(card)
    if prepare:
        prepare()
    page.evaluate("() => window.__bench.settle()")
    page.evaluate("() => window.__bench.arm()")
    tap()
    res = page.evaluate("() => window.__bench.stored()")
    if res is None:
        raise SystemExit(f"item {key} was not stored")
    page.evaluate("() => window.__bench.settle()")
    return {**res, "key": key}


def bare_put(page) -> dict:
    res = page.evaluate("() => window.__bench.bare()")
    page.evaluate("() => window.__bench.settle()")
    return res


def tapped_put(page) -> dict:
    page.get_by_test_id("bench-put").click()
    res = page.evaluate("() => window.__bench.tappedPut()")
    page.evaluate("() => window.__bench.settle()")
    return res


@dataclass
class Phone:
    """One page of the app: `label` names what it serves differently, if anything."""

    label: str
    page: Page
    cdp: CDPSession


def measure_rounds(phones: list[Phone], *, rate: int, items: int) -> list[dict]:
    """Answer every item of the round on each phone's screen with the CPU throttled `rate`
    times; before, between or after each tap (in turn), a bare put and the same put from a tap
    on a button. With two phones their items are answered alternately, so that both see the
    same machine; only the page being tapped is throttled (a throttled page burns CPU even when
    idle)."""
    rounds = []
    for phone in phones:
        cards = phone.page.get_by_test_id("round-item")
        keys = [cards.nth(i).get_attribute("data-key") for i in range(cards.count())][:items]
        rounds.append((round_context(phone.page), keys))
        phone.cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
        for _ in range(3):  # warm the bare sides; the app's path was warmed by starting the round
            bare_put(phone.page)
            tapped_put(phone.page)
        phone.cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    results = [{"app": [], "bare": [], "tapped": []} for _ in phones]
    order = ["app", "bare", "tapped"]
    for i in range(max(len(keys) for _, keys in rounds)):
        turn = list(range(len(phones)))
        for k in turn[i % len(turn) :] + turn[: i % len(turn)]:
            phone, out, (_, keys) = phones[k], results[k], rounds[k]
            if i >= len(keys):
                continue
            if len(phones) > 1:
                phone.page.bring_to_front()
            phone.cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
            for side in order[i % 3 :] + order[: i % 3]:
                if side == "app":
                    res = tap_item(phone.page, keys[i])
                else:
                    res = bare_put(phone.page) if side == "bare" else tapped_put(phone.page)
                    if res["durability"] != "strict":
                        log(f"a bare transaction's durability is {res['durability']!r}")
                out[side].append(res)
            phone.cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        if (i + 1) % 25 == 0:
            for phone, out in zip(phones, results, strict=True):
                log(
                    f"cpu{rate}x{phone.label}: {i + 1} items; medians of the last 25:"
                    + "".join(
                        f" {side} {statistics.median(x['ms'] for x in out[side][-25:]):.1f} ms"
                        for side in order
                    )
                )
    for phone, out, (context, keys) in zip(phones, results, rounds, strict=True):
        stored = phone.page.evaluate(
            """async (c) => (await window.__rounds.db.children(c.userId, c.roundId))
                 .filter((x) => x.status).length""",
            context,
        )
        if stored != len(keys):  # the round holds nothing but what was answered here
            raise SystemExit(f"cpu{rate}x{phone.label}: {stored} of {len(keys)} answers stored")
        out["n"] = len(keys)
    return results


def pct(values, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figure(result: dict, rate: int, version: str, label: str = "") -> str:
    taps = [x["ms"] for x in result["app"]]
    bares = [x["ms"] for x in result["bare"]]
    tapped = [x["ms"] for x in result["tapped"]]
    clicks = [x["ms"] for x in result["app"] if x["how"] == "click"]
    typed = [x["ms"] for x in result["app"] if x["how"] == "change"]
    queued = [x["queued"] for x in result["app"]]
    a, b, c = (statistics.median(v) for v in (taps, bares, tapped))
    ratio = a / b
    met = "met" if ratio <= TARGET else "NOT met"
    return (
        f"round_tap_to_stored_vs_bare_put_cpu{rate}x{label}: {ratio:.2f}x (tap->stored median"
        f" {a:.1f} ms, p95 {pct(taps, 0.95):.1f} ms; bare put median {b:.1f} ms, p95"
        f" {pct(bares, 0.95):.1f} ms; p95 ratio {pct(taps, 0.95) / pct(bares, 0.95):.2f}x; the"
        f" same put from a tap on a plain button median {c:.1f} ms, p95"
        f" {pct(tapped, 0.95):.1f} ms, so tap->stored is {a / c:.2f}x that; {result['n']} items:"
        f" {len(clicks)} tapped (median {statistics.median(clicks):.1f} ms), {len(typed)} typed"
        f" then Tab (median {statistics.median(typed):.1f} ms); input delay before the listener"
        f" median {statistics.median(queued):.1f} ms, not counted; app = click/change listener to"
        f" Outbox 'change' after db.commitEdit, strict; bare = one put per transaction,"
        f" durability 'strict', own database; interleaved; CPU throttle {rate}x; Chromium"
        f" {version} headless, phone viewport, profile on disk, offline) target <= {TARGET:g}x:"
        f" {met}"
    )


# --- --profile: where a tap's time goes, from Chromium's own trace ----------------------------

TRACE_CATEGORIES = ",".join(
    [
        "devtools.timeline",
        "blink.user_timing",
        "IndexedDB",
        "toplevel",
        "v8.execute",
        "blink",
        "benchmark",
    ]
)


def union(intervals: list[tuple[float, float]], lo: float, hi: float) -> float:
    """Length of the union of intervals clipped to [lo, hi]."""
    total, end = 0.0, lo
    for a, b in sorted((max(a, lo), min(b, hi)) for a, b in intervals):
        if b <= max(a, end):
            continue
        total += b - max(a, end)
        end = b
    return total


def trace_phases(events: list[dict]) -> list[dict]:
    """For each traced tap, from the marks 'bench-tap' and 'bench-stored' on the page's main
    thread: how long until the transaction was made, until its first answer came back (and how
    much of that was a rendered frame), until it completed, and what kept the thread busy."""
    marks = sorted(
        (e for e in events if e.get("name") in ("bench-tap", "bench-stored")),
        key=lambda e: e["ts"],
    )
    if not marks:
        return []
    main = (marks[0]["pid"], marks[0]["tid"])
    spans: dict[str, list[tuple[float, float]]] = {}
    points: dict[str, list[float]] = {}
    backend: list[tuple[float, float]] = []
    for e in events:
        if e.get("ph") != "X" or "dur" not in e:
            continue
        span = (e["ts"] / 1000, (e["ts"] + e["dur"]) / 1000)
        if (e["pid"], e["tid"]) == main:
            spans.setdefault(e["name"], []).append(span)
            points.setdefault(e["name"], []).append(span[0])
        elif e["name"] == "Transaction::DoPendingCommit":
            backend.append(span)
    groups = {
        "script": ("FunctionCall", "RunMicrotasks", "EvaluateScript", "V8.Execute"),
        "style+layout": ("UpdateLayoutTree", "Layout"),
        "prepaint+paint": ("PrePaint", "LocalFrameView::RunPaintLifecyclePhase"),
        "idb (de)serialise": (
            "SerializedScriptValueFactory::create",
            "SerializedScriptValueFactory::deserialize",
        ),
    }
    out = []
    pairs = zip(marks[::2], marks[1::2], strict=False)
    for start, end in pairs:
        if start["name"] != "bench-tap" or end["name"] != "bench-stored":
            continue
        t0, t1 = start["ts"] / 1000, end["ts"] / 1000

        def first(name, after, before=t1):
            return min((x for x in points.get(name, []) if after <= x <= before), default=None)

        tx = first("IDBDatabase::transaction", t0)
        reply = first("IDBRequest::SendResult", tx) if tx else None
        done = first("IDBTransaction::onComplete", reply) if reply else None
        if tx is None or reply is None or done is None:
            continue
        replies = [x for x in points.get("IDBRequest::SendResult", []) if tx <= x <= done]
        frames = spans.get("ProxyMain::BeginMainFrame", [])
        row = {
            "tap -> transaction made": tx - t0,
            "transaction made -> first answer": reply - tx,
            "  of which rendering a frame": union(frames, tx, reply),
            "first answer -> complete": done - reply,
            "complete -> outbox 'change'": t1 - done,
            "tap -> stored": t1 - t0,
            "requests answered (one task each)": float(len(replies)),
            "main thread busy": union(spans.get("ThreadControllerImpl::RunTask", []), t0, t1),
            "backend commit (DoPendingCommit)": union(backend, t0, t1),
        }
        for group, names in groups.items():
            row[f"  {group}"] = union([s for n in names for s in spans.get(n, [])], t0, t1)
        out.append(row)
    return out


def profile(page, cdp, *, rate: int, count: int, keys: list[str]) -> None:
    """Trace `count` taps at CPU `rate`x and print the median of each phase to stderr."""
    events: list[dict] = []
    finished: list[bool] = []
    cdp.on("Tracing.dataCollected", lambda e: events.extend(e["value"]))
    cdp.on("Tracing.tracingComplete", lambda e: finished.append(True))
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
    cdp.send("Tracing.start", {"categories": TRACE_CATEGORIES, "transferMode": "ReportEvents"})
    times = [tap_item(page, key)["ms"] for key in keys[:count]]
    cdp.send("Tracing.end")
    while not finished:
        page.wait_for_timeout(100)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    rows = trace_phases(events)
    print(
        f"\n--- a tap at CPU {rate}x, median ms over {len(rows)} traced taps"
        f" (tap->stored median {statistics.median(times):.1f} ms in the page, traced) ---",
        file=sys.stderr,
    )
    for name in rows[0] if rows else []:
        print(f"{statistics.median(r[name] for r in rows):8.1f}  {name}", file=sys.stderr)


# --- main -------------------------------------------------------------------------------------


class ServeFiles:
    """WSGI middleware: some paths answered from other files (scratch copies of modules)."""

    TYPES = {".js": "text/javascript", ".css": "text/css"}

    def __init__(self, app, files: dict[str, Path]):
        self.app, self.files = app, files

    def __call__(self, environ, start_response):
        file = self.files.get(environ.get("PATH_INFO", ""))
        if file is None:
            return self.app(environ, start_response)
        body = file.read_bytes()
        kind = self.TYPES.get(file.suffix, "application/octet-stream")
        start_response(
            "200 OK",
            [
                ("Content-Type", f"{kind}; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-cache"),
            ],
        )
        return [body]


def open_app(context, base: str, page) -> None:
    """Sign the engineer in, open the app and let it sync once, as on a real phone."""
    page.goto(f"{base}/sign-in")
    form = page.locator("form", has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill("bench-eng")
    form.locator("input[name=password]").fill(factories.PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.goto(f"{base}/app/")
    page.wait_for_function(
        "() => window.__rounds && window.__rounds.state().lastSyncAt"
        " && !window.__rounds.state().syncing"
    )
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")


def run(
    work: Path, *, profile_taps: int, overrides: dict[str, Path], compare: bool, items: int
) -> None:
    from playwright.sync_api import sync_playwright

    # One app per page (each its own database); with --compare the first serves its files as
    # they are and the second the scratch copies.
    variants = [({}, "")]
    if overrides:
        named = ",".join(f"{url}={file}" for url, file in overrides.items())
        variants = ([({}, "[as is]")] if compare else []) + [(overrides, f"[with {named}]")]
    with sync_playwright() as p, ExitStack() as stack:
        # A profile on disk, as sync_bench: an incognito context keeps IndexedDB in memory.
        context = p.chromium.launch_persistent_context(
            str(work / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            **PHONE,
        )
        stack.callback(context.close)
        context.set_default_timeout(60_000)
        phones = []
        for k, (files, label) in enumerate(variants):
            log(f"building the app{label}")
            app, _ = fresh_app(work / f"app{k}")
            with app.app_context(), db.connection_context(), db.atomic():
                seed()
            if files:
                app.wsgi_app = ServeFiles(app.wsgi_app, files)
            server = stack.enter_context(Server(app))
            host = ("localhost", "127.0.0.1")[k]  # two sites: two renderers, two databases
            page = context.pages[0] if k == 0 and context.pages else context.new_page()
            log("waiting for the first sync")
            open_app(context, f"http://{host}:{server.port}", page)
            phones.append(Phone(label, page, context.new_cdp_session(page)))
        context.set_offline(True)  # nothing is pushed while measuring
        for phone in phones:
            phone.page.bring_to_front()
            phone.page.evaluate(INSTALL_JS)
        version = context.browser.version if context.browser else "?"
        if profile_taps:
            page, cdp = phones[-1].page, phones[-1].cdp
            start_round(page)
            round_context(page)
            cards = page.get_by_test_id("round-item")
            keys = [cards.nth(i).get_attribute("data-key") for i in range(cards.count())]
            profile(page, cdp, rate=4, count=profile_taps, keys=keys)
            profile(page, cdp, rate=1, count=profile_taps, keys=keys[profile_taps:])
            return
        for rate in (4, 1):
            for phone in phones:
                phone.page.bring_to_front()
                start_round(phone.page)
            log(f"rounds started; answering them at CPU {rate}x")
            for phone, result in zip(
                phones, measure_rounds(phones, rate=rate, items=items), strict=True
            ):
                print(figure(result, rate, version, phone.label), flush=True)
            for phone in phones:
                phone.page.bring_to_front()
                phone.page.locator("p.crumbs a[href='#/']").click()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="only trace N taps at CPU 4x and N at 1x and print where the time goes (stderr)",
    )
    parser.add_argument(
        "--serve",
        action="append",
        default=[],
        metavar="URL=FILE",
        help="answer URL (e.g. /static/js/db.js) with FILE: try a change in a scratch copy",
    )
    parser.add_argument(
        "--items", type=int, default=100, metavar="N", help="answer only the first N items"
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="with --serve: also run the app as it is, in a second page, taps interleaved",
    )
    args = parser.parse_args(argv)
    if args.compare and not args.serve:
        parser.error("--compare compares against --serve files: give some")
    overrides = {}
    for spec in args.serve:
        url, _, file = spec.partition("=")
        if not url.startswith("/") or not Path(file).is_file():
            parser.error(f"--serve wants URL=FILE with an existing file, not {spec!r}")
        overrides[url] = Path(file).resolve()
        log(f"serving {overrides[url]} as {url}")
    started = time.monotonic()
    with workdir() as work:
        run(
            work,
            profile_taps=args.profile,
            overrides=overrides,
            compare=args.compare,
            items=args.items,
        )
    log(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
