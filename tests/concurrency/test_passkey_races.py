"""Passkey answers sent many times at once: one challenge signs in once; one sign count once.

The challenge is spent by a conditional update (`used_at IS NULL`), and the new sign count is
written only over a lower one (`sign_count < new`), both in the database, so that requests
served by different processes cannot each read "unused" or "count 0" and all pass. Without the
condition in either update, these tests fail: every request of the wave signs in.

gunicorn with 2 worker processes of 10 threads each on PostgreSQL; the requests are released
together by a barrier.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import requests

from tests import factories
from tests.passkey_authenticator import SoftAuthenticator, SoftPasskey, b64url
from webapp.models import Passkey, UserSession

from .served import start_gunicorn

ORIGIN = "https://rounds.example.com"
WAVE = 20


@pytest.fixture(scope="module")
def passkey_server(served_database, tmp_path_factory):
    server = start_gunicorn(
        served_database,
        tmp_path_factory.mktemp("passkeys"),
        env={"GUNICORN_CMD_ARGS": "--threads 10", "ROUNDS_PUBLIC_URL": ORIGIN},
    )
    yield server
    server.stop()


@pytest.fixture
def key(served):
    user = factories.create_user("engineer", "li")
    authenticator = SoftAuthenticator(origin=ORIGIN)
    passkey = SoftPasskey(rp_id="rounds.example.com", user_handle=user.id.bytes)
    authenticator.passkeys.append(passkey)
    Passkey.create(
        user=user,
        credential_id=b64url(passkey.credential_id),
        public_key=b64url(passkey.cose_public_key()),
        name="phone",
    )
    return authenticator


def start(base_url: str) -> tuple[requests.Session, str, dict]:
    http = requests.Session()
    token = http.get(f"{base_url}/api/auth/csrf", timeout=60).json()["csrf_token"]
    started = http.post(
        f"{base_url}/api/passkeys/sign-in/options",
        json={},
        headers={"X-CSRF-Token": token},
        timeout=60,
    )
    return http, token, started.json()


def fire_at_once(base_url: str, bodies: list[dict]) -> Counter:
    """Each body from its own thread and cookie session, released together by a barrier."""
    barrier = threading.Barrier(len(bodies), timeout=60)
    outcomes: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(body: dict) -> None:
        try:
            with requests.Session() as http:
                token = http.get(f"{base_url}/api/auth/csrf", timeout=60).json()["csrf_token"]
                barrier.wait()
                response = http.post(
                    f"{base_url}/api/passkeys/sign-in",
                    json=body,
                    headers={"X-CSRF-Token": token},
                    timeout=120,
                )
            code = response.json().get("error", {}).get("code", "signed_in")
            with lock:
                outcomes.append((response.status_code, code))
        except BaseException as exc:  # surfaced below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not errors, errors
    assert len(outcomes) == len(bodies)
    return Counter(outcomes)


def test_one_answer_sent_twenty_times_at_once_signs_in_once(served, passkey_server, key):
    http, _, started = start(passkey_server.base_url)
    http.close()
    answer = key.get(started["options"], sign_count=0)  # a synced passkey: no count to guard
    body = {"ceremony": started["ceremony"], "credential": answer}
    outcomes = fire_at_once(passkey_server.base_url, [body] * WAVE)
    assert outcomes == {(200, "signed_in"): 1, (400, "passkey_replayed"): WAVE - 1}, outcomes
    assert UserSession.select().count() == 1


def test_twenty_answers_with_one_sign_count_at_once_sign_in_once(served, passkey_server, key):
    bodies = []
    for _ in range(WAVE):  # a copied key used everywhere at once: each its own ceremony
        http, _, started = start(passkey_server.base_url)
        http.close()
        bodies.append(
            {
                "ceremony": started["ceremony"],
                "credential": key.get(started["options"], sign_count=1),
            }
        )
    outcomes = fire_at_once(passkey_server.base_url, bodies)
    assert outcomes == {
        (200, "signed_in"): 1,
        (401, "passkey_counter_regression"): WAVE - 1,
    }, outcomes
    assert UserSession.select().count() == 1
    assert Passkey.get().sign_count == 1
