"""Signing in and out, password throttling, the address behind a proxy, and page rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import PASSWORD, create_user
from webapp import create_app
from webapp.auth import throttle
from webapp.auth.throttle import ThrottleRules, keys_for
from webapp.extensions import db
from webapp.models import LoginThrottle, UserSession, utcnow

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


def csrf(client) -> str:
    return client.get("/api/auth/csrf").json["csrf_token"]


def attempt(client, username, password, address="127.0.0.1", token=None, **headers):
    return client.post(
        "/api/auth/sign-in",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": token or csrf(client), **headers},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand: `clock.advance(seconds)`."""

    class Clock:
        now = utcnow()

        def advance(self, seconds: float) -> None:
            self.now += timedelta(seconds=seconds)

    c = Clock()
    monkeypatch.setattr(throttle, "utcnow", lambda: c.now)
    return c


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


def test_the_token_says_whether_the_session_is_signed_in(app, client):
    """The app's first start asks here, not /api/auth/me (a 401 the browser logs as an error)."""
    create_user("engineer", "li")
    assert client.get("/api/auth/csrf").json["signed_in"] is False
    signed = attempt(client, "li", PASSWORD)
    assert client.get("/api/auth/csrf").json["signed_in"] is True
    client.post("/api/auth/sign-out", headers={"X-CSRF-Token": signed.json["csrf_token"]})
    assert client.get("/api/auth/csrf").json["signed_in"] is False


def test_wrong_password_is_refused_in_the_users_language(app, client):
    create_user("engineer", "li")
    r = attempt(client, "li", "nope-nope", **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert r.status_code == 401
    assert r.json["error"]["code"] == "bad_credentials"
    assert r.json["error"]["message"] == "用户名或密码错误。"
    # the failure was kept although the request failed
    pair = LoginThrottle.get_by_id(keys_for("li", "127.0.0.1").pair)
    assert pair.failures == 1
    assert UserSession.select().count() == 0


def test_sign_in_without_csrf_token_is_refused(app, client):
    create_user("engineer", "li")
    r = client.post("/api/auth/sign-in", json={"username": "li", "password": PASSWORD})
    assert r.status_code == 403
    assert r.json["error"]["code"] == "csrf"


def test_a_guesser_at_one_address_is_locked_out_there_while_the_owner_signs_in(app, client, clock):
    """Per (account, address): a lockout for that pair only. Per account: delays, not a lockout."""
    create_user("engineer", "li")
    token = csrf(client)
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"]
    waits = []
    for _ in range(limit):
        r = attempt(client, "li", "wrong-wrong", ATTACKER, token)
        if r.status_code == 429:  # the account-wide delay: wait as told, then try again
            waits.append(int(r.headers["Retry-After"]))
            clock.advance(waits[-1])
            r = attempt(client, "li", "wrong-wrong", ATTACKER, token)
        assert r.status_code == 401, r.json
    assert waits == [1, 2], "the account's delay starts after 3 failures and doubles"

    clock.advance(60)  # past any account delay: the pair itself is locked out
    r = attempt(client, "li", PASSWORD, ATTACKER, token)
    assert r.status_code == 429, "the right password from the guesser's address must wait too"
    assert 60 < int(r.headers["Retry-After"]) <= 15 * 60
    assert "minutes" in r.json["error"]["message"]

    r = attempt(client, "li", PASSWORD, OWNER, token)  # the owner, somewhere else
    assert r.status_code == 200, r.json
    assert LoginThrottle.get_or_none(LoginThrottle.key == keys_for("li", OWNER).pair) is None

    other = app.test_client()  # the guesser's pair stays locked after the owner signed in
    assert attempt(other, "li", PASSWORD, ATTACKER).status_code == 429
    clock.advance(15 * 60)  # ... until the window has passed since its last failure
    assert attempt(other, "li", PASSWORD, ATTACKER).status_code == 200


def test_guessing_from_many_addresses_is_slowed_to_a_minute_never_locked(app, client, clock):
    create_user("engineer", "li")
    token = csrf(client)
    rules = ThrottleRules.from_config(app.config)
    waits = []
    for n in range(10):
        address = f"192.0.2.{n + 1}"
        r = attempt(client, "li", "wrong-wrong", address, token)
        if r.status_code == 429:
            assert r.json["error"]["code"] == "too_many_requests"
            waits.append(int(r.headers["Retry-After"]))
            clock.advance(waits[-1])
            r = attempt(client, "li", "wrong-wrong", address, token)
        assert r.status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32, 60]
    assert max(waits) == rules.delay_max_seconds

    early = attempt(client, "li", PASSWORD, OWNER, token)  # the owner waits a minute at most
    assert early.status_code == 429
    assert int(early.headers["Retry-After"]) <= 60
    assert "seconds" in early.json["error"]["message"]
    clock.advance(int(early.headers["Retry-After"]))
    assert attempt(client, "li", PASSWORD, OWNER, token).status_code == 200


def _push_the_account_delay(app, username, clock, failures=6):
    """Guesses from as many addresses, waiting as told: the account's delay is now running."""
    guesser = app.test_client()
    token = csrf(guesser)
    for n in range(failures):
        r = attempt(guesser, username, "wrong-wrong", f"192.0.2.{n + 1}", token)
        if r.status_code == 429:
            clock.advance(int(r.headers["Retry-After"]))
            r = attempt(guesser, username, "wrong-wrong", f"192.0.2.{n + 1}", token)
        assert r.status_code == 401


def test_the_owners_browser_is_not_kept_waiting_by_guesses_from_elsewhere(app, clock):
    """A guesser could take each next allowed attempt the moment it opens; the browser where the
    owner signed in before skips the account's delay, so it is never kept out."""
    create_user("engineer", "li")
    create_user("engineer", "wang")
    owner = app.test_client()
    r = attempt(owner, "li", PASSWORD, OWNER)
    assert r.status_code == 200
    cookie = owner.get_cookie("rounds_device")
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.max_age > 300 * 86400
    owner.post("/api/auth/sign-out", headers={"X-CSRF-Token": r.json["csrf_token"]})
    assert owner.get_cookie("rounds_device") is not None, "it outlives sign-out"

    _push_the_account_delay(app, "li", clock)
    _push_the_account_delay(app, "wang", clock)
    stranger = app.test_client()  # the right password from a browser that never signed in: waits
    assert attempt(stranger, "li", PASSWORD, OWNER).status_code == 429
    forged = app.test_client()
    forged.set_cookie("rounds_device", cookie.value[:-2] + "xx")
    assert attempt(forged, "li", PASSWORD, OWNER).status_code == 429
    assert attempt(owner, "wang", PASSWORD, OWNER).status_code == 429, "known for li only"
    assert attempt(owner, "li", PASSWORD, "10.20.30.40").status_code == 200


def test_the_owners_browser_is_locked_out_by_its_own_failures(app, clock):
    create_user("engineer", "li")
    phone = app.test_client()
    assert attempt(phone, "li", PASSWORD, OWNER).status_code == 200
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"]
    for n in range(limit):  # a thief with the phone, moving between networks: no delay, but...
        assert attempt(phone, "li", "wrong-wrong", f"10.9.0.{n + 1}").status_code == 401
    r = attempt(phone, "li", PASSWORD, "10.9.0.99")
    assert r.status_code == 429, "...this browser is locked out after its own failures"
    assert int(r.headers["Retry-After"]) > 60


def test_one_address_trying_many_accounts_is_locked_out(app, client, clock):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 4
    for n in range(5):
        create_user("engineer", f"user{n}")
    token = csrf(client)
    for n in range(4):
        assert attempt(client, f"user{n}", "wrong-wrong", ATTACKER, token).status_code == 401
    r = attempt(client, "user4", PASSWORD, ATTACKER, token)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 60
    assert attempt(client, "user4", PASSWORD, OWNER, token).status_code == 200


def test_a_right_password_takes_its_own_attempt_back(app, client, clock):
    create_user("engineer", "li")
    for _ in range(3):
        assert attempt(client, "li", PASSWORD).status_code == 200
    assert LoginThrottle.select().count() == 0, "nothing left counted against the account"


def test_old_counters_are_pruned_after_a_sign_in(app, client, clock):
    create_user("engineer", "li")
    assert attempt(client, "li", "wrong-wrong", ATTACKER).status_code == 401
    assert LoginThrottle.select().count() == 3
    clock.advance(15 * 60 + 1)
    assert attempt(client, "li", PASSWORD, OWNER).status_code == 200
    assert LoginThrottle.select().count() == 0


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


def test_a_very_long_username_on_the_page_is_a_plain_failure(app, client):
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        "/sign-in", data={"csrf_token": token, "username": "长" * 5000, "password": "x" * 9}
    )
    assert r.status_code == 401


# Behind a reverse proxy (ROUNDS_PROXY_COUNT)


def _app_behind(monkeypatch, app, proxies: str):
    monkeypatch.setenv("ROUNDS_PROXY_COUNT", proxies)
    db.close()
    served = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": app.config["DATABASE_URL"]}
    )
    db.connect(reuse_if_open=True)
    return served


@pytest.mark.parametrize(
    ("proxies", "seen"),
    [("0", "127.0.0.1"), ("1", "198.51.100.7"), ("2", "203.0.113.5")],
)
def test_the_address_is_the_one_the_configured_proxies_saw(app, monkeypatch, proxies, seen):
    """nginx appends the address it saw to X-Forwarded-For; anything before it came from the
    client and may be forged. With N proxies, the N-th address from the right is the client's."""
    served = _app_behind(monkeypatch, app, proxies)
    assert served.config["PROXY_COUNT"] == int(proxies)
    create_user("engineer", "li")
    client = served.test_client()
    forwarded = {"X-Forwarded-For": "6.6.6.6, 203.0.113.5, 198.51.100.7"}
    r = attempt(client, "li", PASSWORD, "127.0.0.1", **forwarded)
    assert r.status_code == 200
    assert client.get("/api/auth/sessions", headers=forwarded).json[0]["address"] == seen


def test_behind_a_proxy_one_guesser_does_not_lock_everybody_out(app, monkeypatch, clock):
    """The defect: every request came from the proxy's address, so the address limit reached
    anywhere locked every user out. Counted per client address, only the guesser is refused."""
    served = _app_behind(monkeypatch, app, "1")
    served.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = limit = 4
    users = [create_user("engineer", f"user{n}") for n in range(limit + 1)]
    client = served.test_client()
    token = csrf(client)
    guesser = {"X-Forwarded-For": ATTACKER}
    for user in users[:limit]:
        assert (
            attempt(client, user.username, "wrong-wrong", token=token, **guesser).status_code == 401
        )
    assert (
        attempt(client, users[limit].username, PASSWORD, token=token, **guesser).status_code == 429
    )
    r = attempt(client, users[limit].username, PASSWORD, token=token, **{"X-Forwarded-For": OWNER})
    assert r.status_code == 200


def test_the_scheme_follows_the_proxy_only_when_trusted(app, monkeypatch):
    served = _app_behind(monkeypatch, app, "1")
    env = {}

    def capture(environ, start_response):
        env.update(environ)
        start_response("204 No Content", [])
        return [b""]

    served.wsgi_app.app = capture
    served.test_client().get(
        "/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    )
    assert env["wsgi.url_scheme"] == "https"
    assert env["HTTP_HOST"] == "localhost", "X-Forwarded-Host is not trusted: nginx sets Host"


# Pages


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


def test_sign_in_page_shows_the_throttle_in_the_users_language(app, client, clock):
    create_user("engineer", "li")
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"] = 1
    html = client.get("/sign-in").get_data(as_text=True)
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"csrf_token": token, "username": "li", "password": "x" * 9}
    assert client.post("/sign-in", data=form).status_code == 401
    r = client.post("/sign-in", data=form, headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 429
    assert "登录失败次数过多" in r.get_data(as_text=True)


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
