"""Sessions kept in the database: what ends one, what an ended one can still do (nothing), and
who sees and ends whose (the user on the phone, the office on a user's page)."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import timedelta

import pytest

from tests.conftest import sign_in_as
from tests.factories import PASSWORD, create_user
from webapp.auth.login import SESSION_KEY
from webapp.models import AuditEntry, UserSession, utcnow

PHONE = (
    "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)
DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)


def sign_in(app, username, *, agent=PHONE, address="127.0.0.1"):
    """A new browser signing in with the password; returns (client, csrf token)."""
    client = app.test_client()
    token = client.get("/api/auth/csrf").json["csrf_token"]
    r = client.post(
        "/api/auth/sign-in",
        json={"username": username, "password": PASSWORD},
        headers={"X-CSRF-Token": token, "User-Agent": agent},
        environ_base={"REMOTE_ADDR": address},
    )
    assert r.status_code == 200, r.json
    return client, r.json["csrf_token"]


def syncs(client) -> int:
    """The status of a pull, as the phone's sync sends it."""
    return client.get(f"/api/sync/pull?client_id={uuid.uuid4()}").status_code


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def token_in(client) -> str:
    with client.session_transaction() as session:
        return session[SESSION_KEY]


def test_a_sign_in_keeps_only_a_hash_of_the_token_and_a_readable_device(app):
    create_user("engineer", "li")
    client, _ = sign_in(app, "li", address="10.8.0.23")
    row = UserSession.get()
    token = token_in(client)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash
    assert row.device == "XiaoMi Redmi Note 12 · Android 13 · Chrome Mobile 131"
    assert row.address == "10.8.0.23"
    assert row.revoked_at is None


def test_anonymous_visitors_make_no_rows_and_the_sign_in_form_still_works(app, client):
    create_user("engineer", "li")
    for path in ("/sign-in", "/api/auth/csrf", "/app/", "/office/sites", "/api/auth/me"):
        client.get(path)
    client.post("/api/auth/sign-in", json={"username": "li", "password": "nope-nope-1"})
    assert UserSession.select().count() == 0

    html = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = client.post("/sign-in", data={"csrf_token": token, "username": "li", "password": PASSWORD})
    assert r.status_code == 302
    assert UserSession.select().count() == 1


def test_sign_out_ends_the_session_so_a_captured_cookie_no_longer_works(app, world):
    engineer = world["users"]["engineer"]
    client, token = sign_in(app, engineer.username)
    captured = cookie_of(client)
    assert syncs(with_cookie(app, captured)) == 200  # the copy works while the session lives

    assert client.post("/api/auth/sign-out", headers={"X-CSRF-Token": token}).status_code == 204
    thief = with_cookie(app, captured)
    assert thief.get("/api/auth/me").status_code == 401
    assert syncs(thief) == 401
    r = thief.get("/office/sites")
    assert r.status_code == 302 and r.headers["Location"].startswith("/sign-in")
    row = UserSession.get()
    assert row.revoked_reason == "signed_out" and row.revoked_at is not None


def test_the_sign_out_page_ends_the_session_too(app, world):
    admin = world["users"]["admin"]
    client, token = sign_in(app, admin.username)
    captured = cookie_of(client)
    r = client.post("/sign-out", data={"csrf_token": token})
    assert r.status_code == 302
    assert with_cookie(app, captured).get("/office/").status_code == 302
    assert UserSession.get().revoked_reason == "signed_out"


def test_signing_in_again_ends_the_browser_s_previous_session(app, world):
    engineer = world["users"]["engineer"]
    client, token = sign_in(app, engineer.username)
    before = cookie_of(client)
    r = client.post(
        "/api/auth/sign-in",
        json={"username": engineer.username, "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200
    assert syncs(with_cookie(app, before)) == 401
    assert syncs(client) == 200
    assert [s.revoked_reason for s in UserSession.select().order_by(UserSession.created_at)] == [
        "replaced",
        "",
    ]


def test_an_admin_changing_a_password_signs_the_user_out_everywhere(app, world, api_as):
    engineer = world["users"]["engineer"]
    phone, _ = sign_in(app, engineer.username, agent=PHONE)
    tablet, _ = sign_in(app, engineer.username, agent=DESKTOP)
    admin = api_as(world["users"]["admin"])
    r = admin.patch(f"/api/users/{engineer.id}", json={"password": "a-new-password"})
    assert r.status_code == 200
    assert syncs(phone) == 401 and syncs(tablet) == 401
    ended = UserSession.select().where(UserSession.user == engineer)
    assert {s.revoked_reason for s in ended} == {"password_changed"}
    assert {s.revoked_by_id for s in ended} == {world["users"]["admin"].id}
    entry = AuditEntry.select().where(AuditEntry.action == "sign_out").get()
    assert entry.entity_id == str(engineer.id) and '"password_changed"' in entry.summary
    sign_in_as(admin.client, world["users"]["admin"])  # the admin's own session is untouched
    assert admin.client.get("/api/auth/me").status_code == 200


def test_changing_your_own_password_keeps_this_session_and_ends_the_others(app, world):
    admin = world["users"]["admin"]
    desk, token = sign_in(app, admin.username, agent=DESKTOP)
    laptop, _ = sign_in(app, admin.username, agent=PHONE)
    r = desk.post(
        f"/office/users/{admin.id}",
        data={
            "csrf_token": token,
            "username": admin.username,
            "display_name": "管理员",
            "password": "another-password",
            "role": "admin",
            "active": "on",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert desk.get("/api/auth/me").status_code == 200
    assert laptop.get("/api/auth/me").status_code == 401


def test_an_engineer_changes_their_own_password_from_the_phone(app, world):
    """Any user, not only the office, changes their own password: the current one proves it,
    the phone it is done from stays signed in, the others stop syncing."""
    engineer = world["users"]["engineer"]
    phone, token = sign_in(app, engineer.username, agent=PHONE)
    left_somewhere, _ = sign_in(app, engineer.username, agent=DESKTOP)
    url, headers = "/api/auth/password", {"X-CSRF-Token": token, "Accept-Language": "zh-CN"}

    def change(current, new):
        return phone.post(
            url, json={"current_password": current, "new_password": new}, headers=headers
        )

    wrong = change("not-it", "a-new-password-1")
    assert wrong.status_code == 422
    assert wrong.json["error"]["fields"]["current_password"] == ["这不是您现在的密码。"]
    assert set(change(PASSWORD, PASSWORD).json["error"]["fields"]) == {"new_password"}
    assert set(change(PASSWORD, "short").json["error"]["fields"]) == {"new_password"}
    assert syncs(left_somewhere) == 200, "a refused change signed nobody out"
    forged = phone.post(url, json={"current_password": PASSWORD, "new_password": "x" * 12})
    assert forged.status_code == 403, "no CSRF token, no change"

    done = change(PASSWORD, "a-new-password-1")
    assert done.status_code == 200 and done.json == {"signed_out": 1}
    assert syncs(phone) == 200 and syncs(left_somewhere) == 401
    again = app.test_client()
    csrf = again.get("/api/auth/csrf").json["csrf_token"]
    old = again.post(
        "/api/auth/sign-in",
        json={"username": engineer.username, "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert old.status_code == 401
    new = again.post(
        "/api/auth/sign-in",
        json={"username": engineer.username, "password": "a-new-password-1"},
        headers={"X-CSRF-Token": csrf},
    )
    assert new.status_code == 200


def test_guessing_the_current_password_from_a_taken_session_is_throttled(app, world):
    """A session on an unlocked phone is not a licence to try passwords: after five wrong
    current passwords that session is refused (429) even with the right one, while the owner's
    other device changes the password as usual; a refused new password is not a guess."""
    engineer = world["users"]["engineer"]
    taken, token = sign_in(app, engineer.username, agent=PHONE)
    owner, owner_token = sign_in(app, engineer.username, agent=DESKTOP)

    def change(client, csrf, current, new):
        return client.post(
            "/api/auth/password",
            json={"current_password": current, "new_password": new},
            headers={"X-CSRF-Token": csrf, "Accept-Language": "en"},
        )

    for _ in range(3):  # right current password, refused new ones: nothing counted
        assert change(taken, token, PASSWORD, "short").status_code == 422
    for attempt in range(5):
        assert change(taken, token, f"guess-{attempt}", "a-new-password-1").status_code == 422
    held = change(taken, token, PASSWORD, "a-new-password-1")
    assert held.status_code == 429 and held.json["error"]["code"] == "too_many_requests"
    assert int(held.headers["Retry-After"]) > 0
    assert syncs(taken) == 200, "a held session is not signed out by the throttle"
    done = change(owner, owner_token, PASSWORD, "a-new-password-1")
    assert done.status_code == 200 and done.json == {"signed_out": 1}


def test_deactivating_ends_every_session_and_reactivating_revives_none(app, world, api_as):
    engineer = world["users"]["engineer"]
    phone, _ = sign_in(app, engineer.username)
    captured = cookie_of(phone)
    admin = api_as(world["users"]["admin"])
    assert admin.patch(f"/api/users/{engineer.id}", json={"active": False}).status_code == 200
    assert syncs(phone) == 401
    assert admin.patch(f"/api/users/{engineer.id}", json={"active": True}).status_code == 200
    assert syncs(phone) == 401
    assert syncs(with_cookie(app, captured)) == 401
    assert UserSession.get(UserSession.user == engineer).revoked_reason == "deactivated"
    again, _ = sign_in(app, engineer.username)  # a new sign-in works as ever
    assert syncs(again) == 200


def test_a_session_unused_for_the_lifetime_ends_one_in_use_goes_on(app, world):
    engineer = world["users"]["engineer"]
    client, _ = sign_in(app, engineer.username)
    lifetime = app.permanent_session_lifetime
    row = UserSession.get()
    row.created_at = utcnow() - lifetime * 3  # used every day: no absolute end
    row.last_seen_at = utcnow() - lifetime + timedelta(hours=1)
    row.save()
    assert syncs(client) == 200
    UserSession.update(last_seen_at=utcnow() - lifetime - timedelta(minutes=1)).execute()
    assert syncs(client) == 401
    r = client.get("/office/sites")
    assert r.status_code == 302 and "/sign-in" in r.headers["Location"]


def test_an_unknown_or_forged_token_is_not_signed_in(app, world):
    engineer = world["users"]["engineer"]
    client = app.test_client()
    for forged in ("nonsense", "", "x" * 5000, {"a": 1}):
        with client.session_transaction() as session:
            session["_user_id"] = str(engineer.id)
            session["_fresh"] = True
            session[SESSION_KEY] = forged
        assert client.get("/api/auth/me").status_code == 401
    # another user's live session does not sign anyone in under this user's id
    other, _ = sign_in(app, world["users"]["admin"].username)
    stolen = token_in(other)
    with client.session_transaction() as session:
        session["_user_id"] = str(engineer.id)
        session[SESSION_KEY] = stolen
    assert client.get("/api/auth/me").status_code == 401


def test_last_seen_and_address_are_written_at_most_once_a_minute(app, world):
    engineer = world["users"]["engineer"]
    client, _ = sign_in(app, engineer.username, address="10.0.0.1")
    started = UserSession.get().last_seen_at
    client.get("/api/auth/me", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    row = UserSession.get()
    assert (row.last_seen_at, row.address) == (started, "10.0.0.1")

    UserSession.update(last_seen_at=started - timedelta(seconds=61)).execute()
    client.get("/api/auth/me", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    row = UserSession.get()
    assert row.last_seen_at > started - timedelta(seconds=1)
    assert row.address == "10.0.0.2"


def test_the_app_installs_that_sync_are_noted_on_the_session(app, world):
    engineer = world["users"]["engineer"]
    client, _ = sign_in(app, engineer.username)
    install = str(uuid.uuid4())
    assert client.get(f"/api/sync/pull?client_id={install}").status_code == 200
    assert client.get(f"/api/sync/pull?client_id={install}").status_code == 200
    assert UserSession.get().sync_clients == [install]


def test_the_user_sees_their_devices_and_signs_out_the_others(app, world):
    engineer = world["users"]["engineer"]
    phone, token = sign_in(app, engineer.username, agent=PHONE, address="10.1.1.1")
    desk, _ = sign_in(app, engineer.username, agent=DESKTOP, address="10.2.2.2")
    sign_in(app, world["users"]["client"].username)  # someone else's: never listed

    listed = phone.get("/api/auth/sessions").json
    assert [(s["device"], s["address"], s["current"]) for s in listed] == [
        ("Windows 10 · Edge 131", "10.2.2.2", False),
        ("XiaoMi Redmi Note 12 · Android 13 · Chrome Mobile 131", "10.1.1.1", True),
    ], "most recently used first"
    assert all(s["last_seen_at"].endswith("+00:00") for s in listed)

    r = phone.post("/api/auth/sessions/sign-out-others", headers={"X-CSRF-Token": token})
    assert r.json == {"signed_out": 1}
    assert syncs(desk) == 401 and syncs(phone) == 200
    assert [s["current"] for s in phone.get("/api/auth/sessions").json] == [True]


def office_page(client, user) -> str:
    r = client.get(f"/office/users/{user.id}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def session_ids(html: str) -> list[str]:
    return re.findall(r"/sessions/([0-9a-f-]{36})/sign-out", html)


def test_the_office_sees_a_users_devices_and_signs_out_a_lost_phone(app, world):
    engineer = world["users"]["engineer"]
    phone, _ = sign_in(app, engineer.username, agent=PHONE, address="10.1.1.1")
    desk, _ = sign_in(app, engineer.username, agent=DESKTOP, address="10.2.2.2")
    office = app.test_client()
    token = sign_in_as(office, world["users"]["dispatcher"])

    html = office_page(office, engineer)
    assert "XiaoMi Redmi Note 12 · Android 13" in html and "Windows 10 · Edge 131" in html
    assert "10.1.1.1" in html and "10.2.2.2" in html
    lost = UserSession.get(UserSession.address == "10.1.1.1")
    assert str(lost.id) in session_ids(html)

    r = office.post(
        f"/office/users/{engineer.id}/sessions/{lost.id}/sign-out", data={"csrf_token": token}
    )
    assert r.status_code == 302 and r.headers["Location"] == f"/office/users/{engineer.id}"
    assert syncs(phone) == 401, "the lost phone is signed out"
    assert syncs(desk) == 200, "the engineer's other device goes on"
    html = office_page(office, engineer)
    assert "Device signed out." in html
    assert str(lost.id) not in session_ids(html)
    ended = UserSession.get_by_id(lost.id)
    assert ended.revoked_reason == "signed_out_by_office"
    assert ended.revoked_by_id == world["users"]["dispatcher"].id

    r = office.post(f"/office/users/{engineer.id}/sessions/sign-out", data={"csrf_token": token})
    assert r.status_code == 302
    assert syncs(desk) == 401
    html = office_page(office, engineer)
    assert "1 device signed out." in html and "Not signed in anywhere." in html
    assert office.get("/api/auth/me").status_code == 200  # the office's own session goes on


def test_the_office_api_lists_and_ends_a_users_sessions(app, world, api_as):
    engineer = world["users"]["engineer"]
    phone, _ = sign_in(app, engineer.username)
    admin = api_as(world["users"]["admin"])
    listed = admin.get(f"/api/users/{engineer.id}/sessions").json
    assert len(listed) == 1 and listed[0]["current"] is False
    r = admin.post(f"/api/users/{engineer.id}/sessions/{listed[0]['id']}/sign-out")
    assert r.status_code == 200 and r.json == {"signed_out": 1}
    again = admin.post(f"/api/users/{engineer.id}/sessions/{listed[0]['id']}/sign-out")
    assert again.json == {"signed_out": 0}
    assert syncs(phone) == 401
    assert admin.get(f"/api/users/{engineer.id}/sessions").json == []
    # a session id of somebody else's is not this user's
    other, _ = sign_in(app, world["users"]["client"].username)
    theirs = UserSession.get(UserSession.user == world["users"]["client"])
    r = admin.post(f"/api/users/{engineer.id}/sessions/{theirs.id}/sign-out")
    assert r.status_code == 404
    assert syncs(other) == 200


@pytest.mark.parametrize("bad", ["not-a-uuid", "0b0e4c1e-9c1d-4a55-9f0e-2f7d3c1b6a10", "%00"])
def test_bad_session_ids_are_404(app, world, api_as, bad):
    engineer = world["users"]["engineer"]
    admin = api_as(world["users"]["admin"])
    r = admin.post(f"/api/users/{engineer.id}/sessions/{bad}/sign-out")
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    r = admin.client.post(
        f"/office/users/{engineer.id}/sessions/{bad}/sign-out", data={"csrf_token": admin.token}
    )
    assert r.status_code == 404


def test_a_dispatcher_may_not_sign_out_an_administrator(app, world, api_as):
    boss = world["users"]["admin"]
    desk, _ = sign_in(app, boss.username)
    dispatcher = api_as(world["users"]["dispatcher"])
    row = UserSession.get(UserSession.user == boss)
    assert dispatcher.post(f"/api/users/{boss.id}/sessions/sign-out").status_code == 403
    assert dispatcher.post(f"/api/users/{boss.id}/sessions/{row.id}/sign-out").status_code == 403
    r = dispatcher.client.post(
        f"/office/users/{boss.id}/sessions/sign-out", data={"csrf_token": dispatcher.token}
    )
    assert r.status_code == 403
    assert desk.get("/api/auth/me").status_code == 200
    html = office_page(dispatcher.client, boss)  # seen, without the buttons
    assert "Signed-in devices" in html and not session_ids(html)


def test_the_session_list_speaks_the_users_language(app, world):
    engineer = world["users"]["engineer"]
    sign_in(app, engineer.username, agent="")
    office = app.test_client()
    sign_in_as(office, world["users"]["admin"])
    r = office.get(f"/office/users/{engineer.id}", headers={"Accept-Language": "zh-CN"})
    html = r.get_data(as_text=True)
    assert "已登录的设备" in html and "未知设备" in html
