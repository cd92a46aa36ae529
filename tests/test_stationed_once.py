"""An engineer is stationed at a site once: assigning again is a clear 409 (in the API and the
office page), ending and assigning again revives the one row (issue 9, item 9). Requests that
really overlap: tests/concurrency/test_stationed_once.py."""

from __future__ import annotations

from tests.conftest import sign_in_as
from webapp.models import Assignment


def test_stationing_an_engineer_twice_is_a_clear_409(client, world):
    token = sign_in_as(client, world["users"]["admin"])
    engineer, site = world["users"]["engineer"], world["sites"][0]  # already stationed there
    body = {"engineer_id": str(engineer.id), "site_id": str(site.id)}
    headers = {"X-CSRF-Token": token, "Accept-Language": "zh-CN"}
    r = client.post("/api/assignments", json=body, headers=headers)
    assert r.status_code == 409, r.get_data(as_text=True)[:200]
    assert r.json["error"]["code"] == "assigned"
    assert "已驻场" in r.json["error"]["message"] and site.name in r.json["error"]["message"]
    page = client.post(
        f"/office/sites/{site.id}/assign",
        data={"engineer_id": str(engineer.id), "csrf_token": token},
        headers={"Accept-Language": "zh-CN"},
        follow_redirects=True,
    )
    assert page.status_code == 200
    assert "已驻场" in page.get_data(as_text=True)
    (row,) = Assignment.select().where(Assignment.engineer == engineer)
    assert row.deleted_at is None and row.version == 1  # untouched by the refused attempts

    assert client.delete(f"/api/assignments/{row.id}", headers=headers).status_code == 200
    again = client.post("/api/assignments", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json["id"] == str(row.id)  # the same row, revived
    assert Assignment.select().where(Assignment.engineer == engineer).count() == 1
