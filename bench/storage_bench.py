"""What a 20 MB document costs to upload and download with attachments in S3 against a folder.

Builds a temporary app (SQLite file) and a local S3-compatible server (moto in server mode, on
loopback, as the tests use), then, in interleaved rounds after a warm-up, sends the largest
document allowed (20 MiB of random bytes) through the real endpoints in the phone's 1 MiB pieces
(`PUT /api/attachments/<id>/content`) and downloads it again, once with `ROUNDS_STORAGE=local`
and once with `s3`. Prints one line per figure with the medians of both sides and their ratio,
plus the S3 requests one upload makes and the peak Python memory of the request that finishes
(assembles and checks) the file. moto keeps objects in memory on this machine: the figures show
the app's own work and the requests it makes, not a real bucket's latency.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import factories  # noqa: E402
from tests.conftest import sign_in_as  # noqa: E402
from tests.object_store import (  # noqa: E402
    ENVIRONMENT,
    REGION,
    make_bucket,
    start_object_store,
)
from webapp import create_app  # noqa: E402
from webapp.attachments import storage  # noqa: E402
from webapp.db import upgrade  # noqa: E402
from webapp.extensions import db  # noqa: E402

SIZE = 20 * 2**20
PIECE = 2**20  # static/js/attachments.js CHUNK


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Side:
    """The app with one of its storages in place, an engineer signed in, a device to announce
    files. The app is one (peewee's database proxy is process-wide); each side swaps in its
    storage before it works."""

    def __init__(self, app, world, store: storage.Storage) -> None:
        self.app = app
        self.world = world
        self.store = store
        self.client = app.test_client()
        self.csrf = sign_in_as(self.client, world["users"]["engineer"])
        self.client_id = str(uuid.uuid4())
        self.seq = 0

    def use(self) -> Side:
        self.app.extensions[storage.EXTENSION] = self.store
        return self

    def announce(self, data: bytes) -> str:
        self.seq += 1
        attachment_id = str(uuid.uuid4())
        mutation = {
            "mutation_id": str(uuid.uuid4()),
            "client_seq": self.seq,
            "entity": "attachment",
            "id": attachment_id,
            "op": "create",
            "base_version": 0,
            "changes": {
                "owner_entity": "equipment",
                "owner_id": str(self.world["equipment"][0].id),
                "kind": "document",
                "filename": "manual.pdf",
                "mime": "application/pdf",
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            },
            "client_time": "2026-11-21T08:00:00Z",
        }
        answer = self.client.post(
            "/api/sync/push",
            json={"client_id": self.client_id, "mutations": [mutation]},
            headers={"X-CSRF-Token": self.csrf},
        )
        body = answer.get_json()
        assert body.get("results", [{}])[0].get("status") == "applied", body
        return attachment_id

    def put(self, attachment_id: str, data: bytes, start: int) -> dict:
        piece = data[start : start + PIECE]
        answer = self.client.put(
            f"/api/attachments/{attachment_id}/content",
            data=piece,
            headers={
                "X-CSRF-Token": self.csrf,
                "Content-Range": f"bytes {start}-{start + len(piece) - 1}/{len(data)}",
            },
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()

    def upload(self, data: bytes) -> tuple[str, float, float]:
        """Seconds for the whole upload and for its last piece."""
        attachment_id = self.announce(data)
        started = time.perf_counter()
        for start in range(0, len(data) - PIECE, PIECE):
            self.put(attachment_id, data, start)
        last = time.perf_counter()
        assert self.put(attachment_id, data, len(data) - PIECE)["status"] == "complete"
        done = time.perf_counter()
        return attachment_id, done - started, done - last

    def download(self, attachment_id: str, data: bytes) -> float:
        started = time.perf_counter()
        response = self.client.get(f"/api/attachments/{attachment_id}/content")
        body = response.get_data()
        response.close()
        elapsed = time.perf_counter() - started
        assert body == data
        return elapsed


def s3_requests(side: Side, data: bytes) -> Counter:
    """The S3 operations one upload makes."""
    seen: Counter = Counter()
    client = side.store.client

    def count(model, **_kwargs):
        seen[model.name] += 1

    client.meta.events.register("before-call.s3", count)
    try:
        side.upload(data)
    finally:
        client.meta.events.unregister("before-call.s3", count)
    return seen


def finishing_peak(side: Side, data: bytes) -> float:
    """Peak Python memory (MiB) of the request carrying the last piece."""
    attachment_id = side.announce(data)
    for start in range(0, len(data) - PIECE, PIECE):
        side.put(attachment_id, data, start)
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    side.put(attachment_id, data, len(data) - PIECE)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.update(ENVIRONMENT)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        store = start_object_store(directory / "moto.log")
        try:
            make_bucket(store.url, "bench")
            app = create_app(
                {
                    "SECRET_KEY": "bench",
                    "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}",
                    "ATTACHMENTS_DIR": str(directory / "attachments"),
                    "S3_BUCKET": "bench",
                    "S3_ENDPOINT_URL": store.url,
                    "S3_REGION": REGION,
                }
            )
            with app.app_context():
                upgrade()
                db.connect(reuse_if_open=True)
                world = factories.make_world()
                db.close()
                local = storage.build(app)
                app.config["STORAGE"] = "s3"
                s3 = storage.build(app)
            sides = {"local": Side(app, world, local), "s3": Side(app, world, s3)}
            data = os.urandom(SIZE)
            times: dict[str, dict[str, list[float]]] = {
                name: {"upload": [], "last": [], "download": []} for name in sides
            }
            for round_number in range(args.rounds + 1):  # the first round warms up
                for name, side in sides.items():
                    attachment_id, total, last = side.use().upload(data)
                    fetched = side.download(attachment_id, data)
                    if round_number:
                        times[name]["upload"].append(total)
                        times[name]["last"].append(last)
                        times[name]["download"].append(fetched)
                log(f"round {round_number} done")
            requests = s3_requests(sides["s3"].use(), data)
            peaks = {name: finishing_peak(side.use(), data) for name, side in sides.items()}
        finally:
            store.stop()

    median = {n: {k: statistics.median(v) for k, v in t.items()} for n, t in times.items()}
    s3, local = median["s3"], median["local"]
    calls = ", ".join(f"{count} {name}" for name, count in sorted(requests.items()))
    print(
        f"upload_20mb_s3_vs_local: {s3['upload'] / local['upload']:.1f}x "
        f"({s3['upload']:.2f} s vs {local['upload']:.2f} s for 20 pieces of 1 MiB; "
        f"the last piece, which checks and assembles: {s3['last']:.2f} s vs {local['last']:.2f} s)"
    )
    print(
        f"download_20mb_s3_vs_local: {s3['download'] / local['download']:.1f}x "
        f"({s3['download']:.2f} s vs {local['download']:.2f} s, streamed)"
    )
    print(f"s3_requests_per_20mb_upload: {sum(requests.values())} ({calls})")
    print(
        f"finishing_request_memory_peak: s3 {peaks['s3']:.1f} MiB, local {peaks['local']:.1f} MiB"
    )


if __name__ == "__main__":
    main()
