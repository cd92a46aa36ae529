"""Passkey sign-in with real WebAuthn data from a software authenticator: registering, signing
in, and one refusal per rule the server checks (each named by its own code)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.conftest import sign_in_as
from tests.factories import PASSWORD, create_user
from tests.passkey_authenticator import SoftAuthenticator, b64url, unb64url
from webapp.errors import ApiError
from webapp.models import AuditEntry, Passkey, PasskeyChallenge, UserSession, utcnow
from webapp.passkeys import ceremony
from webapp.passkeys import operations as ops
from webapp.passkeys.operations import stored_credential
from webapp.passkeys.relying_party import relying_party

ORIGIN = "https://rounds.example.com"
RP_ID = "rounds.example.com"


@pytest.fixture
def app(app):
    app.config["PUBLIC_URL"] = ORIGIN + "/"
    return app


@pytest.fixture
def engineer():
    return create_user("engineer", "eng")


@pytest.fixture
def key():
    return SoftAuthenticator(origin=ORIGIN)


def register(client, csrf, key, *, name="My phone", **answer):
    options = client.post("/api/passkeys/register/options", headers={"X-CSRF-Token": csrf})
    assert options.status_code == 200, options.json
    body = {
        "ceremony": options.json["ceremony"],
        "name": name,
        "credential": key.create(options.json["options"], **answer),
    }
    return client.post("/api/passkeys/register", json=body, headers={"X-CSRF-Token": csrf})


def start_sign_in(client):
    csrf = client.get("/api/auth/csrf").json["csrf_token"]
    options = client.post("/api/passkeys/sign-in/options", headers={"X-CSRF-Token": csrf})
    assert options.status_code == 200, options.json
    return csrf, options.json


def sign_in(client, key, **answer):
    csrf, started = start_sign_in(client)
    body = {"ceremony": started["ceremony"], "credential": key.get(started["options"], **answer)}
    return client.post("/api/passkeys/sign-in", json=body, headers={"X-CSRF-Token": csrf})


@pytest.fixture
def registered(app, engineer, key):
    owner = app.test_client()
    csrf = sign_in_as(owner, engineer)
    r = register(owner, csrf, key)
    assert r.status_code == 201, r.json
    return Passkey.get_by_id(r.json["id"])


# The relying party -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("public_url", "rp_id", "origin"),
    [
        ("https://Rounds.Example.com/", "rounds.example.com", "https://rounds.example.com"),
        ("https://rounds.example.com:443/app/", "rounds.example.com", "https://rounds.example.com"),
        ("https://ops.example.cn:8443", "ops.example.cn", "https://ops.example.cn:8443"),
        (None, "localhost", "http://localhost:5000"),
    ],
)
def test_the_relying_party_comes_from_the_public_url(public_url, rp_id, origin):
    rp = relying_party(public_url, "http://localhost:5000/")
    assert (rp.id, rp.origin) == (rp_id, origin)


# Registering and signing in ----------------------------------------------------------------


def test_an_engineer_adds_a_passkey_and_signs_in_with_it_without_a_username(
    app, engineer, key, registered
):
    assert registered.user_id == engineer.id
    assert registered.name == "My phone" and registered.last_used_at is None
    options = PasskeyChallenge.select().where(PasskeyChallenge.purpose == "register").get()
    assert options.used_at is not None, "the registration's challenge is spent"

    browser = app.test_client()
    r = sign_in(browser, key)
    assert r.status_code == 200, r.json
    assert r.json["username"] == "eng" and r.json["csrf_token"]
    assert browser.get("/api/auth/me").json["username"] == "eng"
    live = UserSession.select().where(
        (UserSession.user == engineer) & UserSession.revoked_at.is_null()
    )
    assert live.count() == 2, "the same database session as a password sign-in, beside the first"
    passkey = Passkey.get_by_id(registered.id)
    assert passkey.sign_count == 1 and passkey.last_used_at is not None

    mine = browser.get("/api/passkeys").json
    assert [(p["name"], p["last_used_at"] is not None) for p in mine] == [("My phone", True)]
    actions = [a.action for a in AuditEntry.select().order_by(AuditEntry.id)]
    assert "passkey_added" in actions


def test_the_sign_in_options_ask_for_a_discoverable_passkey_and_user_verification(app, engineer):
    client = app.test_client()
    csrf = sign_in_as(client, engineer)
    made = client.post("/api/passkeys/register/options", headers={"X-CSRF-Token": csrf}).json
    assert made["options"]["rp"] == {"id": RP_ID, "name": "Rounds"}
    selection = made["options"]["authenticatorSelection"]
    assert selection["residentKey"] == "required"
    assert selection["userVerification"] == "required"
    _, started = start_sign_in(app.test_client())
    assert started["options"]["rpId"] == RP_ID
    assert started["options"]["userVerification"] == "required"
    assert started["options"].get("allowCredentials", []) == []


def test_a_synced_passkey_that_always_counts_zero_signs_in_again_and_again(app, engineer):
    key = SoftAuthenticator(origin=ORIGIN, counting=False)
    owner = app.test_client()
    assert register(owner, sign_in_as(owner, engineer), key).status_code == 201
    for _ in range(2):
        assert sign_in(app.test_client(), key).status_code == 200
    assert Passkey.get().sign_count == 0


def test_passkey_sign_in_is_not_throttled_by_password_failures(app, engineer, key, registered):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"] = 2
    client = app.test_client()
    csrf = client.get("/api/auth/csrf").json["csrf_token"]
    for _ in range(3):
        client.post(
            "/api/auth/sign-in",
            json={"username": "eng", "password": "wrong password!"},
            headers={"X-CSRF-Token": csrf},
        )
    locked = client.post(
        "/api/auth/sign-in",
        json={"username": "eng", "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert locked.status_code == 429, "the password is locked out"
    assert sign_in(client, key).status_code == 200, "the passkey is not"


# Each rule, broken once --------------------------------------------------------------------


def other_key():
    return ec.generate_private_key(ec.SECP256R1())


SIGN_IN_REFUSALS = {
    "wrong origin": ({"origin": "https://rounds.example.com.evil.cn"}, 401, "passkey_wrong_origin"),
    "wrong rp id": ({"rp_id": "evil.cn"}, 401, "passkey_wrong_rp_id"),
    "wrong challenge": ({"challenge": b64url(b"0" * 32)}, 401, "passkey_wrong_challenge"),
    "forged signature": ({"signing_key": "other"}, 401, "passkey_bad_signature"),
    "user not verified": ({"user_verified": False}, 401, "passkey_user_not_verified"),
    "user not present": ({"user_present": False}, 401, "passkey_user_not_present"),
}


@pytest.mark.parametrize("case", SIGN_IN_REFUSALS, ids=list(SIGN_IN_REFUSALS))
def test_each_broken_rule_refuses_the_sign_in_with_its_own_reason(
    app, engineer, key, registered, case
):
    answer, status, code = SIGN_IN_REFUSALS[case]
    if answer.get("signing_key") == "other":
        answer = {"signing_key": other_key()}
    client = app.test_client()
    r = sign_in(client, key, **answer)
    assert (r.status_code, r.json["error"]["code"]) == (status, code), r.json
    assert client.get("/api/auth/me").status_code == 401
    assert UserSession.select().where(UserSession.user == engineer).count() == 1  # the owner's
    assert Passkey.get_by_id(registered.id).last_used_at is None


def test_a_counter_that_goes_backwards_is_refused(app, engineer, key, registered):
    assert sign_in(app.test_client(), key, sign_count=5).status_code == 200
    r = sign_in(app.test_client(), key, sign_count=5)
    assert r.json["error"]["code"] == "passkey_counter_regression"
    r = sign_in(app.test_client(), key, sign_count=3)
    assert r.json["error"]["code"] == "passkey_counter_regression"
    assert Passkey.get_by_id(registered.id).sign_count == 5


def test_a_challenge_is_used_once(app, engineer, key, registered):
    client = app.test_client()
    csrf, started = start_sign_in(client)
    answer = key.get(started["options"])
    body = {"ceremony": started["ceremony"], "credential": answer}
    first = client.post("/api/passkeys/sign-in", json=body, headers={"X-CSRF-Token": csrf})
    assert first.status_code == 200
    again = app.test_client()
    csrf = again.get("/api/auth/csrf").json["csrf_token"]
    replay = again.post("/api/passkeys/sign-in", json=body, headers={"X-CSRF-Token": csrf})
    assert (replay.status_code, replay.json["error"]["code"]) == (400, "passkey_replayed")
    assert again.get("/api/auth/me").status_code == 401


def test_a_refused_answer_spends_its_challenge_too(app, engineer, key, registered):
    client = app.test_client()
    csrf, started = start_sign_in(client)
    bad = key.get(started["options"], user_verified=False)
    good = key.get(started["options"])
    send = lambda answer: client.post(  # noqa: E731
        "/api/passkeys/sign-in",
        json={"ceremony": started["ceremony"], "credential": answer},
        headers={"X-CSRF-Token": csrf},
    )
    assert send(bad).json["error"]["code"] == "passkey_user_not_verified"
    assert send(good).json["error"]["code"] == "passkey_replayed"


def test_an_expired_challenge_is_refused(app, engineer, key, registered):
    client = app.test_client()
    csrf, started = start_sign_in(client)
    PasskeyChallenge.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    r = client.post(
        "/api/passkeys/sign-in",
        json={"ceremony": started["ceremony"], "credential": key.get(started["options"])},
        headers={"X-CSRF-Token": csrf},
    )
    assert (r.status_code, r.json["error"]["code"]) == (400, "passkey_expired")


def test_an_unknown_ceremony_is_refused(app, engineer, key, registered):
    client = app.test_client()
    csrf, started = start_sign_in(client)
    r = client.post(
        "/api/passkeys/sign-in",
        json={
            "ceremony": "00000000-0000-4000-8000-000000000000",
            "credential": key.get(started["options"]),
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert r.json["error"]["code"] == "passkey_unknown_request"


def test_an_unknown_passkey_is_refused(app, engineer):
    stranger = SoftAuthenticator(origin=ORIGIN)
    stranger.create({"rp": {"id": RP_ID}, "user": {"id": b64url(b"x" * 16)}, "challenge": "AA"})
    r = sign_in(app.test_client(), stranger)
    assert (r.status_code, r.json["error"]["code"]) == (401, "passkey_unknown")


def test_a_deactivated_account_cannot_sign_in_with_its_passkey(app, engineer, key, registered):
    engineer.active = False
    engineer.save()
    client = app.test_client()
    r = sign_in(client, key)
    assert (r.status_code, r.json["error"]["code"]) == (403, "account_deactivated")
    assert client.get("/api/auth/me").status_code == 401


def test_a_removed_passkey_cannot_sign_in(app, engineer, key, registered):
    owner = app.test_client()
    csrf = sign_in_as(owner, engineer)
    assert (
        owner.delete(f"/api/passkeys/{registered.id}", headers={"X-CSRF-Token": csrf}).status_code
        == 204
    )
    assert owner.get("/api/passkeys").json == []
    r = sign_in(app.test_client(), key)
    assert (r.status_code, r.json["error"]["code"]) == (401, "passkey_revoked")


def test_refusals_speak_the_users_language(app, engineer, key, registered):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    r = sign_in(client, key, user_verified=False)
    assert re.search(r"[\u4e00-\u9fff]", r.json["error"]["message"]), r.json


# Registration's own rules ------------------------------------------------------------------


REGISTRATION_REFUSALS = {
    "wrong origin": ({"origin": "https://evil.cn"}, "passkey_wrong_origin"),
    "wrong rp id": ({"rp_id": "evil.cn"}, "passkey_wrong_rp_id"),
    "wrong challenge": ({"challenge": b64url(b"1" * 32)}, "passkey_wrong_challenge"),
    "user not verified": ({"user_verified": False}, "passkey_user_not_verified"),
}


@pytest.mark.parametrize("case", REGISTRATION_REFUSALS, ids=list(REGISTRATION_REFUSALS))
def test_each_broken_rule_refuses_a_new_passkey(app, engineer, key, case):
    answer, code = REGISTRATION_REFUSALS[case]
    client = app.test_client()
    r = register(client, sign_in_as(client, engineer), key, **answer)
    assert (r.status_code, r.json["error"]["code"]) == (422, code), r.json
    assert Passkey.select().count() == 0


def test_a_registration_ceremony_belongs_to_the_user_who_started_it(app, engineer, key):
    first = app.test_client()
    csrf = sign_in_as(first, engineer)
    started = first.post("/api/passkeys/register/options", headers={"X-CSRF-Token": csrf}).json
    other = app.test_client()
    other_csrf = sign_in_as(other, create_user("engineer", "eng2"))
    r = other.post(
        "/api/passkeys/register",
        json={
            "ceremony": started["ceremony"],
            "name": "x",
            "credential": key.create(started["options"]),
        },
        headers={"X-CSRF-Token": other_csrf},
    )
    assert r.json["error"]["code"] == "passkey_unknown_request"


def test_the_same_passkey_is_not_registered_twice(app, engineer, key, registered):
    client = app.test_client()
    csrf = sign_in_as(client, engineer)
    started = client.post("/api/passkeys/register/options", headers={"X-CSRF-Token": csrf}).json
    assert started["options"]["excludeCredentials"][0]["id"] == registered.credential_id
    again = key.create(started["options"], credential_id=unb64url(registered.credential_id))
    r = client.post(
        "/api/passkeys/register",
        json={"ceremony": started["ceremony"], "name": "again", "credential": again},
        headers={"X-CSRF-Token": csrf},
    )
    assert (r.status_code, r.json["error"]["code"]) == (409, "passkey_already_registered")


# Managing one's own, and the office --------------------------------------------------------


def test_the_owner_renames_a_passkey_and_nobody_else_touches_it(app, engineer, key, registered):
    owner = app.test_client()
    csrf = sign_in_as(owner, engineer)
    r = owner.patch(
        f"/api/passkeys/{registered.id}",
        json={"name": "Work phone"},
        headers={"X-CSRF-Token": csrf},
    )
    assert (r.status_code, r.json["name"]) == (200, "Work phone")
    other = app.test_client()
    other_csrf = sign_in_as(other, create_user("admin", "boss"))
    for response in (
        other.patch(
            f"/api/passkeys/{registered.id}",
            json={"name": "mine"},
            headers={"X-CSRF-Token": other_csrf},
        ),
        other.delete(f"/api/passkeys/{registered.id}", headers={"X-CSRF-Token": other_csrf}),
    ):
        assert response.status_code == 404
    assert Passkey.get_by_id(registered.id).name == "Work phone"
    assert Passkey.get_by_id(registered.id).revoked_at is None


def test_the_office_sees_and_revokes_a_passkey_then_it_cannot_sign_in(
    app, engineer, key, registered
):
    office = app.test_client()
    csrf = sign_in_as(office, create_user("admin", "boss"))
    page = office.get(f"/office/users/{engineer.id}")
    assert "My phone" in page.get_data(as_text=True)
    r = office.post(
        f"/office/users/{engineer.id}/passkeys/{registered.id}/revoke", data={"csrf_token": csrf}
    )
    assert r.status_code == 302
    assert Passkey.get_by_id(registered.id).revoked_at is not None
    assert AuditEntry.select().where(AuditEntry.action == "passkey_revoked").count() == 1
    r = sign_in(app.test_client(), key)
    assert r.json["error"]["code"] == "passkey_revoked"


def test_who_may_revoke_a_passkey(app, engineer, key, registered):
    """Administrators alone: a dispatcher is refused on the page and in the operation."""
    admin = create_user("admin", "boss")
    dispatcher = app.test_client()
    dispatcher_user = create_user("dispatcher", "disp")
    csrf = sign_in_as(dispatcher, dispatcher_user)
    engineers = app.test_client()
    eng_csrf = sign_in_as(engineers, create_user("engineer", "eng2"))
    url = f"/office/users/{engineer.id}/passkeys/{registered.id}/revoke"
    assert engineers.post(url, data={"csrf_token": eng_csrf}).status_code == 403
    assert dispatcher.post(url, data={"csrf_token": csrf}).status_code == 403
    assert Passkey.get_by_id(registered.id).revoked_at is None
    # refused before anything is looked up: a dispatcher learns nothing of who exists
    nobody = f"/office/users/{registered.id}/passkeys/{registered.id}/revoke"
    assert dispatcher.post(nobody, data={"csrf_token": csrf}).status_code == 403
    page = dispatcher.get(f"/office/users/{engineer.id}").get_data(as_text=True)
    assert "My phone" in page and "/revoke" not in page  # seen, no button
    with pytest.raises(ApiError) as refused:
        ops.remove_passkey(actor=dispatcher_user, passkey=Passkey.get_by_id(registered.id))
    assert refused.value.status == 403
    assert Passkey.get_by_id(registered.id).revoked_at is None
    admins = app.test_client()
    admin_csrf = sign_in_as(admins, admin)
    assert admins.post(url, data={"csrf_token": admin_csrf}).status_code == 302
    assert Passkey.get_by_id(registered.id).revoked_at is not None


# The reusable check, as signed check-ins will use it ---------------------------------------


def test_an_assertion_over_a_records_hash_verifies_with_the_reusable_check(
    app, engineer, key, registered
):
    record = b'{"id":"c0ffee","kind":"in"}'
    challenge = hashlib.sha256(record).digest()
    answer = key.get({"challenge": b64url(challenge)}, sign_count=0)
    stored = stored_credential(Passkey.get_by_id(registered.id))
    made = ceremony.verify_assertion(
        stored, answer, challenge=challenge, origin=ORIGIN, rp_id=RP_ID, check_counter=False
    )
    assert made.credential_id == registered.credential_id
    tampered = hashlib.sha256(record + b" ").digest()
    with pytest.raises(ceremony.Refused) as refused:
        ceremony.verify_assertion(stored, answer, challenge=tampered, origin=ORIGIN, rp_id=RP_ID)
    assert refused.value.code == ceremony.WRONG_CHALLENGE


# Anonymous sign-in challenges are limited per address -----------------------------------------


def test_sign_in_challenges_are_limited_per_address(app):
    from datetime import UTC, datetime

    moment = [datetime(2026, 12, 2, 1, 0, tzinfo=UTC)]
    app.config.update(
        CLOCK=lambda: moment[0],
        PASSKEY_CHALLENGES_PER_ADDRESS=3,
        PASSKEY_CHALLENGE_WINDOW_SECONDS=300,
    )
    here = app.test_client()
    here.set_cookie("rounds_lang", "zh_Hans")
    csrf = here.get("/api/auth/csrf").json["csrf_token"]

    def ask(client=here, address="10.0.0.1", token=None):
        return client.post(
            "/api/passkeys/sign-in/options",
            headers={"X-CSRF-Token": token or csrf},
            environ_base={"REMOTE_ADDR": address},
        )

    assert [ask().status_code for _ in range(3)] == [200, 200, 200]
    refused = ask()
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_requests"
    assert refused.headers["Retry-After"] == "300"
    assert "秒" in refused.json["error"]["message"]  # in the asker's language
    assert PasskeyChallenge.select().count() == 3  # the refused one made none
    assert ask(address="10.0.0.2").status_code == 200  # another address is not held up
    moment[0] += timedelta(seconds=200)
    assert ask().headers["Retry-After"] == "100"
    moment[0] += timedelta(seconds=100)
    assert ask().status_code == 200  # a new window
