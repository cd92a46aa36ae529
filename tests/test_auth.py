"""Signing in and out, throttling, CSRF and session rules."""

from __future__ import annotations

from tests.factories import PASSWORD, create_user
from webapp.models import LoginFailure


def csrf(client) -> str:
    return client.get("/api/auth/csrf").json["csrf_token"]


def test_json_sign_in_returns_the_user_and_a_token(app, client):
    create_user("engineer", "li")
    token = csrf(client)
    r = client.post(
        "/api/auth/sign-in",
        json={"username": "LI ", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200, r.json
    assert r.json["username"] == "li" and r.json["role"] == "engineer"
    assert "password" not in r.json and "password_hash" not in r.json
    me = client.get("/api/auth/me")
    assert me.json["username"] == "li"
    # the session was renewed on sign-in; the token returned is the one that works now
    out = client.post("/api/auth/sign-out", headers={"X-CSRF-Token": r.json["csrf_token"]})
    assert out.status_code == 204
    assert client.get("/api/auth/me").status_code == 401


def test_wrong_password_is_refused_in_the_users_language(app, client):
    create_user("engineer", "li")
    token = csrf(client)
    r = client.post(
        "/api/auth/sign-in",
        json={"username": "li", "password": "nope-nope"},
        headers={"X-CSRF-Token": token, "Accept-Language": "zh-CN,zh;q=0.9"},
    )
    assert r.status_code == 401
    assert r.json["error"]["code"] == "bad_credentials"
    assert r.json["error"]["message"] == "用户名或密码错误。"
    assert LoginFailure.select().count() == 1  # the failure was kept although the request failed


def test_sign_in_without_csrf_token_is_refused(app, client):
    create_user("engineer", "li")
    r = client.post("/api/auth/sign-in", json={"username": "li", "password": PASSWORD})
    assert r.status_code == 403
    assert r.json["error"]["code"] == "csrf"


def test_repeated_failures_are_throttled_per_account(app, client):
    create_user("engineer", "li")
    token = csrf(client)
    limit = app.config["LOGIN_MAX_FAILURES_PER_USER"]
    for _ in range(limit):
        r = client.post(
            "/api/auth/sign-in",
            json={"username": "li", "password": "wrong-wrong"},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 401
    r = client.post(
        "/api/auth/sign-in",
        json={"username": "li", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    # another account from the same address is not locked out by it
    create_user("engineer", "wang")
    r = client.post(
        "/api/auth/sign-in",
        json={"username": "wang", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200


def test_unknown_user_and_disabled_user_are_refused_alike(app, client):
    create_user("engineer", "gone", active=False)
    token = csrf(client)
    for name in ("gone", "nobody"):
        r = client.post(
            "/api/auth/sign-in",
            json={"username": name, "password": PASSWORD},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 401
        assert r.json["error"]["code"] == "bad_credentials"


def test_sign_in_page_redirects_to_the_next_page_only_on_this_site(app, client):
    create_user("engineer", "li")
    page = client.get("/sign-in")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        "/sign-in?next=https://evil.example/",
        data={"csrf_token": token, "username": "li", "password": PASSWORD},
    )
    assert r.status_code == 302 and r.headers["Location"] == "/"
    client.post("/sign-out", data={"csrf_token": token})


def test_sign_in_page_shows_the_error_and_keeps_the_username(app, client):
    page = client.get("/sign-in", headers={"Accept-Language": "zh-TW"})
    html = page.get_data(as_text=True)
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        "/sign-in",
        data={"csrf_token": token, "username": "li", "password": "x" * 9},
        headers={"Accept-Language": "zh-TW"},
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 401
    assert "用戶名或密碼錯誤。" in body
    assert 'value="li"' in body


def test_pages_need_a_session_and_keep_where_you_were_going(app, client):
    r = client.get("/office/sites")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/sign-in?next=/office/sites")


def test_security_headers_are_set(app, client):
    r = client.get("/sign-in")
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "HttpOnly" in r.headers["Set-Cookie"]  # the page's form token lives in the session


def test_passwords_are_stored_with_scrypt(app):
    user = create_user("engineer", "li")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
