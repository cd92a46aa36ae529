"""No echo: a pull does not send a device back its own writes, and still sends everything the
server did on top of them (docs/sync-protocol.md, "No echo")."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import sign_in_as
from tests.factories import assign, create_equipment
from tests.sync_client import Device
from webapp.inventory.schemas import EquipmentOut
from webapp.models import Equipment


@pytest.fixture
def device_for(app, world):
    def make(user) -> Device:
        client = app.test_client()
        return Device(client=client, csrf=sign_in_as(client, user))

    return make


@pytest.fixture
def office(app, world):
    client = app.test_client()
    token = sign_in_as(client, world["users"]["dispatcher"])

    def patch(item_id, changes):
        r = client.patch(f"/api/equipment/{item_id}", json=changes, headers={"X-CSRF-Token": token})
        assert r.status_code == 200, r.get_data(as_text=True)
        return r.get_json()

    return patch


def pulled(pages, entity="equipment"):
    return {c["id"] for p in pages for c in p["changes"] if c["entity"] == entity}


def fresh_copy(device_for, user, item_id):
    """The record as a device that never wrote it receives it."""
    other = device_for(user)
    other.pull_all()
    return other.records[("equipment", item_id)]


def test_own_changes_are_not_echoed_and_the_copy_is_the_servers(device_for, world):
    engineer = world["users"]["engineer"]
    site, room = world["sites"][0], world["locations"][0]
    extra = [str(create_equipment(site, room, name=f"音箱 {i}").id) for i in range(3)]
    phone = device_for(engineer)
    phone.pull_all()
    for item in extra:
        phone.edit("equipment", item, {"notes": f"清灰 {item[:4]}"})
    new_id = str(uuid.uuid4())
    phone.edit(
        "equipment",
        new_id,
        {"site_id": str(site.id), "location_id": str(room.id), "name": "新功放"},
        op="create",
    )
    results = phone.push().get_json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 4
    assert all("data" in r for r in results)
    assert phone.held == [r["server_seq"] for r in results]

    pages = phone.pull_all()
    assert pulled(pages) == set()  # nothing of its own came back
    assert phone.held == []
    for item in [*extra, new_id]:
        # what it kept from the answers is exactly what a pull gives another device, and what
        # the row read back from the database dumps to (not a copy kept by the server)
        assert phone.records[("equipment", item)] == fresh_copy(device_for, engineer, item)
        stored = EquipmentOut().dump(Equipment.get_by_id(item))
        assert phone.records[("equipment", item)]["data"] == json.loads(json.dumps(stored))

    # the same pulls without `held`: every one of them comes back (what the device saved)
    echoing = device_for(engineer)
    echoing.no_echo = False
    echoing.pull_all()
    echoing.edit("equipment", extra[0], {"notes": "再清一次"})
    echoing.push()
    assert pulled(echoing.pull_all()) == {extra[0]}


def test_a_later_edit_by_the_office_is_delivered(device_for, world, office):
    phone = device_for(world["users"]["engineer"])
    item = str(world["equipment"][0].id)
    phone.pull_all()
    phone.edit("equipment", item, {"notes": "风扇已清灰"})
    assert "data" in phone.push().get_json()["results"][0]
    office(item, {"brand": "YAMAHA"})
    pages = phone.pull_all()
    assert pulled(pages) == {item}
    data = phone.records[("equipment", item)]["data"]
    assert (data["notes"], data["brand"]) == ("风扇已清灰", "YAMAHA")


def test_a_merge_on_top_is_delivered(device_for, world, office):
    """The office changed another field after the phone's base: the push merges, its answer
    has no data, and the pull brings the merged record."""
    phone = device_for(world["users"]["engineer"])
    item = str(world["equipment"][0].id)
    phone.pull_all()
    office(item, {"brand": "SONY"})
    phone.edit("equipment", item, {"notes": "离线时写的"})
    result = phone.push().get_json()["results"][0]
    assert result["status"] == "applied" and "data" not in result
    assert phone.held == []
    assert pulled(phone.pull_all()) == {item}
    data = phone.records[("equipment", item)]["data"]
    assert (data["notes"], data["brand"]) == ("离线时写的", "SONY")
    assert phone.records[("equipment", item)]["version"] == Equipment.get_by_id(item).version


def test_a_conflict_is_delivered(device_for, world):
    other = world["engineer2"]
    assign(other, world["sites"][0])
    a, b = device_for(world["users"]["engineer"]), device_for(other)
    item = str(world["equipment"][0].id)
    a.pull_all()
    b.pull_all()
    a.edit("equipment", item, {"serial_number": "SN-FROM-A"})
    b.edit("equipment", item, {"serial_number": "SN-FROM-B", "notes": "B 改了"})
    assert "data" in a.push().get_json()["results"][0]
    result = b.push().get_json()["results"][0]
    assert result["status"] == "conflict" and "data" not in result
    pages = b.pull_all()
    assert pulled(pages) == {item}
    (conflict,) = pulled(pages, "conflict")
    assert b.records[("conflict", conflict)]["data"]["status"] == "open"
    data = b.records[("equipment", item)]["data"]
    assert (data["serial_number"], data["notes"]) == ("SN-FROM-A", "B 改了")
    # a's own write is not echoed to a, but b's change on top of it and the conflict are
    pages = a.pull_all()
    assert pulled(pages) == {item} and pulled(pages, "conflict") == {conflict}


def test_two_devices_of_one_user_see_each_others_changes(device_for, world):
    engineer = world["users"]["engineer"]
    phone, tablet = device_for(engineer), device_for(engineer)
    item = str(world["equipment"][0].id)
    phone.pull_all()
    tablet.pull_all()
    phone.edit("equipment", item, {"notes": "手机上写的"})
    assert "data" in phone.push().get_json()["results"][0]
    assert pulled(tablet.pull_all()) == {item}
    assert tablet.records[("equipment", item)]["data"]["notes"] == "手机上写的"
    assert pulled(phone.pull_all()) == set()


def test_a_repeated_push_answers_without_data(device_for, world):
    """The stored first answer has no data (the record may have changed since): a device
    that lost the answer gets the record by the pull."""
    phone = device_for(world["users"]["engineer"])
    item = str(world["equipment"][0].id)
    phone.pull_all()
    phone.edit("equipment", item, {"notes": "一"})
    batch = list(phone.outbox)
    phone.no_echo = False  # the answer is lost
    phone.push(batch)
    phone.no_echo = True
    again = phone.push(batch).get_json()["results"][0]
    assert again["status"] == "duplicate" and "data" not in again["first"]
    assert pulled(phone.pull_all()) == {item}


@pytest.mark.parametrize("held", ["abc", "5-2", "1-x", "-3", "0", ",".join(["7"] * 201)])
def test_a_garbled_held_list_is_a_clear_422(device_for, world, held):
    phone = device_for(world["users"]["engineer"])
    r = phone.client.get(f"/api/sync/pull?client_id={phone.client_id}&held={held}")
    assert r.status_code == 422
    assert "held" in r.get_json()["error"]["fields"]
