"""Forty wrong passwords at once: exactly the limit are checked, the rest are refused (429).

The throttle's check and its count are one step under a row lock (webapp/auth/throttle.py). The
defect it replaces counted the failures, checked the password, then wrote the failure: parallel
attempts all saw the same count, and 40 at once got 6 checked against a limit of 5. Without the
lock (`for_update()` removed) these tests fail: the attempts of one wave all read the same count.

The server here is gunicorn with 2 worker processes of 10 threads each on PostgreSQL, so that the
40 requests are really in flight together, as behind a proxy in front of several app servers.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import requests

from tests import factories
from webapp.auth.throttle import keys_for
from webapp.models import LoginThrottle

from .served import start_gunicorn

ATTEMPTS = 40
PER_PAIR = 5  # LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS (the default)
PER_ACCOUNT = 8  # LOGIN_DELAY_AFTER_FAILURES below: then a delay longer than the test
PER_ADDRESS = 12  # LOGIN_MAX_FAILURES_PER_ADDRESS below


@pytest.fixture(scope="module")
def throttled(served_database, tmp_path_factory):
    server = start_gunicorn(
        served_database,
        tmp_path_factory.mktemp("throttled"),
        env={
            "GUNICORN_CMD_ARGS": "--threads 10",
            "ROUNDS_PROXY_COUNT": "1",  # each thread plays a client at its own address
            "ROUNDS_LOGIN_MAX_FAILURES_PER_ADDRESS": str(PER_ADDRESS),
            "ROUNDS_LOGIN_DELAY_AFTER_FAILURES": str(PER_ACCOUNT),
            "ROUNDS_LOGIN_DELAY_FIRST_SECONDS": "600",
            "ROUNDS_LOGIN_DELAY_MAX_SECONDS": "600",
        },
    )
    yield server
    server.stop()


def fire_at_once(base_url: str, attempts: list[tuple[str, str]]) -> Counter:
    """Each (username, address) from its own thread and cookie session, released together by a
    barrier once every thread holds its CSRF token. Returns the count of each status."""
    barrier = threading.Barrier(len(attempts), timeout=60)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(username: str, address: str) -> None:
        try:
            with requests.Session() as http:
                headers = {"X-Forwarded-For": address}
                token = http.get(f"{base_url}/api/auth/csrf", headers=headers, timeout=60).json()
                barrier.wait()
                response = http.post(
                    f"{base_url}/api/auth/sign-in",
                    json={"username": username, "password": "wrong-password"},
                    headers={**headers, "X-CSRF-Token": token["csrf_token"]},
                    timeout=120,
                )
            with lock:
                statuses.append(response.status_code)
        except BaseException as exc:  # surfaced below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=a) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not errors, errors
    assert len(statuses) == len(attempts)
    return Counter(statuses)


def test_one_address_guessing_one_account_gets_exactly_the_pair_limit(served, throttled):
    factories.create_user("engineer", "li")
    statuses = fire_at_once(throttled.base_url, [("li", "203.0.113.9")] * ATTEMPTS)
    assert statuses == {401: PER_PAIR, 429: ATTEMPTS - PER_PAIR}, statuses
    assert LoginThrottle.get_by_id(keys_for("li", "203.0.113.9").pair).failures == PER_PAIR


def test_many_addresses_guessing_one_account_get_exactly_the_account_s_free_tries(
    served, throttled
):
    factories.create_user("engineer", "li")
    attempts = [("li", f"198.51.100.{n + 1}") for n in range(ATTEMPTS)]
    statuses = fire_at_once(throttled.base_url, attempts)
    assert statuses == {401: PER_ACCOUNT, 429: ATTEMPTS - PER_ACCOUNT}, statuses
    assert LoginThrottle.get_by_id(keys_for("li", "x").account).failures == PER_ACCOUNT


def test_one_address_spraying_many_accounts_gets_exactly_the_address_limit(served, throttled):
    attempts = [(f"user{n}", "192.0.2.77") for n in range(ATTEMPTS)]
    statuses = fire_at_once(throttled.base_url, attempts)
    assert statuses == {401: PER_ADDRESS, 429: ATTEMPTS - PER_ADDRESS}, statuses
    assert LoginThrottle.get_by_id(keys_for("x", "192.0.2.77").address).failures == PER_ADDRESS
