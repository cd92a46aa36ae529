"""The office's fault board with many open faults: time to answer `/office/faults`, and how it
grows with the number of open faults (each row reads its clocks now, in its contract's hours).

    .venv/bin/python bench/fault_board_bench.py               # 250, 500, 1000, 2000 open faults
    .venv/bin/python bench/fault_board_bench.py --sizes 2000 --runs 5

Faults are spread over 20 sites of 4 clients, half of them on working-hours contracts, reported
over the last 3 hours, a third of them responded. Each size is a fresh SQLite file; the figure
is the median of `--runs` requests made by the test client as a dispatcher. Then the worker's
escalation sweep on the same faults: the first (which escalates and tells every fault near or
past its limit) and, median of `--runs`, the sweeps after it, with nothing new to do, as the
worker runs one every few seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync_bench import fresh_app  # noqa: E402

from tests.conftest import sign_in_as  # noqa: E402
from tests.factories import create_client, create_site, create_user  # noqa: E402
from webapp.db import write_transaction  # noqa: E402
from webapp.faults import operations as ops  # noqa: E402
from webapp.models import Fault  # noqa: E402
from webapp.records import batched_writes, create_record  # noqa: E402


def seed(count: int) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    engineer = create_user("engineer", "bench-eng")
    clients = [
        create_client(f"客户{n}", clock_mode="working_hours" if n % 2 else "round_the_clock")
        for n in range(4)
    ]
    sites = [create_site(clients[n % 4], f"站点{n}") for n in range(20)]
    with write_transaction(), batched_writes():
        for n in range(count):
            values = {
                "id": uuid.uuid4(),
                "number": f"F-2026-{n:05d}",
                "site": sites[n % 20].id,
                "description": f"故障 {n}",
                "reported_at": (now - timedelta(seconds=(n * 97) % 10_800)).isoformat(),
                "reported_by": engineer.id,
            }
            fault = create_record(Fault, actor=None, **values, **ops.derived(Fault(**values)))
            if n % 3 == 0:
                ops.add_event(
                    actor=engineer,
                    id=uuid.uuid4(),
                    data={
                        "fault_id": fault.id,
                        "kind": "responded",
                        "at": (now - timedelta(seconds=(n * 31) % 600)).isoformat(),
                        "note": "",
                    },
                    details={"channel": "phone"},
                    site_ids={fault.site_id},
                )


def measure(count: int, runs: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        app, _path = fresh_app(Path(tmp))
        with app.app_context():
            from webapp.extensions import db

            db.connect(reuse_if_open=True)
            seed(count)
            dispatcher = create_user("dispatcher", "bench-disp")
            client = app.test_client()
            sign_in_as(client, dispatcher)
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                response = client.get("/office/faults")
                response.get_data()
                times.append(time.perf_counter() - start)
                assert response.status_code == 200
            from webapp.notify import escalation

            start = time.perf_counter()
            escalation.sweep()  # the first: escalates and tells what is near or past its limit
            first = time.perf_counter() - start
            sweeps = []
            for _ in range(runs):  # then as the worker runs it every few seconds
                start = time.perf_counter()
                escalation.sweep()  # at most a fault that came near its limit meanwhile
                sweeps.append(time.perf_counter() - start)
            db.close()
    return statistics.median(times), first, statistics.median(sweeps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for size in args.sizes:
        board, first, sweep = measure(size, args.runs)
        print(
            f"{size:5d} open faults: board {board * 1000:7.0f} ms; escalation sweep"
            f" {first * 1000:7.0f} ms the first time, {sweep * 1000:6.0f} ms with nothing new",
            flush=True,
        )


if __name__ == "__main__":
    main()
