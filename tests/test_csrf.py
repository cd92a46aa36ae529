"""CSRF for signed-in users: a write is taken only with this session's own token.

Each refusal below is checked against the same request with the right token, which succeeds, so
a check that let everything through or refused everything would both turn a test red.
"""

from __future__ import annotations

import pytest

from tests.conftest import sign_in_as
from tests.factories import PASSWORD
from webapp.models import User, UserSession


def change_language(client, headers):
    return client.patch("/api/auth/me", json={"locale": "en"}, headers=headers)


def refused(response) -> bool:
    if response.status_code != 403:
        return False
    if response.mimetype == "application/json":
        return response.json["error"]["code"] == "csrf"
    return "expired" in response.get_data(as_text=True)  # the page says: reload and try again


@pytest.fixture
def engineer(app, world):
    return world["users"]["engineer"]


def test_a_signed_in_json_write_needs_the_session_s_own_token(app, client, engineer):
    token = sign_in_as(client, engineer)
    assert refused(change_language(client, {"X-CSRF-Token": token[:-1] + "x"}))
    assert refused(change_language(client, {"X-CSRF-Token": "not-the-token"}))
    assert refused(change_language(client, {"X-CSRF-Token": ""}))
    assert refused(change_language(client, {}))
    assert User.get_by_id(engineer.id).locale is None, "a refused write changed nothing"

    r = change_language(client, {"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json["locale"] == "en"


def password_sign_in(app, user) -> str:
    other = app.test_client()
    token = other.get("/api/auth/csrf").json["csrf_token"]
    r = other.post(
        "/api/auth/sign-in",
        json={"username": user.username, "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    return r.json["csrf_token"]


def test_another_session_s_token_is_refused(app, client, world, engineer):
    mine = sign_in_as(client, engineer)
    same_user_elsewhere = password_sign_in(app, engineer)
    someone_else = sign_in_as(app.test_client(), world["users"]["admin"])
    assert len({mine, same_user_elsewhere, someone_else}) == 3
    for theirs in (same_user_elsewhere, someone_else):
        assert refused(change_language(client, {"X-CSRF-Token": theirs}))
    push = {"client_id": "6f1f2c1e-3a5b-4c8d-9e0f-1a2b3c4d5e6f", "mutations": []}
    r = client.post("/api/sync/push", json=push, headers={"X-CSRF-Token": someone_else})
    assert refused(r)
    ok = client.post("/api/sync/push", json=push, headers={"X-CSRF-Token": mine})
    assert ok.status_code == 200, ok.json


def test_the_token_from_before_sign_in_does_not_carry_over(app, client, engineer):
    """Signing in starts a new cookie session with a new token: a token planted or read before
    sign-in is worth nothing after it."""
    before = client.get("/api/auth/csrf").json["csrf_token"]
    r = client.post(
        "/api/auth/sign-in",
        json={"username": engineer.username, "password": PASSWORD},
        headers={"X-CSRF-Token": before},
    )
    assert r.status_code == 200
    after = r.json["csrf_token"]
    assert after != before
    assert refused(change_language(client, {"X-CSRF-Token": before}))
    assert change_language(client, {"X-CSRF-Token": after}).status_code == 200


def test_a_form_post_with_a_wrong_or_missing_token_is_refused(app, client, world):
    engineer = world["users"]["engineer"]
    phone = app.test_client()
    sign_in_as(phone, engineer)
    token = sign_in_as(client, world["users"]["admin"])
    url = f"/office/users/{engineer.id}/sessions/sign-out"
    for form in ({"csrf_token": "wrong"}, {"csrf_token": ""}, {}):
        assert refused(client.post(url, data=form))
    assert UserSession.select().where(UserSession.revoked_at.is_null()).count() == 2

    assert client.post(url, data={"csrf_token": token}).status_code == 302
    assert phone.get("/api/auth/me").status_code == 401


def test_a_form_token_sent_as_the_header_is_the_same_token(app, client, world):
    """Pages send the form field, scripts the header: one token, either way."""
    token = sign_in_as(client, world["users"]["admin"])
    r = client.post(
        "/language", data={"lang": "en", "next": "/office/"}, headers={"X-CSRF-Token": "wrong"}
    )
    assert refused(r), "a wrong header is not rescued by anything else"
    r = client.post("/language", data={"lang": "en", "next": "/office/", "csrf_token": token})
    assert r.status_code == 302
