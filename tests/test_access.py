"""The access table: every endpoint x every role x in scope / out of scope.

`world` has two clients. Site A (client A) is in scope for the engineer (assigned) and the client
user (client A's own); site B is out of their scope. Office roles see both. A test below fails when
an endpoint is added without a row here.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest

from tests.conftest import Api, sign_in_as
from tests.factories import assign, create_location, create_user
from tests.sync_client import Device
from tests.test_reports import plain_round
from webapp.auth.sessions import start_session
from webapp.models import (
    AbsenceExplanation,
    Answer,
    Attachment,
    Fault,
    LeaveRequest,
    PartRequest,
    PartStock,
    Passkey,
    PushSubscription,
    SyncConflict,
)
from webapp.records import create_record

ROLES = ["anonymous", "engineer", "client", "dispatcher", "admin"]
SCOPES = ["in", "out"]


def pick(scope, pair):
    return pair[0] if scope == "in" else pair[1]


def site(w, s):
    return pick(s, w["sites"]).id


def client_id(w, s):
    return pick(s, w["clients"]).id


def location(w, s):
    return pick(s, w["locations"]).id


def empty_location(w, s):
    return pick(s, w["empty_locations"]).id


def equipment(w, s):
    return pick(s, w["equipment"]).id


def site_day(w, s):
    """A day of the site's own calendar, made when the row is asked for."""
    from datetime import date

    from webapp.models import SiteDay

    return SiteDay.create(site=site(w, s), day=date(2026, 12, 13), working=True, note="x").id


def assignment(w, s):
    return pick(s, w["assignments"]).id


ANON_API = 401
ANON_PAGE = 302

# Expectation shorthands (per role; a tuple is (in scope, out of scope)).
SCOPED_READ = {
    "anonymous": ANON_API,
    "engineer": (200, 404),
    "client": (200, 404),
    "dispatcher": 200,
    "admin": 200,
}
ANY_SIGNED_IN = {
    "anonymous": ANON_API,
    "engineer": 200,
    "client": 200,
    "dispatcher": 200,
    "admin": 200,
}
PUBLIC = dict.fromkeys(ROLES, 200)


def office(ok: int, anon: int = ANON_API) -> dict:
    return {"anonymous": anon, "engineer": 403, "client": 403, "dispatcher": ok, "admin": ok}


def office_page(ok: int) -> dict:
    return office(ok, anon=ANON_PAGE)


NO_ANSWER = {"id": "AA", "rawId": "AA", "type": "public-key", "response": {}}
# a browser's push keys: an uncompressed P-256 point (65 bytes) and a 16-byte secret, base64url
PUSH_KEYS = {"p256dh": "BA" + "A" * 85, "auth": "A" * 22}

CASES = [
    # method, rule, url(world, scope), body(world, scope) or None, expectations
    ("GET", "/api/openapi.json", lambda w, s: "/api/openapi.json", None, PUBLIC),
    ("GET", "/api/auth/csrf", lambda w, s: "/api/auth/csrf", None, PUBLIC),
    (
        "POST",
        "/api/auth/sign-in",
        lambda w, s: "/api/auth/sign-in",
        lambda w, s: {"username": "nobody", "password": "wrong-password"},
        dict.fromkeys(ROLES, 401),
    ),
    (
        "POST",
        "/api/auth/sign-out",
        lambda w, s: "/api/auth/sign-out",
        None,
        dict.fromkeys(ROLES, 204),
    ),
    ("GET", "/api/auth/me", lambda w, s: "/api/auth/me", None, ANY_SIGNED_IN),
    (
        "PATCH",
        "/api/auth/me",
        lambda w, s: "/api/auth/me",
        lambda w, s: {"locale": "en"},
        ANY_SIGNED_IN,
    ),
    ("GET", "/api/clients", lambda w, s: "/api/clients", None, ANY_SIGNED_IN),
    (
        "POST",
        "/api/clients",
        lambda w, s: "/api/clients",
        lambda w, s: {"name": "新客户"},
        office(201),
    ),
    (
        "GET",
        "/api/clients/<client_id>",
        lambda w, s: f"/api/clients/{client_id(w, s)}",
        None,
        SCOPED_READ,
    ),
    (
        "PATCH",
        "/api/clients/<client_id>",
        lambda w, s: f"/api/clients/{client_id(w, s)}",
        lambda w, s: {"contact_name": "王经理"},
        office(200),
    ),
    (
        "DELETE",
        "/api/clients/<client_id>",
        lambda w, s: f"/api/clients/{client_id(w, s)}",
        None,
        office(409),
    ),  # allowed, then refused by the rule: the client still has sites
    ("GET", "/api/sites", lambda w, s: "/api/sites", None, ANY_SIGNED_IN),
    (
        "POST",
        "/api/sites",
        lambda w, s: "/api/sites",
        lambda w, s: {"client_id": str(client_id(w, s)), "name": "新站点"},
        office(201),
    ),
    ("GET", "/api/sites/<site_id>", lambda w, s: f"/api/sites/{site(w, s)}", None, SCOPED_READ),
    (
        "PATCH",
        "/api/sites/<site_id>",
        lambda w, s: f"/api/sites/{site(w, s)}",
        lambda w, s: {"address": "新地址"},
        office(200),
    ),
    (
        "DELETE",
        "/api/sites/<site_id>",
        lambda w, s: f"/api/sites/{site(w, s)}",
        None,
        office(409),
    ),  # the site still has equipment
    (
        "GET",
        "/api/sites/<site_id>/locations",
        lambda w, s: f"/api/sites/{site(w, s)}/locations",
        None,
        SCOPED_READ,
    ),
    (
        "GET",
        "/api/sites/<site_id>/assignments",
        lambda w, s: f"/api/sites/{site(w, s)}/assignments",
        None,
        SCOPED_READ,
    ),
    (
        "POST",
        "/api/locations",
        lambda w, s: "/api/locations",
        lambda w, s: {"site_id": str(site(w, s)), "name": "中控室"},
        office(201),
    ),
    (
        "GET",
        "/api/locations/<location_id>",
        lambda w, s: f"/api/locations/{location(w, s)}",
        None,
        SCOPED_READ,
    ),
    (
        "PATCH",
        "/api/locations/<location_id>",
        lambda w, s: f"/api/locations/{location(w, s)}",
        lambda w, s: {"floor": "3F"},
        office(200),
    ),
    (
        "DELETE",
        "/api/locations/<location_id>",
        lambda w, s: f"/api/locations/{empty_location(w, s)}",
        None,
        office(200),
    ),
    (
        "POST",
        "/api/assignments",
        lambda w, s: "/api/assignments",
        # an engineer stationed nowhere: stationing one already there is a 409
        lambda w, s: {"engineer_id": str(w["unstationed"].id), "site_id": str(site(w, s))},
        office(201),
    ),
    (
        "DELETE",
        "/api/assignments/<assignment_id>",
        lambda w, s: f"/api/assignments/{assignment(w, s)}",
        None,
        office(200),
    ),
    ("GET", "/api/equipment", lambda w, s: "/api/equipment", None, ANY_SIGNED_IN),
    (
        "POST",
        "/api/equipment",
        lambda w, s: "/api/equipment",
        lambda w, s: {"site_id": str(site(w, s)), "name": "投影机"},
        # engineers register equipment in the field, as through sync (auth/permissions.py);
        # a site out of scope is no site at all
        {**office(201), "engineer": (201, 422)},
    ),
    (
        "GET",
        "/api/equipment/<equipment_id>",
        lambda w, s: f"/api/equipment/{equipment(w, s)}",
        None,
        SCOPED_READ,
    ),
    (
        "GET",
        "/api/equipment/<equipment_id>/history",
        lambda w, s: f"/api/equipment/{equipment(w, s)}/history",
        None,
        SCOPED_READ,
    ),
    (
        "PATCH",
        "/api/equipment/<equipment_id>",
        lambda w, s: f"/api/equipment/{equipment(w, s)}",
        lambda w, s: {"notes": "已清洁"},
        {**office(200), "engineer": (200, 404)},
    ),
    (
        "DELETE",
        "/api/equipment/<equipment_id>",
        lambda w, s: f"/api/equipment/{equipment(w, s)}",
        None,
        office(200),
    ),
    ("GET", "/api/users", lambda w, s: "/api/users", None, office(200)),
    (
        "POST",
        "/api/users",
        lambda w, s: "/api/users",
        lambda w, s: {"username": "newbie", "password": "long-enough-1", "role": "engineer"},
        office(201),
    ),
    (
        "GET",
        "/api/users/<user_id>",
        lambda w, s: f"/api/users/{w['engineer2'].id}",
        None,
        office(200),
    ),
    (
        "PATCH",
        "/api/users/<user_id>",
        lambda w, s: f"/api/users/{w['engineer2'].id}",
        lambda w, s: {"display_name": "张工"},
        office(200),
    ),
    ("GET", "/api/audit", lambda w, s: "/api/audit", None, office(200)),
    # Sessions (signed-in devices): one's own, and a user's for the office
    ("GET", "/api/auth/sessions", lambda w, s: "/api/auth/sessions", None, ANY_SIGNED_IN),
    (
        "POST",
        "/api/auth/sessions/sign-out-others",
        lambda w, s: "/api/auth/sessions/sign-out-others",
        None,
        ANY_SIGNED_IN,
    ),
    (  # every signed-in user changes their own password; a wrong current one changes nothing
        "POST",
        "/api/auth/password",
        lambda w, s: "/api/auth/password",
        lambda w, s: {"current_password": "not-it", "new_password": "a-new-password-1"},
        {**dict.fromkeys(ANY_SIGNED_IN, 422), "anonymous": ANON_API},
    ),
    (
        "GET",
        "/api/users/<user_id>/sessions",
        lambda w, s: f"/api/users/{w['engineer2'].id}/sessions",
        None,
        office(200),
    ),
    (
        "POST",
        "/api/users/<user_id>/sessions/<session_id>/sign-out",
        lambda w, s: f"/api/users/{w['engineer2'].id}/sessions/{w['session'].id}/sign-out",
        None,
        office(200),
    ),
    (
        "POST",
        "/api/users/<user_id>/sessions/sign-out",
        lambda w, s: f"/api/users/{w['engineer2'].id}/sessions/sign-out",
        None,
        office(200),
    ),
    (
        "POST",
        "/office/users/<user_id>/sessions/<session_id>/sign-out",
        lambda w, s: f"/office/users/{w['engineer2'].id}/sessions/{w['session'].id}/sign-out",
        lambda w, s: {},
        office_page(302),
    ),
    (
        "POST",
        "/office/users/<user_id>/sessions/sign-out",
        lambda w, s: f"/office/users/{w['engineer2'].id}/sessions/sign-out",
        lambda w, s: {},
        office_page(302),
    ),
    ("GET", "/api/passkeys", lambda w, s: "/api/passkeys", None, ANY_SIGNED_IN),
    (
        "POST",
        "/api/passkeys/register/options",
        lambda w, s: "/api/passkeys/register/options",
        None,
        ANY_SIGNED_IN,
    ),
    (
        "POST",
        "/api/passkeys/register",
        lambda w, s: "/api/passkeys/register",
        lambda w, s: {"ceremony": str(uuid.uuid4()), "name": "x", "credential": NO_ANSWER},
        {**dict.fromkeys(ROLES, 400), "anonymous": ANON_API},  # a ceremony never started
    ),
    (
        "PATCH",
        "/api/passkeys/<passkey_id>",
        lambda w, s: f"/api/passkeys/{w['passkey'].id}",
        lambda w, s: {"name": "mine now"},
        {**dict.fromkeys(ROLES, 404), "anonymous": ANON_API},  # only its owner's
    ),
    (
        "DELETE",
        "/api/passkeys/<passkey_id>",
        lambda w, s: f"/api/passkeys/{w['passkey'].id}",
        None,
        {**dict.fromkeys(ROLES, 404), "anonymous": ANON_API},
    ),
    (
        "POST",
        "/api/passkeys/sign-in/options",
        lambda w, s: "/api/passkeys/sign-in/options",
        None,
        PUBLIC,
    ),
    (
        "POST",
        "/api/passkeys/sign-in",
        lambda w, s: "/api/passkeys/sign-in",
        lambda w, s: {"ceremony": str(uuid.uuid4()), "credential": NO_ANSWER},
        dict.fromkeys(ROLES, 400),
    ),
    # notifications on one's own phone: anyone signed in, their own subscriptions only
    ("GET", "/api/push/key", lambda w, s: "/api/push/key", None, ANY_SIGNED_IN),
    ("GET", "/api/push/subscriptions", lambda w, s: "/api/push/subscriptions", None, ANY_SIGNED_IN),
    (
        "POST",
        "/api/push/subscriptions",
        lambda w, s: "/api/push/subscriptions",
        lambda w, s: {"endpoint": "https://push.example/mine", "keys": PUSH_KEYS},
        {**dict.fromkeys(ROLES, 201), "anonymous": ANON_API},
    ),
    (
        "DELETE",
        "/api/push/subscriptions",
        lambda w, s: "/api/push/subscriptions",
        lambda w, s: {"endpoint": w["push"].endpoint},
        {**dict.fromkeys(ROLES, 404), "anonymous": ANON_API},  # engineer2's: only its owner's
    ),
    ("GET", "/office/account", lambda w, s: "/office/account", None, office_page(200)),
    (
        "POST",
        "/office/users/<user_id>/passkeys/<passkey_id>/revoke",
        lambda w, s: f"/office/users/{w['engineer2'].id}/passkeys/{w['passkey'].id}/revoke",
        lambda w, s: {},
        {**office_page(302), "dispatcher": 403},  # administrators alone revoke a passkey
    ),
    (
        "POST",
        "/api/sync/push",
        lambda w, s: "/api/sync/push",
        lambda w, s: {"client_id": str(uuid.uuid4()), "mutations": []},
        ANY_SIGNED_IN,
    ),
    ("GET", "/api/sync/pull", lambda w, s: "/api/sync/pull", None, ANY_SIGNED_IN),
    ("GET", "/api/conflicts", lambda w, s: "/api/conflicts", None, ANY_SIGNED_IN),
    (
        "POST",
        "/api/conflicts/<conflict_id>/resolve",
        lambda w, s: f"/api/conflicts/{pick(s, w['conflicts']).id}/resolve",
        lambda w, s: {"choice": "server"},
        {
            "anonymous": ANON_API,
            "engineer": (200, 404),
            "client": (403, 404),
            "dispatcher": 200,
            "admin": 200,
        },
    ),
    (
        "GET",
        "/api/attachments/<attachment_id>/status",
        lambda w, s: f"/api/attachments/{pick(s, w['attachments']).id}/status",
        None,
        SCOPED_READ,
    ),
    (
        "PUT",
        "/api/attachments/<attachment_id>/content",
        lambda w, s: f"/api/attachments/{pick(s, w['attachments']).id}/content",
        lambda w, s: {"not": "a file piece"},  # allowed through, then refused: no Content-Range
        {
            "anonymous": ANON_API,
            "engineer": (400, 404),
            "client": (403, 404),
            "dispatcher": 400,
            "admin": 400,
        },
    ),
    (
        "GET",
        "/api/attachments/<attachment_id>/content",
        lambda w, s: f"/api/attachments/{pick(s, w['attachments']).id}/content",
        None,
        {
            "anonymous": ANON_API,
            "engineer": (409, 404),
            "client": (409, 404),
            "dispatcher": 409,
            "admin": 409,
        },
    ),  # allowed through, then refused: the file has not arrived
    ("GET", "/app/", lambda w, s: "/app/", None, PUBLIC),
    ("GET", "/app/sw.js", lambda w, s: "/app/sw.js", None, PUBLIC),
    ("GET", "/app/i18n/<locale>.json", lambda w, s: "/app/i18n/zh_Hans.json", None, PUBLIC),
    ("GET", "/app/contract.json", lambda w, s: "/app/contract.json", None, PUBLIC),
    # Pages
    ("GET", "/sign-in", lambda w, s: "/sign-in", None, PUBLIC),
    (
        "POST",
        "/sign-in",
        lambda w, s: "/sign-in",
        lambda w, s: {"username": "nobody", "password": "wrong-password"},
        dict.fromkeys(ROLES, 401),
    ),
    ("POST", "/sign-out", lambda w, s: "/sign-out", lambda w, s: {}, dict.fromkeys(ROLES, 302)),
    (
        "POST",
        "/language",
        lambda w, s: "/language",
        lambda w, s: {"lang": "zh_Hant"},
        dict.fromkeys(ROLES, 302),
    ),
    ("GET", "/static/<path:filename>", lambda w, s: "/static/css/app.css", None, PUBLIC),
    (
        "GET",
        "/",
        lambda w, s: "/",
        None,
        {"anonymous": 302, "engineer": 302, "client": 200, "dispatcher": 302, "admin": 302},
    ),
    (
        "GET",
        "/sites/<site_id>",
        lambda w, s: f"/sites/{site(w, s)}",
        None,
        {
            "anonymous": 302,
            "engineer": (200, 404),
            "client": (200, 404),
            "dispatcher": 200,
            "admin": 200,
        },
    ),
    ("GET", "/office/", lambda w, s: "/office/", None, office_page(200)),
    ("GET", "/office/audit", lambda w, s: "/office/audit", None, office_page(200)),
    (
        "GET",
        "/office/notifications",
        lambda w, s: "/office/notifications",
        None,
        office_page(200),
    ),
    ("GET", "/office/conflicts", lambda w, s: "/office/conflicts", None, office_page(200)),
    (
        "POST",
        "/office/conflicts/<conflict_id>/resolve",
        lambda w, s: f"/office/conflicts/{pick(s, w['conflicts']).id}/resolve",
        lambda w, s: {"choice": "server"},
        office_page(302),
    ),
    ("GET", "/office/<key>", lambda w, s: "/office/equipment", None, office_page(200)),
    ("GET", "/office/<key>/new", lambda w, s: "/office/sites/new", None, office_page(200)),
    (
        "POST",
        "/office/<key>/new",
        lambda w, s: "/office/locations/new",
        lambda w, s: {"site_id": str(site(w, s)), "name": "配电室", "kind": "machine_room"},
        office_page(302),
    ),
    (
        "GET",
        "/office/<key>/<record_id>",
        lambda w, s: f"/office/sites/{site(w, s)}",
        None,
        office_page(200),
    ),
    (
        "POST",
        "/office/<key>/<record_id>",
        lambda w, s: f"/office/locations/{location(w, s)}",
        lambda w, s: {"site_id": str(site(w, s)), "name": "音控机房二", "kind": "control_room"},
        office_page(302),
    ),
    (
        "POST",
        "/office/<key>/<record_id>/delete",
        lambda w, s: f"/office/equipment/{equipment(w, s)}/delete",
        lambda w, s: {},
        office_page(302),
    ),
    (
        "GET",
        "/office/sites/<record_id>/overview",
        lambda w, s: f"/office/sites/{site(w, s)}/overview",
        None,
        office_page(200),
    ),
    (
        "POST",
        "/office/sites/<record_id>/assign",
        lambda w, s: f"/office/sites/{site(w, s)}/assign",
        lambda w, s: {"engineer_id": str(w["engineer2"].id)},
        office_page(302),
    ),
    (
        "POST",
        "/office/sites/<record_id>/days",
        lambda w, s: f"/office/sites/{site(w, s)}/days",
        lambda w, s: {"day": "2026-12-12", "kind": "rest", "note": "客户搬迁"},
        office_page(302),
    ),
    (
        "POST",
        "/office/sites/<record_id>/days/<day_id>/remove",
        lambda w, s: f"/office/sites/{site(w, s)}/days/{site_day(w, s)}/remove",
        lambda w, s: {},
        office_page(302),
    ),
    (
        "POST",
        "/office/assignments/<assignment_id>/end",
        lambda w, s: f"/office/assignments/{assignment(w, s)}/end",
        lambda w, s: {},
        office_page(302),
    ),
    # Round reports
    (
        "GET",
        "/api/rounds/<round_id>/report.pdf",
        lambda w, s: f"/api/rounds/{pick(s, w['rounds']).id}/report.pdf",
        None,
        SCOPED_READ,
    ),
    ("GET", "/office/rounds", lambda w, s: "/office/rounds", None, office_page(200)),
    ("GET", "/office/faults", lambda w, s: "/office/faults", None, office_page(200)),
    ("GET", "/office/faults/new", lambda w, s: "/office/faults/new", None, office_page(200)),
    ("GET", "/office/faults/list", lambda w, s: "/office/faults/list", None, office_page(200)),
    (
        "GET",
        "/office/faults/export.csv",
        lambda w, s: "/office/faults/export.csv",
        None,
        office_page(200),
    ),
    (
        "GET",
        "/office/faults/export.xlsx",
        lambda w, s: "/office/faults/export.xlsx",
        None,
        office_page(200),
    ),
    (
        "GET",
        "/api/faults/<fault_id>/report.pdf",
        lambda w, s: f"/api/faults/{pick(s, w['faults']).id}/report.pdf",
        None,
        SCOPED_READ,
    ),
    (
        "POST",
        "/office/faults/new",
        lambda w, s: "/office/faults/new",
        lambda w, s: {"site_id": str(site(w, s)), "description": "电话报修"},
        office_page(302),
    ),
    (
        "GET",
        "/office/faults/<fault_id>",
        lambda w, s: f"/office/faults/{pick(s, w['faults']).id}",
        None,
        office_page(200),
    ),
    (
        "POST",
        "/office/faults/<fault_id>/steps",
        lambda w, s: f"/office/faults/{pick(s, w['faults']).id}/steps",
        lambda w, s: {"kind": "assigned", "assignee_id": str(w["engineer2"].id)},
        office_page(302),
    ),
    # Leave requests and absence explanations (docs/attendance.md)
    ("GET", "/office/leave", lambda w, s: "/office/leave", None, office_page(200)),
    (
        "GET",
        "/office/leave/<record_id>",
        lambda w, s: f"/office/leave/{pick(s, w['leave']).id}",
        None,
        office_page(200),
    ),
    (
        "POST",
        "/office/leave/<record_id>",
        lambda w, s: f"/office/leave/{pick(s, w['leave']).id}",
        lambda w, s: {"decision": "approve"},
        office_page(302),
    ),
    ("GET", "/office/explanations", lambda w, s: "/office/explanations", None, office_page(200)),
    (
        "GET",
        "/office/explanations/<record_id>",
        lambda w, s: f"/office/explanations/{pick(s, w['explanations']).id}",
        None,
        office_page(200),
    ),
    (
        "POST",
        "/office/explanations/<record_id>",
        lambda w, s: f"/office/explanations/{pick(s, w['explanations']).id}",
        lambda w, s: {"decision": "return", "note": "请补充"},
        office_page(302),
    ),
    # Spare parts (docs/parts.md)
    ("GET", "/office/parts", lambda w, s: "/office/parts?low=1", None, office_page(200)),
    ("GET", "/office/parts/new", lambda w, s: "/office/parts/new", None, office_page(200)),
    (
        "POST",
        "/office/parts/new",
        lambda w, s: "/office/parts/new",
        lambda w, s: {"site_id": str(site(w, s)), "name": "话筒", "minimum": "1"},
        office_page(302),
    ),
    (
        "GET",
        "/office/parts/<stock_id>",
        lambda w, s: f"/office/parts/{pick(s, w['stock']).id}",
        None,
        office_page(200),
    ),
    (
        "POST",
        "/office/parts/<stock_id>",
        lambda w, s: f"/office/parts/{pick(s, w['stock']).id}",
        lambda w, s: {"name": "无线话筒", "minimum": "2"},
        office_page(302),
    ),
    (
        "POST",
        "/office/parts/<stock_id>/receive",
        lambda w, s: f"/office/parts/{pick(s, w['stock']).id}/receive",
        lambda w, s: {"quantity": "1"},
        office_page(302),
    ),
    (
        "POST",
        "/office/parts/<stock_id>/transfer",
        lambda w, s: f"/office/parts/{w['store'].id}/transfer",
        lambda w, s: {"site_id": str(site(w, s)), "quantity": "1"},
        office_page(302),
    ),
    (
        "POST",
        "/office/parts/<stock_id>/reconcile",
        lambda w, s: f"/office/parts/{pick(s, w['stock']).id}/reconcile",
        lambda w, s: {"reason": "盘点"},
        office_page(302),
    ),
    (
        "GET",
        "/office/parts/requests",
        lambda w, s: "/office/parts/requests",
        None,
        office_page(200),
    ),
    (
        "GET",
        "/office/parts/requests/<request_id>",
        lambda w, s: f"/office/parts/requests/{pick(s, w['part_requests']).id}",
        None,
        office_page(200),
    ),
    (
        "POST",
        "/office/parts/requests/<request_id>",
        lambda w, s: f"/office/parts/requests/{pick(s, w['part_requests']).id}",
        lambda w, s: {"decision": "refuse", "note": "先用旧件"},
        office_page(302),
    ),
    ("GET", "/office/checkins", lambda w, s: "/office/checkins", None, office_page(200)),
    (
        "GET",
        "/office/checkins/sheet",
        lambda w, s: f"/office/checkins/sheet?site_id={site(w, s)}",
        None,
        office_page(200),
    ),
    *(
        (  # the machine-room access log and its exports: the office's, every site's
            "GET",
            f"/office/checkins/access{suffix}",
            lambda w, s, suffix=suffix: f"/office/checkins/access{suffix}?site_id={site(w, s)}",
            None,
            office_page(200),
        )
        for suffix in ("", "/export.csv", "/export.xlsx")
    ),
    ("GET", "/api/attendance/flags", lambda w, s: "/api/attendance/flags", None, ANY_SIGNED_IN),
    (
        "GET",
        "/office/checkins/sheet.csv",
        lambda w, s: f"/office/checkins/sheet.csv?site_id={site(w, s)}",
        None,
        office_page(200),
    ),
    (
        "GET",
        "/office/checkins/sheet.xlsx",
        lambda w, s: f"/office/checkins/sheet.xlsx?site_id={site(w, s)}",
        None,
        office_page(200),
    ),
    (
        "GET",
        "/office/rounds/export.csv",
        lambda w, s: "/office/rounds/export.csv",
        None,
        office_page(200),
    ),
    (
        "GET",
        "/office/rounds/export.xlsx",
        lambda w, s: "/office/rounds/export.xlsx",
        None,
        office_page(200),
    ),
    (
        "GET",
        "/office/rounds/<round_id>",
        lambda w, s: f"/office/rounds/{pick(s, w['rounds']).id}",
        None,
        office_page(200),
    ),
    # Equipment import and export (docs/import-export.md); no upload has this id: 404 for the office
    (
        "GET",
        "/office/equipment/import",
        lambda w, s: "/office/equipment/import",
        None,
        office_page(200),
    ),
    (
        "POST",
        "/office/equipment/import",
        lambda w, s: "/office/equipment/import",
        lambda w, s: {"site_id": str(site(w, s))},  # no file: back to the form
        office_page(400),
    ),
    (
        "GET",
        "/office/equipment/import/<upload_id>",
        lambda w, s: f"/office/equipment/import/{'A' * 24}",
        None,
        office_page(404),
    ),
    (
        "POST",
        "/office/equipment/import/<upload_id>",
        lambda w, s: f"/office/equipment/import/{'A' * 24}",
        lambda w, s: {},
        office_page(404),
    ),
    (
        "POST",
        "/office/equipment/import/<upload_id>/cancel",
        lambda w, s: f"/office/equipment/import/{'A' * 24}/cancel",
        lambda w, s: {},
        office_page(302),
    ),
    (
        "GET",
        "/office/equipment/import/<upload_id>/result",
        lambda w, s: f"/office/equipment/import/{'A' * 24}/result",
        None,
        office_page(404),
    ),
    (
        "GET",
        "/office/equipment/export.csv",
        lambda w, s: f"/office/equipment/export.csv?site_id={site(w, s)}",
        None,
        office_page(200),
    ),
    (
        "GET",
        "/office/equipment/export.xlsx",
        lambda w, s: f"/office/equipment/export.xlsx?site_id={site(w, s)}",
        None,
        office_page(200),
    ),
]

# Checklist templates and schedules (office pages)
T3 = {"zh_Hans": "巡检", "zh_Hant": "巡檢", "en": "Round"}


def checklist(w):
    """Made on first use: a template with v1 published and v2 a draft, and one schedule."""
    if "checklist" not in w:
        from webapp.models import ChecklistTemplate, Schedule, TemplateVersion

        check = {"key": "general.look", "kind": "check", "label": T3, "sense": "look"}
        content = {
            "title": T3,
            "form": "round",
            "sections": [
                {"key": "general", "title": T3, "items": [check]},
                {"key": "extra", "title": T3, "items": []},
            ],
        }
        template = create_record(
            ChecklistTemplate,
            actor=None,
            key="access-round",
            title=T3,
            status="published",
            published_version=1,
        )
        for number, status in ((1, "published"), (2, "draft")):
            create_record(
                TemplateVersion,
                actor=None,
                template=template,
                number=number,
                content=content,
                status=status,
            )
        schedule = create_record(Schedule, actor=None, template=template, site=w["sites"][0])
        w["checklist"] = (template, schedule)
    return w["checklist"]


def tpl(w, rest=""):
    return f"/office/templates/{checklist(w)[0].id}{rest}"


def draft(w, rest=""):
    return tpl(w, f"/versions/2{rest}")


def schedule_form(w, s):
    return {
        "template_id": str(checklist(w)[0].id),
        "site_id": str(site(w, s)),
        "frequency": "weekly",
    }


def titled(**extra):
    return lambda w, s: {f"title.{lang}": text for lang, text in T3.items()} | extra


def labelled(**extra):
    return lambda w, s: {f"label.{lang}": text for lang, text in T3.items()} | extra


V = "/office/templates/<template_id>/versions/<int:number>"
S = "/office/schedules/<schedule_id>"
CASES += [
    ("GET", "/office/templates", lambda w, s: "/office/templates", None, office_page(200)),
    ("GET", "/office/templates/new", lambda w, s: "/office/templates/new", None, office_page(200)),
    (
        "POST",
        "/office/templates/new",
        lambda w, s: "/office/templates/new",
        titled(key="weekly-round", form="round"),
        office_page(302),
    ),
    ("GET", "/office/templates/<template_id>", lambda w, s: tpl(w), None, office_page(200)),
    (
        "POST",
        "/office/templates/<template_id>/new-version",
        lambda w, s: tpl(w, "/new-version"),
        lambda w, s: {},
        office_page(302),
    ),
    (
        "POST",
        "/office/templates/<template_id>/retire",
        lambda w, s: tpl(w, "/retire"),
        lambda w, s: {},
        office_page(302),
    ),
    ("GET", V, lambda w, s: tpl(w, "/versions/1"), None, office_page(200)),
    ("POST", f"{V}/publish", lambda w, s: draft(w, "/publish"), lambda w, s: {}, office_page(302)),
    ("GET", f"{V}/title", lambda w, s: draft(w, "/title"), None, office_page(200)),
    ("POST", f"{V}/title", lambda w, s: draft(w, "/title"), titled(), office_page(302)),
    ("GET", f"{V}/sections/new", lambda w, s: draft(w, "/sections/new"), None, office_page(200)),
    (
        "POST",
        f"{V}/sections/new",
        lambda w, s: draft(w, "/sections/new"),
        titled(),
        office_page(302),
    ),
    (
        "GET",
        f"{V}/sections/<section_key>",
        lambda w, s: draft(w, "/sections/general"),
        None,
        office_page(200),
    ),
    (
        "POST",
        f"{V}/sections/<section_key>",
        lambda w, s: draft(w, "/sections/general"),
        titled(),
        office_page(302),
    ),
    (
        "POST",
        f"{V}/sections/<section_key>/move",
        lambda w, s: draft(w, "/sections/general/move"),
        lambda w, s: {"direction": "down"},
        office_page(302),
    ),
    (
        "POST",
        f"{V}/sections/<section_key>/delete",
        lambda w, s: draft(w, "/sections/extra/delete"),
        lambda w, s: {},
        office_page(302),
    ),
    (
        "GET",
        f"{V}/sections/<section_key>/items/new",
        lambda w, s: draft(w, "/sections/general/items/new?kind=text"),
        None,
        office_page(200),
    ),
    (
        "POST",
        f"{V}/sections/<section_key>/items/new",
        lambda w, s: draft(w, "/sections/general/items/new"),
        labelled(kind="check", sense="listen"),
        office_page(302),
    ),
    (
        "GET",
        f"{V}/items/<item_key>",
        lambda w, s: draft(w, "/items/general.look"),
        None,
        office_page(200),
    ),
    (
        "POST",
        f"{V}/items/<item_key>",
        lambda w, s: draft(w, "/items/general.look"),
        labelled(sense="touch"),
        office_page(302),
    ),
    (
        "POST",
        f"{V}/items/<item_key>/move",
        lambda w, s: draft(w, "/items/general.look/move"),
        lambda w, s: {"direction": "up"},
        office_page(302),
    ),
    (
        "POST",
        f"{V}/items/<item_key>/delete",
        lambda w, s: draft(w, "/items/general.look/delete"),
        lambda w, s: {},
        office_page(302),
    ),
    ("GET", "/office/schedules", lambda w, s: "/office/schedules", None, office_page(200)),
    ("GET", "/office/schedules/new", lambda w, s: "/office/schedules/new", None, office_page(200)),
    (
        "POST",
        "/office/schedules/new",
        lambda w, s: "/office/schedules/new",
        schedule_form,
        office_page(302),
    ),
    (
        "GET",
        S,
        lambda w, s: f"/office/schedules/{checklist(w)[1].id}",
        None,
        office_page(200),
    ),
    (
        "POST",
        S,
        lambda w, s: f"/office/schedules/{checklist(w)[1].id}",
        schedule_form,
        office_page(302),
    ),
    (
        "POST",
        f"{S}/deactivate",
        lambda w, s: f"/office/schedules/{checklist(w)[1].id}/deactivate",
        lambda w, s: {},
        office_page(302),
    ),
    (
        "POST",
        f"{S}/reactivate",
        lambda w, s: f"/office/schedules/{checklist(w)[1].id}/reactivate",
        lambda w, s: {},
        office_page(302),
    ),
]


# QR tags (webapp/tags): the public tag address, the key for the app, the office pages
def tag(w, s):
    return pick(s, w["tags"])


CASES += [
    (
        "GET",
        "/t/<token>",
        lambda w, s: f"/t/{tag(w, s).token}",
        None,
        {
            "anonymous": 302,  # to sign in, then back
            "engineer": (302, 404),
            "client": (302, 404),
            "dispatcher": 302,
            "admin": 302,
        },
    ),
    ("GET", "/api/tags/key", lambda w, s: "/api/tags/key", None, ANY_SIGNED_IN),
    ("GET", "/office/tags", lambda w, s: f"/office/tags?site={site(w, s)}", None, office_page(200)),
    (
        "POST",
        "/office/tags/issue",
        lambda w, s: "/office/tags/issue",
        lambda w, s: {"site": str(site(w, s))},
        office_page(302),
    ),
    (
        "POST",
        "/office/tags/<tag_id>/revoke",
        lambda w, s: f"/office/tags/{tag(w, s).id}/revoke",
        lambda w, s: {},
        office_page(302),
    ),
    (
        "POST",
        "/office/tags/<tag_id>/reissue",
        lambda w, s: f"/office/tags/{tag(w, s).id}/reissue",
        lambda w, s: {},
        office_page(302),
    ),
    (
        "POST",
        "/office/tags/reissue-all",
        lambda w, s: "/office/tags/reissue-all",
        lambda w, s: {"site": str(site(w, s)), "confirm": "1"},
        office_page(302),
    ),
    (
        "GET",
        "/office/tags/sheet",
        lambda w, s: f"/office/tags/sheet?site={site(w, s)}",
        None,
        office_page(200),
    ),
    (
        "POST",
        "/office/tags/sheet",
        lambda w, s: "/office/tags/sheet",
        lambda w, s: {"site": str(site(w, s))},  # nothing ticked: back to the page
        office_page(302),
    ),
    (
        "GET",
        "/office/tags/<tag_id>/label.<fmt>",
        lambda w, s: f"/office/tags/{tag(w, s).id}/label.png",
        None,
        office_page(200),
    ),
]


@pytest.fixture
def scoped_world(app, world):

    world["empty_locations"] = (
        create_location(world["sites"][0], "空房间A"),
        create_location(world["sites"][1], "空房间B"),
    )
    world["conflicts"] = tuple(
        create_record(
            SyncConflict,
            actor=None,
            entity="equipment",
            entity_id=str(item.id),
            site=item.site,
            field="serial_number",
            base_version=1,
            server_value="A",
            client_value="B",
        )
        for item in world["equipment"]
    )
    world["attachments"] = tuple(
        create_record(
            Attachment,
            actor=None,
            owner_entity="equipment",
            owner_id=str(item.id),
            site=item.site,
            kind="photo",
            mime="image/jpeg",
            size=3,
            sha256="0" * 64,
        )
        for item in world["equipment"]
    )
    a_in = next(iter(world["users"]["engineer"].assignments))
    a_out = assign(world["engineer2"], world["sites"][1])
    world["assignments"] = (a_in, a_out)
    world["unstationed"] = create_user("engineer", "eng3")
    world["rounds"] = tuple(
        plain_round(site, world["engineer2"], number=f"R-2026-0000{n}")
        for n, site in enumerate(world["sites"], start=1)
    )
    world["faults"] = tuple(
        create_record(
            Fault,
            actor=None,
            number=f"F-2026-0000{n}",
            site=site,
            description="投影无信号",
            reported_at="2026-12-02T09:00:00+08:00",
            reported_by=world["engineer2"],
        )
        for n, site in enumerate(world["sites"], start=1)
    )
    engineers = (world["users"]["engineer"], world["engineer2"])
    world["leave"] = tuple(
        create_record(
            LeaveRequest,
            actor=None,
            engineer=person,
            site=site,
            first_day=date(2026, 12, 10),
            last_day=date(2026, 12, 11),
            kind="personal",
            filed_at="2026-12-01T09:00:00+08:00",
            notice="on_time",
        )
        for person, site in zip(engineers, world["sites"], strict=True)
    )
    world["explanations"] = tuple(
        create_record(
            AbsenceExplanation,
            actor=None,
            engineer=person,
            site=site,
            month="2026-11",
            text="说明",
            written_at="2026-12-01T09:00:00+08:00",
        )
        for person, site in zip(engineers, world["sites"], strict=True)
    )
    world["stock"] = tuple(
        create_record(PartStock, actor=None, site=site, name="无线话筒", quantity=2, short=1)
        for site in world["sites"]
    )
    world["store"] = create_record(PartStock, actor=None, site=None, name="无线话筒", quantity=5)
    world["part_requests"] = tuple(
        create_record(
            PartRequest,
            actor=None,
            site=site,
            engineer=person,
            name="无线话筒",
            quantity=1,
            asked_at="2026-12-01T09:00:00+08:00",
        )
        for person, site in zip(engineers, world["sites"], strict=True)
    )
    from webapp.tags.operations import issue_tag

    world["session"], _ = start_session(
        user=world["engineer2"], address="10.0.0.9", user_agent="Werkzeug test client"
    )
    world["push"] = PushSubscription.create(
        user=world["engineer2"],
        session=world["session"],
        endpoint="https://push.example/theirs",
        **PUSH_KEYS,
    )
    world["passkey"] = Passkey.create(
        user=world["engineer2"], credential_id="AAAA", public_key="AAAA", name="phone"
    )
    with app.app_context():  # the tag key lives in the app's instance folder
        world["tags"] = tuple(issue_tag(actor=None, target=e) for e in world["equipment"])
    return world


def _expected(expectation, scope):
    return expectation if isinstance(expectation, int) else pick(scope, expectation)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "rule", "url", "body", "expect"),
    CASES,
    ids=[f"{c[0]} {c[1]}" for c in CASES],
)
def test_access(client, scoped_world, method, rule, url, body, expect, role, scope):
    w = scoped_world
    token = None
    if role == "anonymous":
        token = client.get("/api/auth/csrf").json["csrf_token"]
    else:
        token = sign_in_as(client, w["users"][role])
    path = url(w, scope)
    payload = body(w, scope) if body else None
    headers = {"X-CSRF-Token": token}
    if rule.startswith("/api/"):
        response = client.open(path, method=method, json=payload, headers=headers)
    else:
        response = client.open(path, method=method, data=payload, headers=headers)
    response.get_data()
    response.close()
    expected = _expected(expect[role], scope)
    assert response.status_code == expected, (response.status_code, response.get_data()[:300])
    if rule.startswith("/api/") and response.status_code >= 400:
        assert set(response.json) == {"error"} and response.json["error"]["message"]


LISTS = [
    ("/api/sites", "sites"),
    ("/api/clients", "clients"),
    ("/api/equipment", "equipment"),
]


@pytest.mark.parametrize("role", ["engineer", "client", "dispatcher", "admin"])
@pytest.mark.parametrize(("path", "key"), LISTS)
def test_lists_hold_only_what_is_in_scope(client, world, role, path, key):
    Api(client, sign_in_as(client, world["users"][role]))
    ids = {row["id"] for row in client.get(path).json}
    inside, outside = (str(r.id) for r in world[key])
    assert inside in ids
    assert (outside in ids) == (role in ("dispatcher", "admin"))


def test_every_endpoint_is_in_the_table(app):
    covered = {(method, rule) for method, rule, *_ in CASES}
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes - covered == set(), "add these endpoints to the access table"


# --- sync: every (entity, op) a device may push x role x in / out of scope ---------------------
#
# A mutation reaches the same operations as the JSON API, so it must meet the same two owners:
# auth/permissions.py (may this role do it) and auth/scope.py (may this user see the record or
# site). Roles are written out here, not read from the permissions table, so that loosening the
# table turns a row red.

FIELD_ROLES = {"engineer", "dispatcher", "admin"}
OFFICE_ROLES = {"dispatcher", "admin"}
AT = "2026-11-21T09:05:00.000+08:00"


def mine(w, s):
    """A round of the signed-in engineer's own (at site A, or at site B where they are not)."""
    return pick(s, w["my_rounds"])


def new_id(w, s):
    return str(uuid.uuid4())


SYNC_CASES = [
    # entity, op, id(world, scope), changes(world, scope), roles that may, refusals out of scope
    (
        "equipment",
        "create",
        new_id,
        lambda w, s: {"site_id": str(site(w, s)), "name": "投影机"},
        FIELD_ROLES,
        {"invalid"},  # "No such site.", as for a site that does not exist
    ),
    (
        "equipment",
        "update",
        lambda w, s: str(equipment(w, s)),
        lambda w, s: {"notes": "已清洁"},
        FIELD_ROLES,
        {"not_found"},
    ),
    (
        "equipment",
        "delete",
        lambda w, s: str(equipment(w, s)),
        lambda w, s: {},
        OFFICE_ROLES,
        {"not_found"},
    ),
    (
        "attachment",
        "create",
        new_id,
        lambda w, s: {
            "owner_entity": "equipment",
            "owner_id": str(equipment(w, s)),
            "kind": "photo",
            "mime": "image/jpeg",
            "size": 3,
            "sha256": "0" * 64,
        },
        FIELD_ROLES,
        {"not_found"},
    ),
    (  # a client user's photo of a fault they reported (报修); the office's and engineers' too
        "attachment",
        "create",
        new_id,
        lambda w, s: {
            "owner_entity": "fault",
            "owner_id": str(pick(s, w["client_faults"]).id),
            "kind": "photo",
            "mime": "image/jpeg",
            "size": 3,
            "sha256": "0" * 64,
        },
        {"engineer", "client", "dispatcher", "admin"},
        {"not_found"},
    ),
    (
        "round",
        "create",
        new_id,
        lambda w, s: {
            "template_version_id": str(mine(w, s).template_version_id),
            "site_id": str(site(w, s)),
            "started_at": AT,
        },
        FIELD_ROLES,
        {"not_found"},
    ),
    ("round", "update", lambda w, s: str(mine(w, s).id), lambda w, s: {"summary": "正常"}),
    ("round", "submit", lambda w, s: str(mine(w, s).id), lambda w, s: {"submitted_at": AT}),
    (
        "round",
        "sign",
        lambda w, s: str(mine(w, s).id),
        lambda w, s: {
            "acceptance": {
                "accepted": True,
                "handover": "yes",
                "satisfaction": "satisfied",
                "reasons": [],
                "comments": "",
                "signer": "王经理",
                "signed_at": AT,
            },
            "signature_id": str(uuid.uuid4()),
            "seal_hash": "0" * 64,
        },
    ),
    (
        "answer",
        "create",
        new_id,
        lambda w, s: {"round_id": str(mine(w, s).id), "item_key": "look", "status": "normal"},
    ),
    (
        "answer",
        "update",
        lambda w, s: str(pick(s, w["my_answers"]).id),
        lambda w, s: {"status": "normal"},
    ),
    (  # client users report (报修) faults of their own sites too
        "fault",
        "create",
        new_id,
        lambda w, s: {"site_id": str(site(w, s)), "description": "漏水", "reported_at": AT},
        {*FIELD_ROLES, "client"},
        {"not_found"},
    ),
    (  # a field step: the client user confirms and reports, never responds (faults.operations)
        "fault_event",
        "create",
        new_id,
        lambda w, s: {
            "fault_id": str(pick(s, w["my_faults"]).id),
            "kind": "responded",
            "channel": "phone",
            "at": AT,
        },
        FIELD_ROLES,
        {"not_found"},
    ),
    (  # a check-in, unsigned (the checks of its signature: tests/test_checkins.py)
        "checkin",
        "create",
        new_id,
        lambda w, s: {
            "user_id": str(w["users"]["engineer"].id),
            "site_id": str(site(w, s)),
            "kind": "in",
            "device_time": AT,
            "canonical": "e30",
            "assertion": None,
        },
        FIELD_ROLES,
        {"not_found"},
    ),
    (  # a check-in at a restricted room, with its access record (tests/test_access_log.py)
        "checkin",
        "create",
        new_id,
        lambda w, s: {
            "user_id": str(w["users"]["engineer"].id),
            "site_id": str(site(w, s)),
            "location_id": str(location(w, s)),
            "kind": "in",
            "device_time": AT,
            "purpose": "更换电源模块",
            "people": 2,
            "escorts": ["张伟"],
            "canonical": "e30",
            "assertion": None,
        },
        FIELD_ROLES,
        {"not_found"},
    ),
    (  # leave and explanations: an engineer files their own, at a site they are stationed at
        "leave",
        "create",
        new_id,
        lambda w, s: {
            "site_id": str(site(w, s)),
            "first_day": "2026-12-20",
            "last_day": "2026-12-20",
            "kind": "personal",
            "filed_at": AT,
        },
        {"engineer"},
        {"not_found"},
    ),
    (
        "leave",
        "withdraw",
        lambda w, s: str(pick(s, w["my_leave"]).id),
        lambda w, s: {},
        {"engineer"},
        {"not_found"},
    ),
    (
        "explanation",
        "create",
        new_id,
        lambda w, s: {
            "site_id": str(site(w, s)),
            "month": "2026-11",
            "text": "因病缺勤两天",
            "written_at": AT,
        },
        {"engineer"},
        {"not_found"},
    ),
    (  # parts used on a fault from its site's stock; requests for parts, by engineers
        "part_use",
        "create",
        new_id,
        lambda w, s: {
            "fault_id": str(pick(s, w["my_faults"]).id),
            "stock_id": str(pick(s, w["stock"]).id),
            "quantity": 1,
            "used_at": AT,
        },
        FIELD_ROLES,
        {"not_found"},
    ),
    (
        "part_request",
        "create",
        new_id,
        lambda w, s: {
            "site_id": str(site(w, s)),
            "name": "无线话筒",
            "quantity": 1,
            "asked_at": AT,
        },
        {"engineer"},
        {"not_found"},
    ),
]
SYNC_CASES = [
    (*case, FIELD_ROLES, {"not_found"}) if len(case) == 4 else case for case in SYNC_CASES
]


@pytest.fixture
def sync_world(scoped_world):
    w = scoped_world
    engineer = w["users"]["engineer"]
    w["my_rounds"] = tuple(
        plain_round(s, engineer, number=f"R-2026-0010{n}") for n, s in enumerate(w["sites"], 1)
    )
    w["my_faults"] = tuple(
        create_record(
            Fault,
            actor=None,
            site=s,
            description="漏水",
            reported_at=AT,
            reported_by=engineer,
            number=f"F-2026-0010{n}",
        )
        for n, s in enumerate(w["sites"], 1)
    )
    w["client_faults"] = tuple(  # reported (报修) by the client user, in and out of their scope
        create_record(
            Fault,
            actor=None,
            site=s,
            description="话筒没声音",
            reported_at=AT,
            reported_by=w["users"]["client"],
            number=f"F-2026-0020{n}",
        )
        for n, s in enumerate(w["sites"], 1)
    )
    w["my_leave"] = tuple(
        create_record(
            LeaveRequest,
            actor=None,
            engineer=engineer,
            site=s,
            first_day=date(2026, 12, 22),
            last_day=date(2026, 12, 22),
            kind="personal",
            filed_at=AT,
            notice="on_time",
        )
        for s in w["sites"]
    )
    w["my_answers"] = tuple(
        create_record(Answer, actor=None, round=r, site=r.site_id, item_key="look", status="normal")
        for r in w["my_rounds"]
    )
    return w


def test_every_sync_operation_is_in_the_table():
    from webapp.sync.registry import HANDLERS

    assert set(HANDLERS) == {(c[0], c[1]) for c in SYNC_CASES}


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ["engineer", "client", "dispatcher", "admin"])
@pytest.mark.parametrize(
    ("entity", "op", "record_id", "changes", "may", "refusals"),
    SYNC_CASES,
    ids=[f"{c[0]}/{c[1]}" for c in SYNC_CASES],
)
def test_sync_access(
    client, sync_world, entity, op, record_id, changes, may, refusals, role, scope
):
    w = sync_world
    token = sign_in_as(client, w["users"][role])
    mutation = {
        "mutation_id": str(uuid.uuid4()),
        "client_seq": 1,
        "entity": entity,
        "id": record_id(w, scope),
        "op": op,
        "base_version": 1,
        "changes": changes(w, scope),
        "client_time": "2026-11-21T01:05:00Z",
    }
    response = client.post(
        "/api/sync/push",
        json={"client_id": str(uuid.uuid4()), "mutations": [mutation]},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    (result,) = response.json["results"]
    code = result.get("error", {}).get("code")
    sees_all = role in OFFICE_ROLES
    if role not in may:
        # refused, whether or not the record exists for them: no write, no existence leak
        assert result["status"] == "rejected" and code in {"forbidden", *refusals}, result
    elif scope == "out" and not sees_all:
        assert result["status"] == "rejected" and code in refusals, result
    else:  # reached the operation: applied, or refused for what the record holds, not access
        assert code not in {"forbidden", "not_found"}, result


@pytest.mark.parametrize("role", ["engineer", "client", "dispatcher", "admin"])
def test_pull_delivers_check_ins_only_to_their_owner(client, sync_world, role):
    """Who checked in where, when and with whom reaches the engineer's own phone only; the
    office reads them all (and on its pages)."""
    w = sync_world
    colleague = create_user("engineer", "eng_colleague")
    assign(colleague, w["sites"][0])
    from tests.test_access_log import keep

    at = datetime(2026, 12, 1, 1, 0)
    mine = keep(w, at, purpose="巡检", people=1)
    theirs = keep(w, at, user=colleague, purpose="巡检", people=1)
    token = sign_in_as(client, w["users"][role])
    ids = {
        c["id"]
        for page in Device(client, token).pull_all()
        for c in page["changes"]
        if c["entity"] == "checkin"
    }
    expected = {
        "engineer": {str(mine.id)},
        "client": set(),
        "dispatcher": {str(mine.id), str(theirs.id)},
        "admin": {str(mine.id), str(theirs.id)},
    }
    assert ids == expected[role]


@pytest.mark.parametrize("role", ["engineer", "client", "dispatcher", "admin"])
def test_pull_delivers_only_what_is_in_scope(client, sync_world, role):
    w = sync_world
    token = sign_in_as(client, w["users"][role])
    device = Device(client, token)
    ids = {c["id"] for page in device.pull_all() for c in page["changes"]}
    outside = {
        str(pick("out", w[key]).id)
        for key in (
            "sites",
            "locations",
            "equipment",
            "assignments",
            "conflicts",
            "attachments",
            "rounds",
            "my_rounds",
            "my_answers",
            "tags",
            "stock",
            "part_requests",
        )
    }
    inside = {str(pick("in", w[key]).id) for key in ("sites", "equipment", "my_rounds")}
    assert inside <= ids
    assert (outside <= ids) if role in OFFICE_ROLES else not (outside & ids)
    # the office's own store of parts (no site) reaches office devices only
    assert (str(w["store"].id) in ids) == (role in OFFICE_ROLES)


def _assign(w, fault, engineer, by="dispatcher"):
    from webapp.faults import operations as fault_ops

    fault_ops.office_step(w["users"][by], fault, "assigned", {"assignee_id": str(engineer.id)})


def test_pull_an_assignee_from_another_site_receives_the_fault_and_its_history(client, sync_world):
    """A fault at site B, where engineer2 is stationed, assigned to the engineer of site A: it
    reaches the engineer's phone with every step taken before, and the steps after; the other
    faults of site B do not. Reassigned away, it gets no further updates (no removal)."""
    from webapp.faults import operations as fault_ops

    w = sync_world
    engineer, other = w["users"]["engineer"], w["engineer2"]
    fault, neighbour = pick("out", w["my_faults"]), pick("out", w["faults"])
    early = fault_ops.add_event(
        actor=other,
        id=uuid.uuid4(),
        data={"fault_id": fault.id, "kind": "responded", "at": AT, "note": ""},
        details={"channel": "phone"},
        site_ids={fault.site_id},
    )[0]
    mine = fault_ops.add_event(  # a later change in the engineer's scope: their cursor passes
        actor=engineer,  # the early step's change number
        id=uuid.uuid4(),
        data={"fault_id": pick("in", w["my_faults"]).id, "kind": "on_site", "at": AT, "note": ""},
        details={},
        site_ids={pick("in", w["sites"]).id},
    )[0]
    assert mine.server_seq > early.server_seq
    device = Device(client, sign_in_as(client, engineer))
    ids = {c["id"] for page in device.pull_all() for c in page["changes"]}
    assert str(mine.id) in ids
    assert str(fault.id) not in ids and str(early.id) not in ids

    _assign(w, fault, engineer)
    pages = device.pull_all()
    got = {c["id"]: c for page in pages for c in page["changes"]}
    assert str(fault.id) in got and str(early.id) in got  # the history before the assignment
    assert got[str(fault.id)]["data"]["assignee_id"] == str(engineer.id)
    assert str(neighbour.id) not in got
    # the order of the fault's steps is unchanged by the hand-over
    assert fault_ops.read(Fault.get_by_id(fault.id))["events"][0]["id"] == str(early.id)

    _assign(w, fault, other)
    pages = device.pull_all()
    assert str(fault.id) not in {c["id"] for page in pages for c in page["changes"]}
    later = fault_ops.add_event(
        actor=other,
        id=uuid.uuid4(),
        data={"fault_id": fault.id, "kind": "on_site", "at": AT, "note": ""},
        details={},
        site_ids={fault.site_id},
    )[0]
    ids = {c["id"] for page in device.pull_all() for c in page["changes"]}
    assert str(later.id) not in ids and str(fault.id) not in ids


def test_pull_an_unstationed_assignee_receives_the_fault(client, sync_world):
    """An engineer stationed nowhere still gets the fault assigned to them, and only that."""
    w = sync_world
    fault = pick("in", w["faults"])
    _assign(w, fault, w["unstationed"])
    device = Device(client, sign_in_as(client, w["unstationed"]))
    changes = [c for page in device.pull_all() for c in page["changes"]]
    assert {c["entity"] for c in changes} == {"fault", "fault_event"}
    assert {c["data"]["fault_id"] for c in changes if c["entity"] == "fault_event"} == {
        str(fault.id)
    }
