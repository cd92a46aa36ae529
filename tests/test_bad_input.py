"""Bad input to every JSON endpoint gets a clear 4xx in the error envelope, never a 500.

The table is generated from the endpoints' own contracts, so a new endpoint is covered the day it
is added: malformed JSON, a non-object body, the wrong content type, an oversized body, unknown
fields, wrong types for every field, and ids that are not ids or are out of scope.
"""

from __future__ import annotations

import uuid

import pytest
from marshmallow import fields

from tests.conftest import sign_in_as
from webapp import create_app

WRONG_VALUES = {
    fields.UUID: ["not-a-uuid", 42],
    fields.Integer: ["twelve", 1.5, True, 10**30],
    fields.Boolean: ["maybe", 7],
    fields.Date: ["yesterday", "2024-13-45", 20240101],
    fields.String: [123, ["a"], {"a": 1}, "NUL\x00"],  # text that cannot be saved, too
    fields.List: ["not a list", {"a": 1}, [1, "x"]],
    fields.Dict: ["not a mapping", [1, 2]],
    fields.Nested: ["not a mapping", [1, 2], 5],
    fields.Float: ["soon", [1], {"a": 1}],
}


def _body_endpoints():
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite:///:memory:"})
    out = []
    for rule in app.url_map.iter_rules():
        contract = getattr(app.view_functions[rule.endpoint], "contract", None)
        if contract is None or contract.body is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS", "GET"}):
            out.append((method, rule.rule, contract.body))
    return sorted(out, key=lambda e: (e[1], e[0]))


BODY_ENDPOINTS = _body_endpoints()


def _url(rule: str, world) -> str:
    """Fill path ids with real, in-scope records so only the body is wrong."""
    ids = {
        "client_id": world["clients"][0].id,
        "site_id": world["sites"][0].id,
        "location_id": world["locations"][0].id,
        "equipment_id": world["equipment"][0].id,
        "user_id": world["engineer2"].id,
    }
    for name, value in ids.items():
        rule = rule.replace(f"<{name}>", str(value))
    return rule


def _wrong_values(field):
    for kind, values in WRONG_VALUES.items():
        if isinstance(field, kind):
            return values
    return [object]  # unreachable guard: a field type the table does not know fails below


def _cases():
    for method, rule, schema in BODY_ENDPOINTS:
        yield pytest.param(method, rule, "malformed", None, id=f"{method} {rule} malformed")
        yield pytest.param(method, rule, "not-object", None, id=f"{method} {rule} not-object")
        yield pytest.param(method, rule, "form-encoded", None, id=f"{method} {rule} form")
        yield pytest.param(method, rule, "oversized", None, id=f"{method} {rule} oversized")
        yield pytest.param(method, rule, "unknown-field", None, id=f"{method} {rule} unknown")
        for name, field in schema().load_fields.items():
            for i, value in enumerate(_wrong_values(field)):
                yield pytest.param(
                    method,
                    rule,
                    "wrong-type",
                    (field.data_key or name, value),
                    id=f"{method} {rule} {name}#{i}",
                )


def _strings(tree):
    if isinstance(tree, dict):
        for value in tree.values():
            yield from _strings(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _strings(value)
    else:
        yield tree


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


EXPECTED = {
    "malformed": (400, "malformed_json"),
    "not-object": (422, "invalid"),
    "form-encoded": (415, "unsupported_media_type"),
    "oversized": (413, "too_large"),
    "unknown-field": (422, "invalid"),
    "wrong-type": (422, "invalid"),
}


@pytest.mark.parametrize(("method", "rule", "kind", "field"), list(_cases()))
def test_bad_body_is_a_clear_4xx(client, world, method, rule, kind, field):
    assert kind != "wrong-type" or field[1] is not object, f"no wrong values for {field}"
    token = sign_in_as(client, world["users"]["admin"])
    url = _url(rule, world)
    headers = {"X-CSRF-Token": token, "Accept-Language": "zh-CN"}
    if kind == "malformed":
        r = client.open(
            url,
            method=method,
            data='{"name": "未闭合',
            headers=headers,
            content_type="application/json",
        )
    elif kind == "not-object":
        r = client.open(url, method=method, json=["a", "list"], headers=headers)
    elif kind == "form-encoded":
        r = client.open(url, method=method, data={"name": "x"}, headers=headers)
    elif kind == "oversized":
        r = client.open(url, method=method, json={"notes": "长" * 2_000_000}, headers=headers)
    elif kind == "unknown-field":
        r = client.open(url, method=method, json={"surprise": 1}, headers=headers)
    else:
        name, value = field
        r = client.open(url, method=method, json={name: value}, headers=headers)
    status, code = EXPECTED[kind]
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    error = r.json["error"]
    assert error["code"] == code
    assert _chinese(error["message"]), error  # asked for in zh-CN, answered in zh-CN
    assert all(_chinese(m) for m in _strings(error.get("fields") or {})), error
    if kind == "unknown-field":
        assert "surprise" in error["fields"]
    if kind == "wrong-type":
        assert field[0] in error["fields"], error


PATH_ENDPOINTS = [
    ("GET", "/api/clients/{}"),
    ("PATCH", "/api/clients/{}"),
    ("DELETE", "/api/clients/{}"),
    ("GET", "/api/sites/{}"),
    ("GET", "/api/sites/{}/locations"),
    ("GET", "/api/locations/{}"),
    ("GET", "/api/equipment/{}"),
    ("PATCH", "/api/equipment/{}"),
    ("DELETE", "/api/assignments/{}"),
    ("GET", "/api/users/{}"),
    ("GET", "/api/users/{}/sessions"),
    ("POST", "/api/users/{}/sessions/sign-out"),
]


@pytest.mark.parametrize(
    "bad_id", ["not-a-uuid", "0b0e4c1e-9c1d-4a55-9f0e-2f7d3c1b6a10", "1 OR 1=1", "%00"]
)
@pytest.mark.parametrize(("method", "template"), PATH_ENDPOINTS)
def test_bad_ids_are_404_in_the_envelope(client, world, method, template, bad_id):
    token = sign_in_as(client, world["users"]["admin"])
    body = {} if method == "PATCH" else None
    r = client.open(
        template.format(bad_id), method=method, json=body, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 404
    assert r.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("site_id=nope", "site_id"),
        ("system=spaceship", "system"),
        ("q=" + "x" * 200, "q"),
        ("surprise=1", "surprise"),
    ],
)
def test_bad_query_parameters_are_422(client, world, query, field):
    sign_in_as(client, world["users"]["engineer"])
    r = client.get(f"/api/equipment?{query}")
    assert r.status_code == 422
    assert field in r.json["error"]["fields"]


def test_cross_references_out_of_scope_are_refused(client, world):
    """An office user may not point a location at a deleted site; an id that is not a site is
    not a site."""
    token = sign_in_as(client, world["users"]["admin"])
    r = client.post(
        "/api/locations",
        json={"site_id": str(uuid.uuid4()), "name": "x"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 422
    assert "site_id" in r.json["error"]["fields"]
    r = client.post(
        "/api/equipment",
        json={
            "site_id": str(world["sites"][0].id),
            "location_id": str(world["locations"][1].id),
            "name": "x",
        },
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 422
    assert "location_id" in r.json["error"]["fields"]
