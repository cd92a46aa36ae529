"""Scope follows assignments and organisations as they change."""

from __future__ import annotations

from tests.conftest import sign_in_as
from webapp.records import delete_record


def test_an_engineer_loses_a_site_when_unassigned(client, world):
    engineer = world["users"]["engineer"]
    sign_in_as(client, engineer)
    site = world["sites"][0]
    assert client.get(f"/api/sites/{site.id}").status_code == 200
    delete_record(next(iter(engineer.assignments)), actor=None)
    assert client.get(f"/api/sites/{site.id}").status_code == 404
    assert client.get(f"/api/equipment/{world['equipment'][0].id}").status_code == 404
    assert client.get("/api/sites").json == []


def test_a_deleted_site_is_out_of_everyones_sight(client, world):
    site = world["sites"][1]
    for item in site.equipment:
        delete_record(item, actor=None)
    delete_record(site, actor=None)
    sign_in_as(client, world["users"]["admin"])
    assert client.get(f"/api/sites/{site.id}").status_code == 404
    assert str(site.id) not in {s["id"] for s in client.get("/api/sites").json}


def test_a_disabled_user_is_signed_out_at_the_next_request(client, world):
    engineer = world["users"]["engineer"]
    sign_in_as(client, engineer)
    assert client.get("/api/auth/me").status_code == 200
    engineer.active = False
    engineer.save()
    assert client.get("/api/auth/me").status_code == 401


def test_the_client_users_home_lists_only_their_sites(client, world):
    sign_in_as(client, world["users"]["client"])
    html = client.get("/").get_data(as_text=True)
    assert "主楼" in html and "A区机房" not in html


def test_engineers_land_in_the_offline_app(client, world):
    sign_in_as(client, world["users"]["engineer"])
    assert client.get("/").headers["Location"] == "/app/"
