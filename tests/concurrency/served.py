"""The app as production runs it, for tests whose requests must really overlap: gunicorn with
several worker processes on one PostgreSQL database, driven over HTTP from threads.

SQLite lets one writer in at a time, so nothing here can race on it; these tests run on
PostgreSQL only (CI runs the suite on both stores).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    """A running gunicorn: its address, its processes and the database it serves."""

    base_url: str
    database_url: str
    process: subprocess.Popen
    log_path: Path
    log_file: Any = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.log_file is not None:
            self.log_file.close()


def start_gunicorn(
    database_url: str, instance: Path, *, workers: int = 2, env: dict[str, str] | None = None
) -> Served:
    """Start `gunicorn wsgi:app` on a free loopback port and wait until it answers."""
    port = free_port()
    log_path = instance / "gunicorn.log"
    instance.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ROUNDS_SECRET_KEY": "concurrency-test-secret",
        "ROUNDS_INSTANCE_PATH": str(instance),
        "ROUNDS_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000",
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--no-control-socket",
        "wsgi:app",
    ]
    log = open(log_path, "wb")  # noqa: SIM115 - closed when the process ends
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    served = Served(f"http://127.0.0.1:{port}", database_url, process, log_path, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + served.log())
        try:
            if requests.get(served.base_url + "/api/openapi.json", timeout=5).ok:
                return served
        except requests.RequestException:
            pass
        time.sleep(0.2)
    served.stop()
    raise RuntimeError("gunicorn did not answer in time:\n" + served.log())


class Response:
    """A `requests` response with the two methods `tests.sync_client.Device` reads."""

    def __init__(self, response: requests.Response) -> None:
        self.raw = response
        self.status_code = response.status_code
        self.headers = response.headers

    def get_json(self, silent: bool = False) -> Any:
        try:
            return self.raw.json()
        except ValueError:
            if silent:
                return None
            raise

    def get_data(self, as_text: bool = False):
        return self.raw.text if as_text else self.raw.content


@dataclass
class HttpClient:
    """A signed-in browser-like client over real HTTP (cookies kept, CSRF header sent)."""

    base_url: str
    session: requests.Session = field(default_factory=requests.Session)
    csrf: str = ""
    timeout: float = 60.0

    def sign_in(self, username: str, password: str) -> Response:
        self.csrf = self.get("/api/auth/csrf").get_json()["csrf_token"]
        response = self.post("/api/auth/sign-in", json={"username": username, "password": password})
        if response.status_code == 200:
            self.csrf = response.get_json()["csrf_token"]
        return response

    def get(self, path: str, **kw) -> Response:
        return Response(self.session.get(self.base_url + path, timeout=self.timeout, **kw))

    def post(self, path: str, json: Any = None, headers: dict | None = None, **kw) -> Response:
        return self.send("POST", path, json=json, headers=headers, **kw)

    def send(self, method: str, path: str, json: Any = None, headers: dict | None = None, **kw):
        sent = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        sent.update(headers or {})
        return Response(
            self.session.request(
                method, self.base_url + path, json=json, headers=sent, timeout=self.timeout, **kw
            )
        )


def filler_mutations(device, record_id: str, count: int, entity: str = "equipment") -> list[dict]:
    """`count` cheap edits that hold a push's transaction open (see docs/testing.md)."""
    return [
        device.edit(entity, record_id, {"notes": f"filler {uuid.uuid4().hex[:8]} {i}"})
        for i in range(count)
    ]
