"""Check-ins: what verifying a signed check-in costs on sync, and the attendance month sheet.

    .venv/bin/python bench/checkin_bench.py            # about a minute on 2 cores
    .venv/bin/python bench/checkin_bench.py --quick    # smaller sizes

Prints one line per figure (progress on stderr); asserts nothing about timings.

- `push_500_signed_vs_unsigned`: a push of 500 signed check-ins (assertions from the tests'
  software authenticator, ES256) against 500 of the same check-ins saved unsigned, interleaved,
  medians of several rounds; the difference is what verification costs, given per check-in and as
  a share of the signed push.
- `month_sheet_<n>_engineers`: the per-site month sheet (`checkins.attendance.site_sheet`) for n
  engineers × 31 days from 100 check-ins each (200 engineers: 20,000 check-ins), for n = 50, 100,
  200, to show how it grows.
- `access_log_<n>_entries`: the machine-room access log of a month (`checkins.access.access_log`:
  the query and the pairing) and its XLSX export, for one site's 3 restricted rooms visited by 20
  engineers, with 20,000 check-ins at an ordinary room of the same site beside them
  (`--access` runs this figure alone).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_bench import fresh_app, log, workdir  # noqa: E402
from tests import factories  # noqa: E402
from tests.passkey_authenticator import SoftAuthenticator, b64url  # noqa: E402
from webapp.checkins import access, attendance  # noqa: E402
from webapp.checkins.record import canonical_bytes  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import CheckIn, User, utcnow  # noqa: E402

ORIGIN = "http://localhost"


def signed_in(app, user):
    client = app.test_client()
    csrf = client.get("/api/auth/csrf").json["csrf_token"]
    r = client.post(
        "/api/auth/sign-in",
        json={"username": user.username, "password": factories.PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200, r.json
    return client, client.get("/api/auth/csrf").json["csrf_token"]


def batch(user, site, key, *, signed: bool, seq: int, n: int):
    mutations = []
    for i in range(n):
        record = {
            "id": str(uuid.uuid4()),
            "user_id": str(user.id),
            "site_id": str(site.id),
            "location_id": None,
            "tag_token": "",
            "kind": "in" if i % 2 == 0 else "out",
            "device_time": utcnow().strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "server_time": "",
        }
        data = canonical_bytes(record)
        changes = {k: v for k, v in record.items() if k != "id"}
        changes["canonical"] = b64url(data)
        changes["assertion"] = (
            key.get({"challenge": b64url(hashlib.sha256(data).digest())}) if signed else None
        )
        mutations.append(
            {
                "mutation_id": str(uuid.uuid4()),
                "client_seq": seq + i + 1,
                "entity": "checkin",
                "id": record["id"],
                "op": "create",
                "changes": changes,
            }
        )
    return mutations


def push_figure(app, rounds: int, n: int) -> None:
    with app.app_context():
        site = factories.create_site(factories.create_client("会议中心"), "主楼")
        user = factories.create_user("engineer", "eng")
        factories.assign(user, site)
    app.config["PUBLIC_URL"] = ORIGIN + "/"
    client, csrf = signed_in(app, user)
    key = SoftAuthenticator(origin=ORIGIN)
    options = client.post("/api/passkeys/register/options", headers={"X-CSRF-Token": csrf}).json
    answer = key.create(options["options"])
    r = client.post(
        "/api/passkeys/register",
        json={"ceremony": options["ceremony"], "name": "bench", "credential": answer},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201, r.json
    client_id = str(uuid.uuid4())
    seq = 0
    times = {True: [], False: []}
    for round_ in range(rounds + 1):
        for signed in (True, False):
            mutations = batch(user, site, key, signed=signed, seq=seq, n=n)
            seq += n
            started = time.perf_counter()
            r = client.post(
                "/api/sync/push",
                json={"client_id": client_id, "mutations": mutations},
                headers={"X-CSRF-Token": csrf},
            )
            took = time.perf_counter() - started
            results = r.json["results"]
            assert all(x["status"] == "applied" for x in results), results[:1]
            if round_:  # the first round warms up
                times[signed].append(took)
        log(f"push round {round_} done")
    with_sig, without = statistics.median(times[True]), statistics.median(times[False])
    cost = (with_sig - without) / n
    print(
        f"push_{n}_signed_vs_unsigned: signed {with_sig:.2f} s, unsigned {without:.2f} s; "
        f"verification {cost * 1000:.2f} ms per check-in, "
        f"{(with_sig - without) / with_sig:.0%} of the signed push"
    )


def sheet_figure(app, sizes: list[int], per_engineer: int) -> None:
    """A site of its own per size, each engineer with `per_engineer` check-ins in December."""
    with app.app_context():
        client = factories.create_client("数据中心")
        now = utcnow()
        for n in sizes:
            site = factories.create_site(client, f"机房{n}")
            rows = []
            for i in range(n):
                user = factories.create_user("engineer", f"s{n}e{i}")
                factories.assign(user, site)
                for k in range(per_engineer):
                    day = 1 + (k // 2) % 31
                    at = datetime(2026, 12, day, 0, 20 + k % 30) + timedelta(hours=9 * (k % 2))
                    rows.append(
                        {
                            "id": uuid.uuid4(),
                            "user": user.id,
                            "site": site.id,
                            "kind": "out" if k % 2 else "in",
                            "device_text": at.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                            "device_time": at,
                            "received_at": now,
                            "content_hash": "0" * 64,
                            "signed": True,
                            "verification": "verified",
                            "flags": "[]",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
            with db.atomic():
                for i in range(0, len(rows), 500):
                    CheckIn.insert_many(rows[i : i + 500]).execute()
            took = []
            for _ in range(3):
                started = time.perf_counter()
                sheet = attendance.site_sheet(site, 2026, 12, datetime(2027, 1, 1, tzinfo=UTC))
                took.append(time.perf_counter() - started)
            print(
                f"month_sheet_{n}_engineers: {statistics.median(took):.2f} s for {len(sheet)} "
                f"engineers x 31 days from {len(rows):,} check-ins"
            )


def access_figure(app, *, engineers: int, visits_per_day: int) -> None:
    """Each engineer enters each restricted room `visits_per_day` times a day in December; every
    tenth entry is left open; an ordinary room gets 20,000 check-ins beside them."""
    with app.app_context():
        site = factories.create_site(factories.create_client("数据中心"), "主楼")
        rooms = [factories.create_location(site, f"机房{r}", restricted=True) for r in range(3)]
        plain = factories.create_location(site, "会议室")
        admin = factories.create_user("admin", "bench-admin")
        now = utcnow()
        rows = []

        def row(user, room, kind, at, **extra):
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "user": user.id,
                    "site": site.id,
                    "location": room.id,
                    "kind": kind,
                    "device_text": at.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                    "device_time": at,
                    "received_at": now,
                    "content_hash": "0" * 64,
                    "signed": True,
                    "verification": "verified",
                    "flags": "[]",
                    "created_at": now,
                    "updated_at": now,
                    "escorts": "[]",
                    **extra,
                }
            )

        users = [factories.create_user("engineer", f"a{i}") for i in range(engineers)]
        entries = 0
        for i, user in enumerate(users):
            for day in range(1, 32):
                for r, room in enumerate(rooms):
                    for v in range(visits_per_day):
                        at = datetime(2026, 12, day, 1 + r * 3 + v, i % 60)
                        row(user, room, "in", at, purpose="=1+1 更换电源", people=2)
                        entries += 1
                        if entries % 10:
                            row(user, room, "out", at + timedelta(minutes=40))
        for k in range(20_000):
            at = datetime(2026, 12, 1 + k % 31, 0, k % 60)
            row(users[k % engineers], plain, "in" if k % 2 == 0 else "out", at)
        with db.atomic():
            for i in range(0, len(rows), 500):
                CheckIn.insert_many(rows[i : i + 500]).execute()
        actor = User.get_by_id(admin.id)
        took, export = [], []
        with app.test_request_context():
            for _ in range(3):
                started = time.perf_counter()
                log_entries = access.access_log(
                    actor, first_day=date(2026, 12, 1), last_day=date(2026, 12, 31)
                )
                took.append(time.perf_counter() - started)
                started = time.perf_counter()
                titles = {k: k for k in ("site", "room", "engineer", "in", "out", "purpose")}
                titles |= {k: k for k in ("people", "escorts", "verification")}
                titles |= {"out_verification": "ov", "open": "open"}
                access.export_xlsx(log_entries, titles, {}, title="x")
                export.append(time.perf_counter() - started)
        still_open = sum(e.open for e in log_entries)
        print(
            f"access_log_{len(log_entries)}_entries: log {statistics.median(took):.2f} s, "
            f"XLSX {statistics.median(export):.2f} s ({still_open} open; "
            f"{len(rows):,} check-ins in the table)"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--access", action="store_true", help="the access log figure alone")
    args = parser.parse_args(argv)
    with workdir() as directory:
        if args.access:
            app, _path = fresh_app(directory / "access")
            access_figure(app, engineers=5 if args.quick else 20, visits_per_day=2)
            return
        app, _path = fresh_app(directory / "push")
        push_figure(app, rounds=1 if args.quick else 3, n=100 if args.quick else 500)
        app, _path = fresh_app(directory / "sheet")
        sizes = [5, 10] if args.quick else [50, 100, 200]
        sheet_figure(app, sizes, per_engineer=100)
        app, _path = fresh_app(directory / "access")
        access_figure(app, engineers=5 if args.quick else 20, visits_per_day=2)


if __name__ == "__main__":
    main()
