"""Hostile query strings, path ids, cursors and bodies get a clear 4xx, never a 500; with the
database down, a 503 the client can act on (issue 9, item 8).

The sweep walks every GET route of the app (API and office pages), so a route added tomorrow is
swept too: each query parameter any route reads, and each path id, set to values a person or a
forged link could send.
"""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from tests.conftest import sign_in_as
from webapp import create_app

HOSTILE = [
    "a\x00b",
    "nope",
    "'; --",
    "-1",
    "99999999999999999999999999",
    "2024-13-45",
    "x" * 5000,
    "../../etc/passwd",
    "%",
]
# Every query parameter a page or endpoint reads (contracts add theirs below).
PARAMETERS = {
    "q",
    "site_id",
    "location_id",
    "system",
    "status",
    "date_from",
    "date_to",
    "abnormal",
    "page",
    "severity",
    "cursor",
    "limit",
    "client_id",
    "next",
    "back",
    "site",
    "skip",
    "frequency",
}


def _get_routes():
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite:///:memory:"})
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint.endswith("static"):
            continue
        if rule.rule == "/api/openapi.json":  # reads nothing from the request
            continue
        contract = getattr(app.view_functions[rule.endpoint], "contract", None)
        if contract is not None and contract.query is not None:
            PARAMETERS.update(f.data_key or n for n, f in contract.query().load_fields.items())
        routes.append(rule.rule)
    return sorted(routes)


GET_ROUTES = _get_routes()


def _fill(rule: str, world, value: str | None) -> str:
    """Path arguments set to `value`, or to real records of the world when None."""
    real = {
        "client_id": world["clients"][0].id,
        "site_id": world["sites"][0].id,
        "location_id": world["locations"][0].id,
        "equipment_id": world["equipment"][0].id,
        "user_id": world["engineer2"].id,
        "record_id": world["sites"][0].id,
        "key": "sites",
    }
    out = rule
    while "<" in out:
        start = out.index("<")
        end = out.index(">", start)
        name = out[start + 1 : end].split(":")[-1]
        filler = value if value is not None else str(real.get(name, uuid.uuid4()))
        out = out[:start] + filler.replace("/", "%2F") + out[end + 1 :]
    return out


def test_no_hostile_query_or_path_value_is_a_500(client, world):
    sign_in_as(client, world["users"]["admin"])
    failures = []
    for rule in GET_ROUTES:
        for value in HOSTILE:
            for url, query in (
                (_fill(rule, world, None), dict.fromkeys(PARAMETERS, value)),
                (_fill(rule, world, value), {}),
            ):
                r = client.get(url, query_string=query, headers={"Accept-Language": "zh-CN"})
                if r.status_code >= 500:
                    failures.append((r.status_code, url, value[:20], sorted(query)[:3]))
        for name in sorted(PARAMETERS):  # one at a time: a bad first one cannot hide the next
            url = _fill(rule, world, None)
            r = client.get(url, query_string={name: "a\x00b"})
            if r.status_code >= 500:
                failures.append((r.status_code, url, "NUL", [name]))
    assert not failures, failures[:20]


def test_a_nul_in_the_equipment_search_is_a_clear_422(client, world):
    sign_in_as(client, world["users"]["admin"])
    r = client.get("/api/equipment?q=%00", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 422
    assert "q" in r.json["error"]["fields"]
    r = client.get("/office/equipment?q=%00", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "无法保存的字符" in page  # the reason, in the reader's language, above an empty list
    r = client.get("/office/faults?severity=%00&site_id=nope", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 422
    assert "无法保存的字符" in r.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("query", "field"), [("site_id=nope", "UUID"), ("system=spaceship", ""), ("q=%00", "")]
)
def test_a_bad_export_filter_is_a_clear_422(client, world, kind, query, field):
    sign_in_as(client, world["users"]["admin"])
    r = client.get(f"/office/equipment/export.{kind}?{query}", headers={"Accept-Language": "en"})
    assert r.status_code == 422, r.status_code
    assert "This search cannot be used" in r.get_data(as_text=True)
    r = client.get(f"/office/rounds/export.{kind}?{query}")
    assert r.status_code in (200, 422)  # rounds have no `system`; unknown parameters are ignored


def _cursor(state) -> str:
    raw = json.dumps(state).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "state",
    [
        {"s": "12", "k": "*"},
        {"s": True, "k": "*"},
        {"s": 2**70, "k": "*"},
        {"s": -5, "k": "*"},
        {"s": 0, "k": ["not-a-site"]},
        {"s": 0, "k": [1, 2]},
        {"s": 0, "k": "*", "f": 5},
        {"s": 0, "k": "*", "f": ["x"], "fa": "1"},
        {"s": 0, "k": "*", "fa": 2**80},
        {"s": 0, "k": {"a": 1}},
        {"s": 0, "k": "*", "extra": 1},
        ["s", 0],
    ],
    ids=str,
)
def test_a_forged_pull_cursor_is_a_422_for_every_role(client, world, state):
    for role in ("engineer", "admin"):
        sign_in_as(client, world["users"][role])
        r = client.get("/api/sync/pull", query_string={"cursor": _cursor(state)})
        assert r.status_code == 422, (role, r.get_data(as_text=True)[:200])
        assert r.json["error"]["code"] == "bad_cursor"


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_five_thousand_levels_is_a_400(client, world, opening):
    token = sign_in_as(client, world["users"]["admin"])
    closing = "]" if opening == "[" else "}"
    body = '{"name":' + opening * 5000 + "1" + closing * 5000 + "}"
    for url in ("/api/clients", "/api/sync/push"):
        r = client.post(
            url, data=body, content_type="application/json", headers={"X-CSRF-Token": token}
        )
        assert r.status_code == 400, r.get_data(as_text=True)[:200]
        assert r.json["error"]["code"] == "malformed_json"


@pytest.fixture(params=["sqlite", "postgresql"])
def no_database(request, tmp_path):
    """An app whose database cannot be reached: a file in a folder that does not exist, or a
    PostgreSQL port nobody listens on."""
    url = {
        "sqlite": f"sqlite:///{tmp_path}/missing/folder/rounds.sqlite3",
        "postgresql": "postgresql://rounds@127.0.0.1:9/rounds?connect_timeout=2",
    }[request.param]
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
    app.instance_path = str(tmp_path / "instance")
    return app


def test_with_the_database_down_the_api_answers_503_in_the_envelope(no_database):
    client = no_database.test_client()
    for method, url in [
        ("GET", "/api/equipment"),
        ("GET", "/api/sync/pull"),
        ("POST", "/api/sync/push"),
        ("POST", "/api/auth/sign-in"),
    ]:
        r = client.open(url, method=method, json={}, headers={"Accept-Language": "zh-CN"})
        assert r.status_code == 503, (url, r.status_code, r.get_data(as_text=True)[:200])
        assert r.is_json
        assert r.json["error"]["code"] == "unavailable"
        assert "数据库" in r.json["error"]["message"]
        assert int(r.headers["Retry-After"]) > 0


def test_with_the_database_down_office_pages_answer_a_friendly_503(no_database):
    client = no_database.test_client()
    with client.session_transaction() as session:  # someone was signed in
        session["_user_id"] = str(uuid.uuid4())
        session["_fresh"] = True
    for url in ("/office/equipment", "/", "/sign-in"):
        r = client.get(url, headers={"Accept-Language": "zh-TW"})
        assert r.status_code == 503, (url, r.status_code)
        assert r.mimetype == "text/html"
        assert "資料庫" in r.get_data(as_text=True)
        assert int(r.headers["Retry-After"]) > 0
