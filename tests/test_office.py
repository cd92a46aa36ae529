"""Office pages: forms load with the API's schemas and show errors next to the fields."""

from __future__ import annotations

from tests.conftest import sign_in_as
from webapp.models import AuditEntry, Equipment, Site, User


def test_creating_a_site_from_the_form(client, world):
    token = sign_in_as(client, world["users"]["dispatcher"])
    r = client.post(
        "/office/sites/new",
        data={
            "csrf_token": token,
            "client_id": str(world["clients"][0].id),
            "name": "新会展中心",
            "address": "钱江路 9 号",
            "working_hours": "08:00-12:00,14:00-18:00",
            "late_after_minutes": "15",
            "early_leave_minutes": "30",
        },
    )
    assert r.status_code == 302
    site = Site.get(Site.name == "新会展中心")
    assert r.headers["Location"].endswith(f"/office/sites/{site.id}/overview")
    assert site.early_leave_minutes == 30 and site.client_id == world["clients"][0].id
    assert AuditEntry.select().where(AuditEntry.entity_id == str(site.id)).exists()


def test_a_bad_form_keeps_what_was_typed_and_names_each_problem(client, world):
    token = sign_in_as(client, world["users"]["admin"])
    r = client.post(
        "/office/sites/new",
        data={
            "csrf_token": token,
            "client_id": str(world["clients"][0].id),
            "name": "  ",
            "address": "钱江路 9 号",
            "working_hours": "8 to 5",
            "late_after_minutes": "soon",
            "early_leave_minutes": "15",
        },
        headers={"Accept-Language": "en"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "钱江路 9 号" in html
    assert "This field may not be empty." in html
    assert "Write working hours as periods like 08:30-12:00,14:00-17:30." in html
    assert 'aria-invalid="true"' in html
    assert Site.select().count() == 2


def test_equipment_filters_find_by_serial_and_escape_wildcards(client, world):
    sign_in_as(client, world["users"]["admin"])
    html = client.get("/office/equipment?q=SN-A").get_data(as_text=True)
    assert "数字调音台" in html and "核心交换机" not in html
    html = client.get("/office/equipment?q=%25").get_data(as_text=True)
    assert "数字调音台" not in html  # "%" is a character to search for, not a wildcard


def test_moving_equipment_to_another_site_leaves_the_old_room(client, world):
    token = sign_in_as(client, world["users"]["admin"])
    item = world["equipment"][0]
    r = client.patch(
        f"/api/equipment/{item.id}",
        json={"site_id": str(world["sites"][1].id)},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200, r.json
    assert r.json["location_id"] is None
    r = client.patch(
        f"/api/equipment/{item.id}",
        json={"site_id": str(world["sites"][0].id), "location_id": str(world["locations"][0].id)},
        headers={"X-CSRF-Token": token},
    )
    assert r.json["location_id"] == str(world["locations"][0].id)
    assert Equipment.get_by_id(item.id).version == 3


def test_dispatchers_cannot_make_admins_but_admins_can(client, world):
    token = sign_in_as(client, world["users"]["dispatcher"])
    body = {"username": "boss", "password": "long-enough-1", "role": "admin"}
    r = client.post("/api/users", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 403
    token = sign_in_as(client, world["users"]["admin"])
    r = client.post("/api/users", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 201 and User.get(User.username == "boss").role == "admin"


def test_nobody_locks_themselves_out(client, world):
    admin = world["users"]["admin"]
    token = sign_in_as(client, admin)
    r = client.patch(
        f"/api/users/{admin.id}", json={"active": False}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 409
    r = client.patch(
        f"/api/users/{admin.id}", json={"display_name": "总管"}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 200


def test_client_users_need_a_client(client, world):
    token = sign_in_as(client, world["users"]["admin"])
    r = client.post(
        "/api/users",
        json={"username": "kehu", "password": "long-enough-1", "role": "client"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 422 and "client_id" in r.json["error"]["fields"]


def test_the_office_sees_history_and_resolves_conflicts(client, world, app):
    from tests.sync_client import Device
    from webapp.models import SyncConflict

    item = world["equipment"][0]
    phone_client = app.test_client()
    phone = Device(client=phone_client, csrf=sign_in_as(phone_client, world["users"]["engineer"]))
    phone.pull_all()
    token = sign_in_as(client, world["users"]["dispatcher"])
    client.patch(
        f"/api/equipment/{item.id}",
        json={"serial_number": "SN-OFFICE"},
        headers={"X-CSRF-Token": token},
    )
    phone.edit("equipment", str(item.id), {"serial_number": "SN-PHONE"})
    assert phone.push().get_json()["results"][0]["status"] == "conflict"
    page = client.get("/office/conflicts", headers={"Accept-Language": "en"}).text
    assert "SN-OFFICE" in page and "SN-PHONE" in page and "数字调音台" in page
    history = client.get(f"/office/equipment/{item.id}").text
    assert "SN-A" in history and "SN-OFFICE" in history  # before and after of the office edit
    conflict = SyncConflict.get()
    r = client.post(
        f"/office/conflicts/{conflict.id}/resolve", data={"csrf_token": token, "choice": "client"}
    )
    assert r.status_code == 302
    assert Equipment.get_by_id(item.id).serial_number == "SN-PHONE"
    assert SyncConflict.get_by_id(conflict.id).status == "resolved"


def test_a_device_history_says_who_changed_what(client, world):
    from tests.conftest import sign_in_as as _sign_in

    device = world["equipment"][0]
    token = _sign_in(client, world["users"]["dispatcher"])
    client.patch(
        f"/api/equipment/{device.id}", json={"notes": "风扇已换"}, headers={"X-CSRF-Token": token}
    )
    rows = client.get(f"/api/equipment/{device.id}/history").get_json()
    assert rows[0]["field"] == "notes" and rows[0]["new_value"] == "风扇已换"
    assert rows[0]["author"] == (world["users"]["dispatcher"].display_name or "disp")


def test_working_hours_whose_periods_overlap_are_refused(app):
    """A typo such as a lunch break written the wrong way round would count the overlap twice
    in the fault clocks: 08:30-12:00,11:30-17:30 is not a site's day."""
    from marshmallow import ValidationError

    from webapp.sites.schemas import working_hours

    with app.test_request_context(headers={"Accept-Language": "en"}):
        for fine in (
            "08:30-12:00,14:00-17:30",
            "14:00-17:30,08:30-12:00",
            "08:00-12:00,12:00-17:00",
        ):
            working_hours(fine)
        for overlapping in ("08:30-12:00,11:30-17:30", "08:30-12:00,08:30-12:00"):
            try:
                working_hours(overlapping)
            except ValidationError as err:
                assert "overlap" in str(err.messages)
            else:
                raise AssertionError(f"{overlapping} was accepted")
