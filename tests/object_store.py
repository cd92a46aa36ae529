"""A local S3-compatible server for the tests: moto in server mode (the `moto[server]` test
dependency) on a free loopback port, so attachments really travel over HTTP to a bucket.

A missing `moto_server` fails the run; it is never a reason to skip.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import requests

START_TIMEOUT = 30.0

# boto3 reads these; with them set it never looks for an instance role on the network.
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "rounds-test",
    "AWS_SECRET_ACCESS_KEY": "rounds-test-secret",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ObjectStore:
    url: str
    process: subprocess.Popen
    log: Any

    def reset(self) -> None:
        """Forget every bucket (moto's own reset call)."""
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


def start_object_store(log_path: Path) -> ObjectStore:
    executable = Path(sys.executable).with_name("moto_server")
    if not executable.exists():
        raise RuntimeError(
            f"{executable} is missing: install the test extras (pip install -e '.[test]')."
        )
    port = _free_port()
    log = open(log_path, "wb")  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(
        [str(executable), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **ENVIRONMENT},
    )
    store = ObjectStore(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            requests.get(f"{store.url}/moto-api/data.json", timeout=2).raise_for_status()
            return store
        except requests.RequestException:
            time.sleep(0.1)
    store.stop()
    raise RuntimeError(f"moto_server did not start: {log_path.read_text(errors='replace')}")


@cache
def _client(url: str) -> Any:
    import boto3

    return boto3.session.Session().client("s3", endpoint_url=url, region_name=REGION)


def make_bucket(url: str, name: str) -> None:
    _client(url).create_bucket(Bucket=name)
