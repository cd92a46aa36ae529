"""Sync benchmarks: throughput as ratios against the physical limit, on this machine, in this run.

    .venv/bin/python bench/sync_bench.py [--quick] [--skip-browser] [--profile-push N]
    .venv/bin/python bench/sync_bench.py --served-push postgresql://... [--devices 4,16]

Prints one line per figure on stdout; progress goes to stderr. Each figure runs its two sides
interleaved (A, B, A, B, ...) for several rounds and reports medians, because the machine is
noisy. Not part of the test run and asserts nothing about timings. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import http.client
import json
import logging
import pstats
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from tests import factories  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.db import upgrade  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Counter, Equipment, Location  # noqa: E402

PUSH_TARGET = 0.25  # push through HTTP at least a quarter of raw SQLite
IDB_TARGET = 2.0  # applying a pull at most twice a bare IndexedDB put
BATCH = 500  # mutations per push, the protocol's maximum
PAGE = 1000  # records per pull page, the app's (static/js/sync.js)
PASSWORD = factories.PASSWORD
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Sizes:
    push_rows: int  # equipment rows the pushes update (one mutation per row per round)
    push_batches: int  # batches of 500 per timed sample
    push_rounds: int
    pull_sites: tuple[int, int, int]  # equipment rows at sites S1, S2, S3
    pull_rounds: int
    idb_records: int
    idb_rounds: int


FULL = Sizes(2_000, 4, 7, (10_000, 10_000, 30_000), 5, 10_000, 5)
QUICK = Sizes(500, 1, 3, (2_000, 2_000, 6_000), 3, 2_000, 2)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fmt(n: float) -> str:
    return f"{n:,.0f}"


def median(values) -> float:
    return statistics.median(values)


# --- realistic data ---------------------------------------------------------------------------

BRAND_NAMES = (
    "Yamaha Shure Sennheiser Crestron Extron Cisco Huawei H3C APC Hikvision Sony Barco Biamp"
    " QSC Dell 海康威视 华为 雅马哈"
)
BRANDS = BRAND_NAMES.split()
KINDS = [
    ("audio", "数字调音台", "CL5"),
    ("audio", "无线话筒接收机", "ULXD4Q"),
    ("audio", "功放", "PX10"),
    ("video", "激光投影机", "UDX-4K32"),
    ("video", "LED 拼接控制器", "MCTRL4K"),
    ("central_control", "中控主机", "CP4N"),
    ("power", "UPS 不间断电源", "SRT10KXLI"),
    ("network", "核心交换机", "S5735-L48T4X"),
    ("server", "录播服务器", "PowerEdge R740"),
]
CLAUSES = [
    "风扇已清灰，滤网更换",
    "固件已升级至 V{a}.{b}.{c}，重启后各通道正常",
    "第 {a} 路输出口接触不良，已重新压接网线并做标签",
    "机柜温度 {t}℃，电源模块温度 {u}℃",
    "UPS 电池内阻偏高（{a}{b} mΩ），建议明年更换",
    "已核对资产标签与序列号，一致",
    "客户反映开机慢，约 {a}{b} 秒",
    "Fan cleaned, filter replaced",
    "checked PSU at {t} °C, load {u}%",
    "无线话筒频点 {a}{b}{c}.{a}25 MHz 有干扰，已改频",
    "投影灯泡 {a}{b}{c}{u} 小时",
    "下次巡检复查 {a} 号机柜接地",
]


def note(rng: random.Random) -> str:
    """A line or two of free text with numbers in it, as engineers write them."""
    clauses = rng.sample(CLAUSES, rng.randint(1, 3))
    nums = {k: rng.randint(1, 9) for k in "abc"} | {
        "t": rng.randint(22, 45),
        "u": rng.randint(30, 95),
    }
    return "；".join(c.format(**nums) for c in clauses) + "。"


FAULTS = ["", "", "", "风扇噪音偏大", "第 3 通道偶发断续", "遥控器无响应"]


def equipment_row(rng: random.Random, i: int, site_id, location_id, seq: int, now) -> dict:
    """One equipment row with every field filled the way an engineer would."""
    system, name, model = KINDS[i % len(KINDS)]
    brand = rng.choice(BRANDS)
    return {
        "id": uuid.UUID(int=rng.getrandbits(128), version=4),
        "version": 1,
        "server_seq": seq,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "site": site_id,
        "location": location_id,
        "code": f"AV-{i:06d}",
        "name": f"{name} {i % 100 + 1}号",
        "system": system,
        "brand": brand,
        "model": model,
        "serial_number": f"SN{rng.getrandbits(40):012X}",
        "manufacturer": f"{brand} 中国有限公司",
        "manufacturer_contact": f"400-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
        "supplier": "上海声光视听工程有限公司",
        "installed_on": date(2017 + i % 7, 1 + i % 12, 1 + i % 28),
        "service_years": None,
        "warranty_until": date(2026 + i % 3, 1 + i % 12, 1 + i % 28),
        "interfaces": "2× XLR 输入, 2× XLR 输出, 1× RJ45 (Dante), 1× RS-232",
        "free_interfaces": "1× XLR 输入",
        "status": "faulty" if i % 50 == 0 else "in_service",
        "fault_points": rng.choice(FAULTS),
        "notes": note(rng),
        "field_meta": {},
    }


def bulk_equipment(rng: random.Random, placements: list, first_seq: int) -> int:
    """Insert equipment rows at (site, location) placements, one change number each, and move
    the change counter past them. Seeding only: the app's own write path is what is measured."""
    now = datetime(2026, 3, 1, 8, 0, 0)
    rows = [
        equipment_row(rng, i, site, room, first_seq + i, now)
        for i, (site, room) in enumerate(placements)
    ]
    with db.atomic():
        for start in range(0, len(rows), 400):
            Equipment.insert_many(rows[start : start + 400]).execute()
        last = first_seq + len(rows) - 1
        Counter.update(value=last).where(Counter.name == "server_seq").execute()
    return last


# --- an app on a fresh SQLite file, served over real HTTP ------------------------------------


def fresh_app(directory: Path):
    """create_app on a new migrated SQLite file (WAL, as the app configures it)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bench.sqlite3"
    app = create_app(
        {
            "SECRET_KEY": "bench-secret",
            "DATABASE_URL": f"sqlite:///{path}",
            "LOGIN_MAX_FAILURES_PER_ADDRESS": 1000,
        }
    )
    app.instance_path = str(directory / "instance")
    with app.app_context():
        upgrade()
    return app, path


def checkpoint() -> None:
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


class Server:
    """The app on werkzeug's threaded server at 127.0.0.1 (HTTP/1.1, keep-alive)."""

    def __init__(self, app):
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class HttpClient:
    """One keep-alive http.client connection with the session cookie and CSRF token."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            self.cookies.update({k: m.value for k, m in jar.items()})
        return response.status, data

    def sign_in(self, username: str) -> None:
        """As the PWA does: a CSRF token for the anonymous session, then sign in."""
        status, data = self.request("GET", "/api/auth/csrf")
        if status != 200:
            raise SystemExit(f"csrf failed: {status} {data[:200]!r}")
        self.csrf = json.loads(data)["csrf_token"]
        body = json.dumps({"username": username, "password": PASSWORD}).encode()
        status, data = self.request("POST", "/api/auth/sign-in", body)
        if status != 200:
            raise SystemExit(f"sign-in failed: {status} {data[:200]!r}")
        self.csrf = json.loads(data)["csrf_token"]

    def close(self) -> None:
        self.conn.close()


# --- figure 1: push through HTTP vs raw SQLite -----------------------------------------------


def seed_push(rows: int, seed: int = 1) -> dict:
    client = factories.create_client("会议中心")
    site = factories.create_site(client, "主楼")
    room = factories.create_location(site, "音控机房")
    engineer = factories.create_user("engineer", "bench-eng")
    factories.assign(engineer, site)
    first = Counter.get_by_id("server_seq").value + 1
    rng = random.Random(seed)
    bulk_equipment(rng, [(site.id, room.id)] * rows, first)
    ids = [str(e.id) for e in Equipment.select(Equipment.id).order_by(Equipment.server_seq)]
    return {"engineer": engineer, "ids": ids}


class PushDevice:
    """Makes the mutations an engineer's device would send: notes and brand, some serials."""

    def __init__(self, ids: list[str], seed: int = 2):
        self.client_id = str(uuid.uuid4())
        self.ids = ids
        self.versions = dict.fromkeys(ids, 1)
        self.seq = 0
        self.rng = random.Random(seed)
        self.round = 0

    def batches(self, count: int) -> list[list[dict]]:
        """`count` batches of 500 updates, each record once, on the version last answered."""
        self.round += 1
        out = []
        for b in range(count):
            batch = []
            for record_id in self.ids[b * BATCH : (b + 1) * BATCH]:
                self.seq += 1
                changes = {
                    "notes": f"{note(self.rng)}（第 {self.round} 次巡检）",
                    "brand": self.rng.choice(BRANDS),
                }
                if self.seq % 3 == 0:
                    changes["serial_number"] = f"SN{self.rng.getrandbits(40):012X}"
                batch.append(
                    {
                        "mutation_id": str(uuid.uuid4()),
                        "client_seq": self.seq,
                        "entity": "equipment",
                        "id": record_id,
                        "op": "update",
                        "base_version": self.versions[record_id],
                        "changes": changes,
                        "client_time": "2026-03-02T08:15:00Z",
                    }
                )
                self.versions[record_id] += 1  # both sides bump the version once per update
            out.append(batch)
        return out


def push_http(http: HttpClient, client_id: str, batches: list[list[dict]]) -> float:
    """Mutations per second through POST /api/sync/push; bodies are encoded before timing."""
    bodies = [
        json.dumps({"client_id": client_id, "mutations": b}, ensure_ascii=False).encode()
        for b in batches
    ]
    answers = []
    start = time.perf_counter()
    for body in bodies:
        answers.append(http.request("POST", "/api/sync/push", body))
    elapsed = time.perf_counter() - start
    for (status, data), batch in zip(answers, batches, strict=True):
        if status != 200:
            raise SystemExit(f"push failed: {status} {data[:300]!r}")
        results = json.loads(data)["results"]
        bad = [r for r in results if r["status"] != "applied"]
        if len(results) != len(batch) or bad:
            raise SystemExit(f"push not applied: {len(results)} answers, e.g. {bad[:1]}")
    return sum(map(len, batches)) / elapsed


RAW_MUTATION_SQL = (
    "INSERT INTO sync_mutation (mutation_id, client_id, client_seq, user_id, entity, entity_id,"
    " op, base_version, changes, client_time, status, result, received_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def raw_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=wal",
        "synchronous=normal",
        "foreign_keys=1",
        "busy_timeout=10000",
    ):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def push_raw(
    conn: sqlite3.Connection, client_id: str, user_hex: str, batches: list[list[dict]]
) -> float:
    """The same mutations writing the same rows with the sqlite3 module: per batch one
    transaction; per mutation the idempotency row (primary key + unique (client, seq)), the
    record's fields, version, change number and per-field versions, one history row per
    changed field with its old value, one audit row, and the change counter."""
    client_hex = uuid.UUID(client_id).hex
    statements: dict[tuple, str] = {}
    start = time.perf_counter()
    for batch in batches:
        conn.execute("BEGIN IMMEDIATE")
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        for m in batch:
            seq = conn.execute(
                "UPDATE counter SET value = value + 1 WHERE name = 'server_seq' RETURNING value"
            ).fetchone()[0]
            changes = m["changes"]
            names = tuple(changes)
            sql = statements.get(names)
            if sql is None:
                sets = ", ".join(f"{n} = ?" for n in names)
                sql = statements[names] = (
                    f"UPDATE equipment SET {sets}, version = ?, server_seq = ?,"  # noqa: S608
                    " updated_at = ?, field_meta = ? WHERE id = ?"
                )
            record_hex = uuid.UUID(m["id"]).hex
            old_row = conn.execute(
                f"SELECT {', '.join(names)}, version, field_meta FROM equipment"  # noqa: S608
                " WHERE id = ?",
                (record_hex,),
            ).fetchone()
            version = old_row[-2] + 1
            meta = json.loads(old_row[-1] or "{}")
            meta.update({n: {"by": client_id, "v": version} for n in names})
            conn.execute(
                sql,
                (
                    *changes.values(),
                    version,
                    seq,
                    now,
                    json.dumps(meta, sort_keys=True),
                    record_hex,
                ),
            )
            conn.executemany(
                "INSERT INTO record_history (entity, entity_id, version, field, old_value,"
                " new_value, mutation_id, author, actor_id, at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        "equipment",
                        m["id"],
                        version,
                        n,
                        json.dumps(old_row[i], ensure_ascii=False),
                        json.dumps(changes[n], ensure_ascii=False),
                        uuid.UUID(m["mutation_id"]).hex,
                        client_id,
                        user_hex,
                        now,
                    )
                    for i, n in enumerate(names)
                ],
            )
            conn.execute(
                "INSERT INTO audit_entry (at, actor_id, action, entity, entity_id, summary)"
                " VALUES (?, ?, 'update', 'equipment', ?, ?)",
                (now, user_hex, m["id"], json.dumps(changes, ensure_ascii=False)),
            )
            result = {
                "mutation_id": m["mutation_id"],
                "status": "applied",
                "version": version,
                "server_seq": seq,
            }
            conn.execute(
                RAW_MUTATION_SQL,
                (
                    uuid.UUID(m["mutation_id"]).hex,
                    client_hex,
                    m["client_seq"],
                    user_hex,
                    "equipment",
                    record_hex,
                    "update",
                    m["base_version"],
                    json.dumps(changes, ensure_ascii=False, sort_keys=True),
                    m["client_time"],
                    "applied",
                    json.dumps(result, sort_keys=True),
                    now,
                ),
            )
        conn.execute(
            "UPDATE sync_client SET last_seq = ?, last_seen_at = ? WHERE id = ?",
            (batch[-1]["client_seq"], now, client_hex),
        )
        conn.execute("COMMIT")
    return sum(map(len, batches)) / (time.perf_counter() - start)


def figure_push(sizes: Sizes, work: Path) -> str:
    log("push: seeding")
    app, path = fresh_app(work / "push")
    with app.app_context(), db.connection_context():
        seeded = seed_push(sizes.push_rows)
        checkpoint()
    raw_path = path.with_name("raw.sqlite3")
    shutil.copyfile(path, raw_path)  # the same schema and rows for the raw side
    device = PushDevice(seeded["ids"])
    user_hex = seeded["engineer"].id.hex
    raw = raw_connection(raw_path)
    raw.execute(
        "INSERT INTO sync_client (id, user_id, last_seq, created_at, last_seen_at)"
        " VALUES (?, ?, 0, ?, ?)",
        (uuid.UUID(device.client_id).hex, user_hex, "2026-03-02 08:00:00", "2026-03-02 08:00:00"),
    )
    count = sizes.push_batches
    http_rates, raw_rates = [], []
    with Server(app) as server:
        http = HttpClient(server.port)
        http.sign_in("bench-eng")
        batches = device.batches(count)  # warm-up round, not counted
        push_http(http, device.client_id, batches)
        push_raw(raw, device.client_id, user_hex, batches)
        for r in range(sizes.push_rounds):
            batches = device.batches(count)
            sides = [
                ("http", lambda b=batches: push_http(http, device.client_id, b)),
                ("raw", lambda b=batches: push_raw(raw, device.client_id, user_hex, b)),
            ]
            for name, run in sides if r % 2 == 0 else sides[::-1]:
                (http_rates if name == "http" else raw_rates).append(run())
            log(f"push round {r + 1}: http {fmt(http_rates[-1])}/s, raw {fmt(raw_rates[-1])}/s")
        http.close()
    raw.close()
    h, w = median(http_rates), median(raw_rates)
    ratio = h / w
    met = "met" if ratio >= PUSH_TARGET else "NOT met"
    return (
        f"push_http_vs_raw_sqlite: {ratio:.2f} (http {fmt(h)} mutations/s; raw {fmt(w)}/s"
        " writing the same rows: mutation, record, history per field, audit;"
        f" batches of {BATCH}, {count * BATCH:,} updates per sample, medians of"
        f" {sizes.push_rounds} interleaved rounds; real werkzeug server on 127.0.0.1 via"
        f" http.client, SQLite WAL file) target >= {PUSH_TARGET}: {met}"
    )


# --- figures 2 and 3: pull ---------------------------------------------------------------------


def seed_pull(counts: tuple[int, int, int], seed: int = 3) -> dict:
    """Sites S1, S2, S3 with counts[i] equipment rows, interleaved in change order as on a real
    server; engineers e10 (S1), e20 (S1+S2), e50 (all three) hold 1, 2 and 3 of them."""
    client = factories.create_client("会议中心")
    sites = [factories.create_site(client, f"主楼 {n}") for n in (1, 2, 3)]
    rooms = [[factories.create_location(s, f"机房 {k}") for k in range(4)] for s in sites]
    engineers = {}
    for name, held in (("e10", 1), ("e20", 2), ("e50", 3)):
        engineers[name] = factories.create_user("engineer", f"bench-{name}")
        for site in sites[:held]:
            factories.assign(engineers[name], site)
    rng = random.Random(seed)
    placements = [(sites[s].id, rooms[s][i % 4].id) for s, n in enumerate(counts) for i in range(n)]
    rng.shuffle(placements)
    bulk_equipment(rng, placements, Counter.get_by_id("server_seq").value + 1)
    return {"sites": [s.id.hex for s in sites], "engineers": engineers}


def pull_http(http: HttpClient, limit: int = PAGE, keep=None, before=None) -> tuple[float, int]:
    """A whole paged pull from no cursor: (seconds spent in requests, records). `before()` runs
    before each request, `keep(body)` right after it, both outside the timing."""
    client_id = str(uuid.uuid4())
    cursor, records, spent = None, 0, 0.0
    while True:
        path = f"/api/sync/pull?client_id={client_id}&limit={limit}"
        if cursor:
            path += f"&cursor={cursor}"
        if before is not None:
            before()
        start = time.perf_counter()
        status, body = http.request("GET", path)
        spent += time.perf_counter() - start
        if keep is not None:
            keep(body)
        if status != 200:
            raise SystemExit(f"pull failed: {status} {body[:300]!r}")
        page = json.loads(body)
        records += len(page["changes"])
        cursor, more = page["cursor"], page["has_more"]
        del page, body
        if not more:
            return spent, records


EQUIPMENT_OUT_COLUMNS = (
    "id, version, server_seq, updated_at, deleted_at, site_id, location_id, code, name, system,"
    " brand, model, serial_number, manufacturer, manufacturer_contact, supplier, installed_on,"
    " service_years, warranty_until, interfaces, free_interfaces, status, fault_points, notes"
)


def pull_raw(conn: sqlite3.Connection, site_hexes: list[str], limit: int = PAGE) -> float:
    """The same rows read with the sqlite3 module by change number in pages, each page made
    into the protocol's change objects and JSON-encoded: records per second. `+site_id` keeps
    SQLite on the server_seq index (read in order, stop at the limit); on the site index it
    sorts every row in scope for every page."""
    marks = ", ".join("?" * len(site_hexes))
    sql = (
        f"SELECT {EQUIPMENT_OUT_COLUMNS} FROM equipment WHERE server_seq > ?"  # noqa: S608
        f" AND +site_id IN ({marks}) ORDER BY server_seq LIMIT ?"
    )
    conn.row_factory = sqlite3.Row
    after, records = 0, 0
    start = time.perf_counter()
    while True:
        rows = conn.execute(sql, (after, *site_hexes, limit)).fetchall()
        changes = []
        for row in rows:
            data = dict(row)
            rid = str(uuid.UUID(data["id"]))
            data["id"] = rid
            data["site_id"] = str(uuid.UUID(data["site_id"]))
            if data["location_id"]:
                data["location_id"] = str(uuid.UUID(data["location_id"]))
            changes.append(
                {
                    "entity": "equipment",
                    "id": rid,
                    "version": data["version"],
                    "server_seq": data["server_seq"],
                    "deleted": data["deleted_at"] is not None,
                    "data": data,
                }
            )
        json.dumps({"changes": changes, "has_more": len(rows) == limit}, sort_keys=True).encode()
        records += len(rows)
        if len(rows) < limit:
            return records / (time.perf_counter() - start)
        after = rows[-1]["server_seq"]


def figure_pull(sizes: Sizes, work: Path) -> list[str]:
    log("pull: seeding")
    app, path = fresh_app(work / "pull")
    with app.app_context(), db.connection_context():
        seeded = seed_pull(sizes.pull_sites)
        checkpoint()
    lines = []
    with Server(app) as server:
        http = HttpClient(server.port)
        http.sign_in("bench-e20")
        raw = raw_connection(path)
        two_sites = seeded["sites"][:2]
        pull_http(http)  # warm-up
        pull_raw(raw, two_sites)
        http_rates, raw_rates, records = [], [], 0
        for r in range(sizes.pull_rounds):
            for side in ("http", "raw") if r % 2 == 0 else ("raw", "http"):
                if side == "http":
                    spent, records = pull_http(http)
                    http_rates.append(records / spent)
                else:
                    raw_rates.append(pull_raw(raw, two_sites))
            log(f"pull round {r + 1}: http {fmt(http_rates[-1])}/s, raw {fmt(raw_rates[-1])}/s")
        raw.close()
        sizes_raw, sizes_gz, sizes_utf8 = [], [], []

        def measure(body: bytes) -> None:
            sizes_raw.append(len(body))
            sizes_gz.append(len(gzip.compress(body, 6)))
            unescaped = json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":"))
            sizes_utf8.append(len(unescaped.encode()))

        pull_http(http, keep=measure)
        h, w = median(http_rates), median(raw_rates)
        lines.append(
            f"pull_http_vs_raw_sqlite: {h / w:.2f} (http {fmt(h)} records/s; raw {fmt(w)}/s;"
            f" {records:,} records in {len(sizes_raw)} pages of {PAGE}, engineer scope of 2 of 3"
            f" sites, medians of {sizes.pull_rounds} interleaved rounds; gzip -6"
            f" {sum(sizes_gz) / records:,.0f} B/record, JSON {sum(sizes_raw) / records:,.0f}"
            f" B/record as sent ({sum(sizes_utf8) / records:,.0f} unescaped UTF-8),"
            f" {sum(sizes_raw) / len(sizes_raw) / 1024:,.0f} KiB per page)"
        )
        http.close()
        lines.append(figure_memory(server.port, sizes))
    return lines


def traced_pull(http: HttpClient) -> tuple[int, int, int]:
    """Pull everything with tracemalloc on: (highest peak above the level before the pull,
    largest rise within one page request, records)."""
    http.request("GET", "/api/sync/pull?limit=1")  # warm this session and connection
    level = tracemalloc.get_traced_memory()[0]
    worst = {"total": 0, "page": 0, "start": level}

    def before() -> None:
        tracemalloc.reset_peak()
        worst["start"] = tracemalloc.get_traced_memory()[0]

    def after(_body: bytes) -> None:
        peak = tracemalloc.get_traced_memory()[1]
        worst["total"] = max(worst["total"], peak - level)
        worst["page"] = max(worst["page"], peak - worst["start"])

    _, records = pull_http(http, keep=after, before=before)
    return worst["total"], worst["page"], records


def figure_memory(port: int, sizes: Sizes) -> str:
    """Server memory while pulling S1 alone vs all three sites: paged pulls must not grow with
    the number of records. Untraced rates of the same two pulls go alongside, since what
    tracemalloc cannot see (SQLite sorting a whole scope per page) shows up as time."""
    small, large = HttpClient(port), HttpClient(port)
    small.sign_in("bench-e10")
    large.sign_in("bench-e50")
    rates: dict[str, list[float]] = {"small": [], "large": []}
    for r in range(2):
        for name in ("small", "large") if r % 2 == 0 else ("large", "small"):
            spent, records = pull_http(small if name == "small" else large)
            rates[name].append(records / spent)
    log("memory: pulling with tracemalloc (slow)")
    tracemalloc.start()
    try:
        large.request("GET", f"/api/sync/pull?limit={PAGE}")  # fill caches before tracing
        small_total, small_page, small_n = traced_pull(small)
        log(f"memory: {small_n:,} records, peak {small_total / 2**20:.1f} MiB")
        large_total, large_page, large_n = traced_pull(large)
        log(f"memory: {large_n:,} records, peak {large_total / 2**20:.1f} MiB")
    finally:
        tracemalloc.stop()
        small.close()
        large.close()
    ratio = large_total / small_total
    verdict = "flat" if ratio <= 1.5 else "GROWS with the record count"
    return (
        f"pull_memory_peak_{large_n // 1000}k_vs_{small_n // 1000}k: {ratio:.2f}"
        f" (peak Python memory above the start of the pull, server thread + client buffer,"
        f" tracemalloc: {small_total / 2**20:.1f} MiB pulling {small_n:,} records,"
        f" {large_total / 2**20:.1f} MiB pulling {large_n:,}; largest single page"
        f" {small_page / 2**20:.1f} / {large_page / 2**20:.1f} MiB; pages of {PAGE};"
        f" untraced {fmt(median(rates['small']))} vs {fmt(median(rates['large']))} records/s)"
        f" {verdict}"
    )


# --- figure 4: applying a pull in IndexedDB, in Chromium ------------------------------------

BENCH_JS = r"""
(() => {
  const KINDS = [['audio', '数字调音台', 'CL5'], ['video', '激光投影机', 'UDX-4K32'],
    ['central_control', '中控主机', 'CP4N'], ['power', 'UPS 不间断电源', 'SRT10KXLI'],
    ['network', '核心交换机', 'S5735-L48T4X'], ['server', '录播服务器', 'PowerEdge R740']];
  const BRANDS = ['Yamaha', 'Shure', 'Crestron', 'Huawei', 'APC', '海康威视', 'Barco', 'QSC'];
  const CLAUSES = ['风扇已清灰，滤网更换', '固件已升级至 V3.{a}.{b}，重启后各通道正常',
    '第 {a} 路输出口接触不良，已重新压接网线并做标签', '机柜温度 {t}℃，电源模块温度 {u}℃',
    'UPS 电池内阻偏高（{a}{b} mΩ），建议明年更换', '已核对资产标签与序列号，一致',
    'Fan cleaned, filter replaced', 'checked PSU at {t} °C, load {u}%'];
  const note = (i) => {
    const r = (k) => (i * 2654435761 + k * 40503) % 2 ** 32;
    const nums = { a: r(1) % 9 + 1, b: r(2) % 9 + 1, t: 22 + r(3) % 24, u: 30 + r(4) % 66 };
    const fill = (c) => c.replace(/\{(\w)\}/g, (_, k) => nums[k]);
    const pick = (k) => fill(CLAUSES[r(k) % CLAUSES.length]);
    return `${pick(5)}；${pick(6)}。`;
  };

  const request = (req) => new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const drop = (name) => request(indexedDB.deleteDatabase(name));

  // Change objects as GET /api/sync/pull sends them, built on a real EquipmentOut dump.
  window.benchSetup = async ({ n, template, sites, rooms }) => {
    window.Database = (await import('/static/js/db.js')).Database;
    const changes = new Array(n);
    for (let i = 0; i < n; i++) {
      const [system, name, model] = KINDS[i % KINDS.length];
      const brand = BRANDS[i % BRANDS.length];
      const id = crypto.randomUUID();
      const version = 1 + (i % 4);
      const serverSeq = 1000 + i;
      changes[i] = {
        entity: 'equipment', id, version, server_seq: serverSeq, deleted: false,
        data: {
          ...template, id, version, server_seq: serverSeq,
          site_id: sites[i % sites.length], location_id: rooms[i % rooms.length],
          code: `AV-${String(i).padStart(6, '0')}`, name: `${name} ${i % 100 + 1}号`, system,
          brand, model, serial_number: `SN${(i * 2654435761 % 2 ** 32).toString(16).toUpperCase()}`,
          manufacturer: `${brand} 中国有限公司`, notes: note(i),
          fault_points: i % 7 === 0 ? '风扇噪音偏大' : '',
        },
      };
    }
    window.changes = changes;
    return JSON.stringify(changes).length;
  };

  // The app's path: as sync.js's pull loop, per page ensureUser then applyPage (one
  // transaction with its cursor), on a store that starts empty (a first sync).
  window.benchApp = async (name, pageSize) => {
    const db = new window.Database(name);
    const userId = 'bench-user';
    await db.ensureUser(userId);  // opens and creates the store: not timed
    const changes = window.changes;
    let applyMs = 0;
    const start = performance.now();
    for (let i = 0; i < changes.length; i += pageSize) {
      await db.ensureUser(userId);
      const t = performance.now();
      await db.applyPage(userId, {
        epoch: 'bench-epoch', cursor: `cursor-${i}`, has_more: i + pageSize < changes.length,
        last_seq: null, removed_sites: [], changes: changes.slice(i, i + pageSize),
      });
      applyMs += performance.now() - t;
    }
    const ms = performance.now() - start;
    const conn = await db.connection();
    const count = await request(conn.transaction('records').objectStore('records').count());
    const state = await db.userState(userId);
    conn.close();
    await drop(name);
    return { ms, applyMs, count, cursor: state.cursor };
  };

  // The physical limit: the same objects, store.put each, one transaction, fresh store.
  window.benchBare = async (name) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('records',
      { keyPath: ['entity', 'id'] });
    const conn = await request(open);
    const changes = window.changes;
    const start = performance.now();
    const tx = conn.transaction(['records'], 'readwrite');
    const store = tx.objectStore('records');
    for (const change of changes) store.put(change);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    const ms = performance.now() - start;
    const count = await request(conn.transaction('records').objectStore('records').count());
    conn.close();
    await drop(name);
    return { ms, count, durability: tx.durability };
  };
})();
"""


def idb_template() -> dict:
    """A real equipment record as the pull sends it (EquipmentOut), to build the page's data."""
    from webapp.inventory.schemas import EquipmentOut

    client = factories.create_client("会议中心")
    sites = [factories.create_site(client, f"主楼 {n}") for n in (1, 2)]
    rooms = [factories.create_location(s, "音控机房") for s in sites]
    bulk_equipment(
        random.Random(4), [(sites[0].id, rooms[0].id)], Counter.get_by_id("server_seq").value + 1
    )
    item = Equipment.select().get()
    return {
        "template": json.loads(json.dumps(EquipmentOut().dump(item))),
        "sites": [str(s.id) for s in sites],
        "rooms": [str(r.id) for r in Location.select()],
    }


def figure_idb(sizes: Sizes, work: Path) -> str:
    from playwright.sync_api import sync_playwright

    log("idb: starting the app and Chromium")
    app, _ = fresh_app(work / "idb")
    with app.app_context(), db.connection_context():
        data = idb_template()
    n = sizes.idb_records
    with Server(app) as server, sync_playwright() as p:
        # A profile on disk: an incognito context keeps IndexedDB in memory.
        context = p.chromium.launch_persistent_context(
            str(work / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            page = context.new_page()
            page.route(
                "**/__bench__",
                lambda route: route.fulfill(
                    status=200,
                    content_type="text/html",
                    body="<!doctype html><meta charset=utf-8><title>bench</title>",
                ),
            )
            page.goto(f"http://localhost:{server.port}/__bench__")
            page.evaluate(BENCH_JS)
            json_bytes = page.evaluate("(args) => window.benchSetup(args)", {"n": n, **data})
            page.evaluate("() => window.benchApp('warm-app', 500)")  # warm-up, not counted
            page.evaluate("() => window.benchBare('warm-bare')")
            app_ms, apply_ms, bare_ms, durability = [], [], [], ""
            last_page = (n - 1) // PAGE * PAGE  # where the last page starts: its cursor
            for r in range(sizes.idb_rounds):
                for side in ("app", "bare") if r % 2 == 0 else ("bare", "app"):
                    if side == "app":
                        res = page.evaluate(
                            "(a) => window.benchApp(a[0], a[1])", [f"app-{r}", PAGE]
                        )
                        if res["count"] != n or res["cursor"] != f"cursor-{last_page}":
                            log(f"idb: unexpected app result {res}")
                        app_ms.append(res["ms"])
                        apply_ms.append(res["applyMs"])
                    else:
                        res = page.evaluate("(name) => window.benchBare(name)", f"bare-{r}")
                        if res["count"] != n:
                            log(f"idb: unexpected bare result {res}")
                        bare_ms.append(res["ms"])
                        durability = res["durability"]
                log(f"idb round {r + 1}: app {app_ms[-1]:,.0f} ms, bare {bare_ms[-1]:,.0f} ms")
            version = context.browser.version if context.browser else "?"
        finally:
            context.close()
    a, ap, b = median(app_ms), median(apply_ms), median(bare_ms)
    ratio = a / b
    met = "met" if ratio <= IDB_TARGET else "NOT met"
    return (
        f"idb_apply_vs_bare_put: {ratio:.2f}x (app {a:,.0f} ms = {fmt(n / a * 1000)} records/s;"
        f" bare put {b:,.0f} ms = {fmt(n / b * 1000)}/s; {n:,} equipment changes,"
        f" {json_bytes / n:,.0f} B JSON each; app = db.js Database.ensureUser + applyPage per"
        f" page of {PAGE} (applyPage alone {ap:,.0f} ms), strict; bare = one transaction,"
        f" durability {durability!r}, fresh store; medians of {sizes.idb_rounds} interleaved"
        f" rounds; Chromium {version} headless, profile on disk) target <= {IDB_TARGET:g}x: {met}"
    )


# --- profiling the push path ------------------------------------------------------------------


def profile_push(top: int, work: Path) -> None:
    """cProfile one batch of 500 updates through the Flask test client (in this thread),
    printed to stderr: where a push spends its time."""
    app, _ = fresh_app(work / "profile")
    with app.app_context(), db.connection_context():
        seeded = seed_push(BATCH * 2)
    device = PushDevice(seeded["ids"])
    client = app.test_client()
    token = client.get("/api/auth/csrf").get_json()["csrf_token"]
    response = client.post(
        "/api/auth/sign-in",
        headers={"X-CSRF-Token": token},
        json={"username": "bench-eng", "password": PASSWORD},
    )
    csrf = response.get_json()["csrf_token"]

    def push(batch):
        body = json.dumps({"client_id": device.client_id, "mutations": batch}, ensure_ascii=False)
        r = client.post(
            "/api/sync/push",
            data=body,
            content_type="application/json",
            headers={"X-CSRF-Token": csrf},
        )
        assert r.status_code == 200, r.get_data(as_text=True)[:300]

    warm, timed = device.batches(2)
    push(warm)
    profiler = cProfile.Profile()
    profiler.enable()
    push(timed)
    profiler.disable()
    for order in ("tottime", "cumulative"):
        print(f"\n--- push of {BATCH} updates, by {order} ---", file=sys.stderr)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(top)


# --- devices pushing at once to gunicorn on PostgreSQL ---------------------------------------

SERVED_ROWS = 100  # equipment rows of each device; one batch edits each once
SERVED_BATCHES = 4  # batches each device pushes per sample
SERVED_ROUNDS = 3


def _sync_at_once(group, batches: int, limit: int = PAGE) -> tuple[float, list[float]]:
    """Each phone of `group` edits each of its rows, pushes and pulls until nothing is left (a
    sync round, as the app runs it), `batches` times, all phones in threads started together.
    The seconds until the last one is done, and the seconds of every pull (all its pages)."""
    errors: list[BaseException] = []
    pulls: list[float] = []

    def run(device, rows):
        try:
            for b in range(batches):
                for row in rows:
                    device.edit("equipment", row, {"notes": f"第 {b} 次"})
                response = device.push()
                assert response.status_code == 200, response.get_data(True)
                device.acked.clear()  # the test device keeps them in lists: not the server's
                device.answers.clear()  # time
                began = time.perf_counter()
                device.pull_all(limit)
                pulls.append(time.perf_counter() - began)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=p) for p in group]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(900)
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return elapsed, pulls


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) the gunicorn master `pid` and its workers have used: the
    server's own work, which other load on the machine does not inflate as it does wall time."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    with suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    total = 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def postmaster_of(url: str) -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine (else None)."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None
    finally:
        connection.close()


def database_cpu(postmaster: int | None) -> float:
    """CPU seconds the PostgreSQL server has used: its main process, its live backends and
    helpers, and the backends already gone (counted into the main process once reaped). Every
    database of that server counts: meaningful only when nothing else uses it."""
    import os

    if postmaster is None:
        return float("nan")
    tick = os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    total = sum(int(f) for f in fields[11:15])  # utime, stime, children's utime and stime
    with suppress(OSError):
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        for child in children:
            with suppress(OSError):
                stat = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(stat[11]) + int(stat[12])
    return total / tick


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _served_device(base_url: str, username: str):
    from tests.concurrency.served import HttpClient
    from tests.sync_client import Device

    http = HttpClient(base_url)
    assert http.sign_in(username, PASSWORD).status_code == 200
    return Device(client=http, csrf=http.csrf)


def _served_world(url: str, devices: int) -> list[tuple[str, list[str]]]:
    """An emptied schema with one site; per device an engineer and SERVED_ROWS devices of its
    own (no two phones edit the same row: the figure is the cost of the push's locks, not of
    waiting for each other)."""
    from webapp.db import open_database

    database = open_database(url)
    database.connect()
    database.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
    database.execute_sql("CREATE SCHEMA public")
    database.close()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    owned = []
    with app.app_context():
        upgrade()
        with db.connection_context(), db.atomic():
            site = factories.create_site(name="主楼")
            for i in range(devices):
                engineer = factories.create_user("engineer", f"bench{i}")
                factories.assign(engineer, site)
                rows = [
                    str(factories.create_equipment(site, name=f"设备 {i}-{n}").id)
                    for n in range(SERVED_ROWS)
                ]
                owned.append((engineer.username, rows))
    return owned


def figure_served_push(
    url: str,
    counts: list[int],
    baselines: list[str] = (),
    rounds: int = SERVED_ROUNDS,
    batches: int = SERVED_BATCHES,
    threads: int = 1,
    pull_limits: list[int] = (),
) -> list[str]:
    """Equipment updates per second when N phones sync (push a batch of their rows, then pull
    until nothing is left) at the same moment to gunicorn with 2 workers on PostgreSQL, and the
    p50/p95 of those pulls. With `baselines` (checkouts of other code, e.g. `git archive` of
    main), the same is run on their code too, each side on a freshly built world, interleaved.
    `threads` > 1: each worker serves that many requests at once (gunicorn's threaded worker).
    `pull_limits`: instead of other code, this code with phones asking for pages of each size."""
    from tests.concurrency import served

    env = {"GUNICORN_CMD_ARGS": f"--threads {threads}"} if threads > 1 else None

    if pull_limits:
        sides = [(f"pages of {limit}", None, limit) for limit in pull_limits]
    else:
        sides = [("this", None, PAGE)] + [(Path(b).name, b, PAGE) for b in baselines]
    first = sides[0][0]
    postmaster = postmaster_of(url)
    lines = []
    for n in counts:
        rates: dict[str, list[float]] = {label: [] for label, *_ in sides}
        pulls: dict[str, list[float]] = {label: [] for label, *_ in sides}
        cpu: dict[str, list[float]] = {label: [] for label, *_ in sides}
        db_cpu: dict[str, list[float]] = {label: [] for label, *_ in sides}
        for _round in range(rounds):
            for label, root, limit in sides:
                owned = _served_world(url, n)
                with workdir() as work:
                    here = served.ROOT
                    served.ROOT = Path(root) if root else here
                    try:
                        server = served.start_gunicorn(url, work, env=env)
                    finally:
                        served.ROOT = here
                    try:
                        phones = [(_served_device(server.base_url, u), rows) for u, rows in owned]
                        for device, _rows in phones:
                            device.pull_all()  # installed and synced: edits on real versions
                        for device, _rows in phones:
                            # A connection idle since its install may be closed by the server
                            # (keep-alive, 2 s) just as the timed push reuses it: start afresh.
                            device.client.session.close()
                        before = server_cpu(server.process.pid)
                        db_before = database_cpu(postmaster)
                        elapsed, times = _sync_at_once(phones, batches, limit)
                        updates = n * batches * SERVED_ROWS
                        cpu[label].append(
                            (server_cpu(server.process.pid) - before) * 1000 / updates
                        )
                        db_cpu[label].append(
                            (database_cpu(postmaster) - db_before) * 1000 / updates
                        )
                    finally:
                        server.stop()
                rates[label].append(n * batches * SERVED_ROWS / elapsed)
                pulls[label].extend(times)
                log(
                    f"{n} phones, {label}: {fmt(rates[label][-1])} updates/s,"
                    f" pull p50 {median(times):.3f} s, server CPU {cpu[label][-1]:.2f} ms/update,"
                    f" database CPU {db_cpu[label][-1]:.2f} ms/update"
                )
        parts = [
            f"{label}: {fmt(median(rates[label]))} updates/s, pull p50"
            f" {median(pulls[label]):.3f} s p95 {percentile(pulls[label], 0.95):.3f} s, gunicorn"
            f" CPU {median(cpu[label]):.2f} ms per update (push and pulls), database CPU"
            f" {median(db_cpu[label]):.2f} ms per update"
            for label, *_ in sides
        ]
        for label, *_ in sides[1:]:
            ratio = median(rates[first]) / median(rates[label])
            used = median(cpu[first]) / median(cpu[label])
            db_used = median(db_cpu[first]) / median(db_cpu[label])
            parts.append(
                f"throughput x{ratio:.2f} of {label}, CPU per update x{used:.2f},"
                f" database CPU per update x{db_used:.2f}"
            )
        lines.append(
            f"served_sync_{n}_devices: " + "; ".join(parts) + f"; {batches} rounds of"
            f" {SERVED_ROWS} updates and a pull per phone, medians of {rounds},"
            f" gunicorn -w 2{f' --threads {threads}' if threads > 1 else ''}, PostgreSQL"
        )
    return lines


# --- main ------------------------------------------------------------------------------------


@contextmanager
def workdir():
    path = Path(tempfile.mkdtemp(prefix="rounds-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few rounds: a smoke run")
    parser.add_argument("--skip-browser", action="store_true", help="leave out the Chromium figure")
    parser.add_argument(
        "--profile-push",
        type=int,
        metavar="N",
        default=0,
        help="only profile one push of 500 and print the top N functions",
    )
    parser.add_argument(
        "--served-push",
        metavar="POSTGRESQL_URL",
        help="only: phones pushing at once to gunicorn -w 2 on this database (its public"
        " schema is dropped and rebuilt)",
    )
    parser.add_argument("--devices", default="1,4,16", help="phone counts for --served-push")
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        action="append",
        default=[],
        help="with --served-push: also run this checkout's code (git archive of main), interleaved;"
        " may be given more than once",
    )
    parser.add_argument("--rounds", type=int, default=SERVED_ROUNDS, help="for --served-push")
    parser.add_argument(
        "--threads", type=int, default=1, help="for --served-push: threads per gunicorn worker"
    )
    parser.add_argument(
        "--batches", type=int, default=SERVED_BATCHES, help="for --served-push: per phone"
    )
    parser.add_argument(
        "--pull-limits",
        metavar="A,B",
        default="",
        help="for --served-push: instead of --baseline, this code with phones pulling pages of"
        " each size, interleaved",
    )
    args = parser.parse_args(argv)
    if args.served_push:
        counts = [int(n) for n in args.devices.split(",")]
        for line in figure_served_push(
            args.served_push,
            counts,
            args.baseline,
            args.rounds,
            args.batches,
            args.threads,
            [int(n) for n in args.pull_limits.split(",") if n],
        ):
            print(line, flush=True)
        return
    sizes = QUICK if args.quick else FULL
    log(
        f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]},"
        f" {'quick' if args.quick else 'full'} run"
    )
    with workdir() as work:
        if args.profile_push:
            profile_push(args.profile_push, work)
            return
        print(figure_push(sizes, work), flush=True)
        for line in figure_pull(sizes, work):
            print(line, flush=True)
        if not args.skip_browser:
            print(figure_idb(sizes, work), flush=True)


if __name__ == "__main__":
    main()
