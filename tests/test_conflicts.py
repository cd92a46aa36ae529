"""Conflicts seen from both sides (webapp/sync/conflicts.py).

李明 (eng) changes a serial number; 张磊 (eng2), offline on the same version, changes it too and
raises the conflict. 李明's value is on the server; 张磊's is the proposed one. Each of them must
be told which value is whose, with who wrote it and when, and "use my value" must put that
person's value on the server — whoever presses it. The value that was not used stays visible.
"""

from __future__ import annotations

import pytest
from playhouse.test_utils import count_queries

from tests.conftest import sign_in_as
from tests.factories import assign, create_equipment, create_location
from tests.sync_client import Device
from webapp.models import Equipment, SyncConflict


@pytest.fixture
def two_engineers(app, world):
    li, zhang = world["users"]["engineer"], world["engineer2"]
    li.display_name, zhang.display_name = "李明", "张磊"
    li.save()
    zhang.save()
    assign(zhang, world["sites"][0])

    def device(user) -> Device:
        client = app.test_client()
        return Device(client=client, csrf=sign_in_as(client, user))

    return {"li": (li, device(li)), "zhang": (zhang, device(zhang))}


@pytest.fixture
def conflict(world, two_engineers):
    """李明's SN-LI is on the server; 张磊's SN-ZHANG raised the conflict."""
    (_li, li_phone), (_zhang, zhang_phone) = two_engineers["li"], two_engineers["zhang"]
    item = str(world["equipment"][0].id)
    li_phone.pull_all()
    zhang_phone.pull_all()
    li_phone.edit("equipment", item, {"serial_number": "SN-LI"})
    sent = zhang_phone.edit("equipment", item, {"serial_number": "SN-ZHANG"})
    sent["client_time"] = "2026-11-21T07:42:00+08:00"  # 张磊's phone, in China
    assert li_phone.push().get_json()["results"][0]["status"] == "applied"
    result = zhang_phone.push().get_json()["results"][0]
    assert result["status"] == "conflict"
    (note,) = result["conflicts"]
    return {"id": note["id"], "item": item, "mutation_id": sent["mutation_id"]}


def api(device: Device, method: str, url: str, body=None):
    return device.client.open(url, method=method, json=body, headers={"X-CSRF-Token": device.csrf})


def test_both_engineers_see_who_wrote_which_value_and_when(two_engineers, conflict):
    (li, li_phone), (zhang, zhang_phone) = two_engineers["li"], two_engineers["zhang"]
    seen = {}
    for name, phone in (("li", li_phone), ("zhang", zhang_phone)):
        listed = api(phone, "GET", "/api/conflicts").get_json()
        (row,) = [c for c in listed if c["id"] == conflict["id"]]
        phone.pull_all()
        pulled = phone.records[("conflict", conflict["id"])]["data"]
        assert pulled["server"] == row["server"] and pulled["client"] == row["client"]
        seen[name] = row
    assert seen["li"] == seen["zhang"], "the facts do not depend on who asks"
    row = seen["li"]
    assert row["server"]["value"] == "SN-LI"
    assert (row["server"]["by_id"], row["server"]["by_name"]) == (str(li.id), "李明")
    assert row["server"]["at"]
    assert row["client"]["value"] == "SN-ZHANG"
    assert (row["client"]["by_id"], row["client"]["by_name"]) == (str(zhang.id), "张磊")
    assert row["client"]["at"] == "2026-11-20T23:42:00", "not the device's time, in UTC"
    assert row["raised_by_id"] == str(zhang.id) and row["mutation_id"] == conflict["mutation_id"]


def test_li_keeps_his_value_on_the_server_and_zhangs_stays_visible(
    two_engineers, conflict, app, world
):
    """李明's phone: his value is the server's, so "use my value" is the server side."""
    (li, li_phone), (_zhang, zhang_phone) = two_engineers["li"], two_engineers["zhang"]
    answer = api(
        li_phone,
        "POST",
        f"/api/conflicts/{conflict['id']}/resolve",
        {"choice": "server", "value": "SN-LI"},
    )
    assert answer.status_code == 200, answer.get_json()
    assert Equipment.get_by_id(conflict["item"]).serial_number == "SN-LI"
    resolved = answer.get_json()
    assert (resolved["status"], resolved["resolution"]) == ("resolved", "server")
    assert (resolved["resolved_by_id"], resolved["resolved_by_name"]) == (str(li.id), "李明")

    # The value that was not used is still there, for the other engineer and the office.
    zhang_phone.pull_all()
    kept = zhang_phone.records[("conflict", conflict["id"])]["data"]
    assert kept["status"] == "resolved" and kept["client"]["value"] == "SN-ZHANG"
    assert kept["client"]["by_name"] == "张磊" and kept["resolved_by_name"] == "李明"
    ids = lambda status: [  # noqa: E731
        c["id"] for c in api(zhang_phone, "GET", f"/api/conflicts?status={status}").get_json()
    ]
    assert conflict["id"] not in ids("open")
    assert conflict["id"] in ids("resolved") and conflict["id"] in ids("all")


def test_zhang_uses_his_value_from_his_side(two_engineers, conflict):
    """张磊's phone raised it: "use my value" is the proposed side."""
    _zhang, zhang_phone = two_engineers["zhang"]
    answer = api(
        zhang_phone,
        "POST",
        f"/api/conflicts/{conflict['id']}/resolve",
        {"choice": "client", "value": "SN-ZHANG"},
    )
    assert answer.status_code == 200, answer.get_json()
    assert Equipment.get_by_id(conflict["item"]).serial_number == "SN-ZHANG"
    assert answer.get_json()["resolved_by_name"] == "张磊"


@pytest.mark.parametrize(("choice", "value"), [("client", "SN-LI"), ("server", "SN-ZHANG")])
def test_a_choice_that_would_write_another_value_than_the_one_seen_changes_nothing(
    two_engineers, conflict, choice, value
):
    """The old phone labelled the server's value as 李明's own but sent "client": refused."""
    _li, li_phone = two_engineers["li"]
    answer = api(
        li_phone,
        "POST",
        f"/api/conflicts/{conflict['id']}/resolve",
        {"choice": choice, "value": value},
    )
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "other_value"
    assert Equipment.get_by_id(conflict["item"]).serial_number == "SN-LI"
    assert SyncConflict.get_by_id(conflict["id"]).status == "open"


def test_the_office_lists_resolved_conflicts_with_names_not_ids(
    app, world, two_engineers, conflict
):
    (_li, li_phone), (_zhang, zhang_phone) = two_engineers["li"], two_engineers["zhang"]
    site = world["sites"][0]
    room_li, room_zhang = create_location(site, "一号机房"), create_location(site, "二号机房")
    item = conflict["item"]
    li_phone.pull_all()
    zhang_phone.pull_all()
    li_phone.edit("equipment", item, {"location_id": str(room_li.id)})
    zhang_phone.edit("equipment", item, {"location_id": str(room_zhang.id)})
    li_phone.push()
    (place,) = zhang_phone.push().get_json()["results"][0]["conflicts"]
    api(li_phone, "POST", f"/api/conflicts/{conflict['id']}/resolve", {"choice": "server"})

    office = app.test_client()
    sign_in_as(office, world["users"]["dispatcher"])

    def page(status: str | None) -> str:
        query = f"?status={status}" if status else ""
        answer = office.get(f"/office/conflicts{query}")
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    open_page, resolved_page, everything = page(None), page("resolved"), page("all")
    assert f'data-conflict="{place["id"]}"' in open_page
    assert f'data-conflict="{conflict["id"]}"' not in open_page
    assert f'data-conflict="{conflict["id"]}"' in resolved_page
    assert f'data-conflict="{place["id"]}"' not in resolved_page
    assert all(f'data-conflict="{c}"' in everything for c in (conflict["id"], place["id"]))
    for text in ("数字调音台", "主楼", "Serial number", "SN-LI", "SN-ZHANG", "李明", "张磊"):
        assert text in resolved_page, text
    assert "kept the server's value" in resolved_page and "Resolved by 李明" in resolved_page
    assert "not used" in resolved_page
    assert "一号机房" in open_page and "二号机房" in open_page
    assert str(room_li.id) not in open_page and str(room_zhang.id) not in open_page
    nonsense = page("nonsense")  # an unknown filter shows the open ones
    assert f'data-conflict="{place["id"]}"' in nonsense
    assert f'data-conflict="{conflict["id"]}"' not in nonsense


def test_listing_conflicts_takes_the_same_queries_for_one_or_many(app, world, api_as):
    site = world["sites"][0]
    dispatcher = api_as(world["users"]["dispatcher"])

    def add(n: int) -> None:
        for _ in range(n):
            device = create_equipment(site)
            SyncConflict.create(
                entity="equipment",
                entity_id=str(device.id),
                site=site,
                field="serial_number",
                base_version=1,
                server_value="A",
                client_value="B",
                raised_by=world["users"]["engineer"],
            )

    add(1)
    with count_queries() as one:
        assert len(dispatcher.get("/api/conflicts").get_json()) == 1
    add(9)
    with count_queries() as ten:
        assert len(dispatcher.get("/api/conflicts").get_json()) == 10
    assert ten.count == one.count
