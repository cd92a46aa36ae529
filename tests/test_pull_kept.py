"""Kept dumps and their JSON: every phone of a site pulls the same new versions, and the server
dumps and encodes each version once (webapp/sync/pull.py, `_Kept`). What a phone receives must
be what dumping the row afresh would give, on the day it is pulled."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.conftest import sign_in_as
from tests.factories import create_equipment, create_user
from tests.sync_client import Device
from webapp.inventory.schemas import EquipmentOut
from webapp.models import Equipment


@pytest.fixture
def phone(app, world):
    def make(user) -> Device:
        client = app.test_client()
        return Device(client=client, csrf=sign_in_as(client, user))

    return make


def equipment_changes(pages) -> list[dict]:
    return [c for p in pages for c in p["changes"] if c["entity"] == "equipment"]


def test_the_second_phone_receives_what_a_fresh_dump_gives(app, world, phone):
    engineer = world["users"]["engineer"]
    site, room = world["sites"][0], world["locations"][0]
    items = [str(create_equipment(site, room, name=f"调音台 {i}").id) for i in range(3)]
    writer, first, second = phone(engineer), phone(engineer), phone(engineer)
    for device in (writer, first, second):
        device.pull_all()
    writer.edit("equipment", items[0], {"notes": "风扇异响，已清灰"})
    writer.edit("equipment", items[1], {"brand": "雅马哈"})
    assert writer.push().status_code == 200
    office = phone(world["users"]["dispatcher"])
    office.pull_all()
    office.edit("equipment", items[2], {}, op="delete")
    assert office.push().status_code == 200

    got_first = equipment_changes(first.pull_all())
    got_second = equipment_changes(second.pull_all())  # served from what the first one kept

    assert got_first == got_second
    assert {c["id"] for c in got_second} == set(items)
    with app.app_context():
        for change in got_second:
            row = Equipment.get_by_id(change["id"])
            assert change["version"] == row.version
            assert change["deleted"] is (row.deleted_at is not None)
            assert change["data"] == EquipmentOut().dump(row)
    deleted = next(c for c in got_second if c["id"] == items[2])
    assert deleted["deleted"] is True


def test_a_version_first_pulled_on_another_day_is_dumped_on_that_day(app, world, phone):
    """Years in use count from today: a version kept yesterday is not what today's phone gets."""
    site, room = world["sites"][0], world["locations"][0]
    engineer = world["users"]["engineer"]
    colleague = create_user("engineer", "李工")
    from tests.factories import assign

    assign(colleague, site)
    item = create_equipment(site, room, name="功放", installed_on=date(2020, 12, 3))
    # 2 December 2026, 10:00 in China: five whole years; from 3 December, six.
    app.config["CLOCK"] = lambda: datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    writer, late = phone(engineer), phone(colleague)
    writer.pull_all()
    late.pull_all()
    writer.edit("equipment", str(item.id), {"notes": "年检"})
    assert writer.push().status_code == 200
    today = equipment_changes(phone(engineer).pull_all())
    assert next(c for c in today if c["id"] == str(item.id))["data"]["years_in_use"] == 5

    app.config["CLOCK"] = lambda: datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    tomorrow = equipment_changes(late.pull_all())

    assert [c["data"]["years_in_use"] for c in tomorrow if c["id"] == str(item.id)] == [6]


def test_the_page_is_json_as_the_app_writes_it(app, world, phone):
    engineer = world["users"]["engineer"]
    site, room = world["sites"][0], world["locations"][0]
    create_equipment(site, room, name="投影机 中文")
    device = phone(engineer)
    response = device.client.get("/api/sync/pull?limit=500")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_data(as_text=True)
    assert "投影机 中文" in body  # UTF-8, not \\u escapes
    with app.app_context():
        assert body == app.json.response(response.get_json()).get_data(as_text=True)


def test_only_recent_versions_are_kept_a_first_sync_of_older_ones_is_not(
    app, world, phone, monkeypatch
):
    """A phone's first sync reads the site's whole register: keeping every dump it makes would
    fill the worker's memory with versions no other phone is about to pull."""
    from webapp.models import Counter
    from webapp.records import SERVER_SEQ
    from webapp.sync import pull

    monkeypatch.setattr(pull._Kept, "RECENT", 3)
    monkeypatch.setattr(pull, "_kept_now", pull._Kept(None))
    site, room = world["sites"][0], world["locations"][0]
    items = [str(create_equipment(site, room, name=f"机柜 {i}").id) for i in range(6)]
    first = equipment_changes(phone(world["users"]["engineer"]).pull_all())

    with app.app_context():
        horizon = Counter.get_by_id(SERVER_SEQ).value
    kept = pull._kept_now
    assert {c["id"] for c in first} >= set(items)
    assert kept.dumps and kept.texts
    assert all(key[3] > horizon - 3 for key in kept.dumps)
    assert all(key[3] > horizon - 3 for key, _deleted in kept.texts)
    # What the next phone receives is the same, kept or dumped afresh.
    assert equipment_changes(phone(world["users"]["engineer"]).pull_all()) == first


def test_a_full_store_goes_on_with_its_recent_versions_only(monkeypatch):
    from webapp.sync import pull

    monkeypatch.setattr(pull._Kept, "MAX", 4)
    monkeypatch.setattr(pull._Kept, "RECENT", 2)
    full = pull._Kept(date(2026, 12, 3))
    for seq in (5, 9, 7, 8):
        full.dumps[("equipment", f"e{seq}", 1, seq)] = {"server_seq": seq}
        full.texts[(("equipment", f"e{seq}", 1, seq), False)] = f"{seq}"
    monkeypatch.setattr(pull, "_kept_now", full)
    monkeypatch.setattr(pull.clock, "today", lambda: date(2026, 12, 3))

    now = pull._kept()

    assert now is not full and full.full()  # a page still using the full one keeps it whole
    assert sorted(k[3] for k in now.dumps) == [8, 9]
    assert sorted(k[0][3] for k in now.texts) == [8, 9]
