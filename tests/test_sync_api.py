"""The sync protocol through the real endpoints: exactly once, in order, merged per field."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import sign_in_as
from tests.factories import assign, create_equipment, create_location, create_site
from tests.sync_client import Device
from webapp.models import Equipment, RecordHistory, SyncConflict, SyncMutation
from webapp.records import update_record


@pytest.fixture
def device_for(app, world):
    def make(role_or_user="engineer") -> Device:
        user = (
            world["users"].get(role_or_user, role_or_user)
            if isinstance(role_or_user, str)
            else role_or_user
        )
        client = app.test_client()
        return Device(client=client, csrf=sign_in_as(client, user))

    return make


def test_a_change_is_applied_once_however_often_it_is_sent(device_for, world):
    phone = device_for("engineer")
    item = world["equipment"][0]
    phone.pull_all()
    phone.edit("equipment", str(item.id), {"notes": "风扇已清灰"})
    batch = list(phone.outbox)
    first = phone.push(batch).get_json()
    assert first["results"][0]["status"] == "applied"
    again = phone.push(batch).get_json()  # the answer was lost; the device sends again
    assert again["results"][0]["status"] == "duplicate"
    assert again["results"][0]["first"]["version"] == first["results"][0]["version"]
    assert Equipment.get_by_id(item.id).version == 2
    assert SyncMutation.select().count() == 1
    assert phone.outbox == []


def test_a_gap_stops_the_batch_until_the_earlier_change_arrives(device_for, world):
    phone = device_for("engineer")
    item = str(world["equipment"][0].id)
    phone.pull_all()
    one = phone.edit("equipment", item, {"notes": "一"})
    two = phone.edit("equipment", item, {"notes": "二"})
    late = phone.push([two]).get_json()
    assert late["results"] == [] and late["last_seq"] == 0
    both = phone.push([one, two]).get_json()
    assert [r["status"] for r in both["results"]] == ["applied", "applied"]
    assert Equipment.get_by_id(item).notes == "二"


def test_a_reused_sequence_number_is_refused_not_applied(device_for, world):
    phone = device_for("engineer")
    item = str(world["equipment"][0].id)
    phone.edit("equipment", item, {"notes": "一"})
    phone.push()
    phone.seq = 0  # a device whose counter went back
    phone.edit("equipment", item, {"notes": "再来一次"})
    result = phone.push().get_json()["results"][0]
    assert result["status"] == "rejected" and result["error"]["code"] == "seq_reused"
    assert Equipment.get_by_id(item).notes == "一"


def test_concurrent_edits_merge_per_field(device_for, world, app):
    """Two engineers edit the same device offline from the same version."""
    other = world["engineer2"]
    assign(other, world["sites"][0])
    a, b = device_for("engineer"), device_for(other)
    item = str(world["equipment"][0].id)
    a.pull_all()
    b.pull_all()
    a.edit(
        "equipment",
        item,
        {
            "notes": "A 的备注",
            "location_id": str(world["locations"][0].id),
            "serial_number": "SN-A",
        },
    )
    b.edit("equipment", item, {"notes": "B 的备注", "serial_number": "SN-B2", "brand": "YAMAHA"})
    # a's serial equals the stored one, so a changes only notes (location unchanged too)
    assert a.push().get_json()["results"][0]["status"] == "applied"
    result = b.push().get_json()["results"][0]
    assert result["status"] == "applied"  # serial changed only by b since its base: no conflict
    record = Equipment.get_by_id(item)
    assert (record.notes, record.serial_number, record.brand) == ("B 的备注", "SN-B2", "YAMAHA")
    old_notes = [
        h.new_value
        for h in RecordHistory.select().where(
            (RecordHistory.entity_id == item) & (RecordHistory.field == "notes")
        )
    ]
    assert old_notes == ["A 的备注", "B 的备注"]  # the earlier write is kept in the history

    # now both change the serial from the same base, to different values
    a.pull_all()
    b.pull_all()
    a.edit("equipment", item, {"serial_number": "SN-FROM-A"})
    b.edit("equipment", item, {"serial_number": "SN-FROM-B", "notes": "B 又改了"})
    assert a.push().get_json()["results"][0]["status"] == "applied"
    result = b.push().get_json()["results"][0]
    assert result["status"] == "conflict"
    (note,) = result["conflicts"]
    assert (note["field"], note["kept"], note["yours"]) == (
        "serial_number",
        "SN-FROM-A",
        "SN-FROM-B",
    )
    record = Equipment.get_by_id(item)
    assert record.serial_number == "SN-FROM-A" and record.notes == "B 又改了"
    conflict = SyncConflict.get_by_id(note["id"])
    assert conflict.status == "open" and conflict.client_value == "SN-FROM-B"
    # both devices and the office see it
    for device in (a, b):
        device.pull_all()
        assert device.records[("conflict", note["id"])]["data"]["status"] == "open"


def test_an_office_edit_and_an_offline_edit_of_the_location_conflict(device_for, world, app):
    item = world["equipment"][0]
    phone = device_for("engineer")
    phone.pull_all()
    new_room = world["locations"][0]
    spare_room = __import__("tests.factories", fromlist=["x"]).create_location(
        world["sites"][0], "备件间"
    )
    office = app.test_client()
    token = sign_in_as(office, world["users"]["dispatcher"])
    r = office.patch(
        f"/api/equipment/{item.id}",
        json={"location_id": str(spare_room.id)},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200
    phone.edit("equipment", str(item.id), {"location_id": str(new_room.id), "notes": "移位"})
    result = phone.push().get_json()["results"][0]
    assert result["status"] == "conflict"
    assert Equipment.get_by_id(item.id).location_id == spare_room.id  # nothing overwritten
    # the office resolves it in favour of the engineer
    r = office.post(
        f"/api/conflicts/{result['conflicts'][0]['id']}/resolve",
        json={"choice": "client"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200 and r.json["status"] == "resolved"
    assert Equipment.get_by_id(item.id).location_id == new_room.id
    again = office.post(
        f"/api/conflicts/{result['conflicts'][0]['id']}/resolve",
        json={"choice": "server"},
        headers={"X-CSRF-Token": token},
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"serial_number": 42}, "invalid", "serial_number"),
        ({"installed_on": "去年"}, "invalid", "installed_on"),
        ({"surprise": 1}, "invalid", "surprise"),
        ({"status": "broken"}, "invalid", "status"),
    ],
)
def test_bad_changes_are_rejected_with_a_reason_and_the_queue_moves_on(
    device_for, world, changes, code, field
):
    phone = device_for("engineer")
    item = str(world["equipment"][0].id)
    phone.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    phone.edit("equipment", item, changes)
    phone.edit("equipment", item, {"notes": "下一条"})
    results = phone.push().get_json()["results"]
    assert results[0]["status"] == "rejected"
    assert results[0]["error"]["code"] == code and field in results[0]["error"]["fields"]
    assert any("\u4e00" <= c <= "\u9fff" for c in results[0]["error"]["message"])
    assert results[1]["status"] == "applied"


def test_out_of_scope_and_forbidden_changes_are_rejected(device_for, world):
    phone = device_for("engineer")
    outside = str(world["equipment"][1].id)
    inside = str(world["equipment"][0].id)
    phone.edit("equipment", outside, {"notes": "越权"})
    phone.edit("equipment", inside, {}, op="delete")
    phone.edit("inspection", inside, {"x": 1})
    phone.edit("equipment", inside, {"site_id": str(world["sites"][1].id)})
    codes = [r["error"]["code"] for r in phone.push().get_json()["results"]]
    assert codes == ["not_found", "forbidden", "unsupported", "invalid"]
    assert Equipment.get_by_id(outside).notes == ""


def test_an_engineer_registers_equipment_offline(device_for, world):
    phone = device_for("engineer")
    new_id = str(uuid.uuid4())
    phone.edit(
        "equipment",
        new_id,
        {
            "site_id": str(world["sites"][0].id),
            "name": "无线话筒接收机",
            "brand": "Shure",
            "model": "ULXD4",
        },
        op="create",
    )
    assert phone.push().get_json()["results"][0]["status"] == "applied"
    assert Equipment.get_by_id(new_id).brand == "Shure"
    phone.pull_all()
    assert phone.records[("equipment", new_id)]["version"] == 1


def test_a_crash_in_the_middle_of_a_batch_leaves_nothing(device_for, world, monkeypatch, app):
    from webapp.sync import registry as handlers

    phone = device_for("engineer")
    item = str(world["equipment"][0].id)
    phone.edit("equipment", item, {"notes": "第一条"})
    phone.edit("equipment", item, {"notes": "第二条"})
    calls = {"n": 0}
    real = handlers.HANDLERS[("equipment", "update")]

    def crash_on_second(m, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the server died here")
        return real(m, **kw)

    monkeypatch.setitem(handlers.HANDLERS, ("equipment", "update"), crash_on_second)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = phone.push()
    assert response.status_code == 500 and len(phone.outbox) == 2
    assert Equipment.get_by_id(item).notes == "" and Equipment.get_by_id(item).version == 1
    assert SyncMutation.select().count() == 0
    monkeypatch.setitem(handlers.HANDLERS, ("equipment", "update"), real)
    assert [r["status"] for r in phone.push().get_json()["results"]] == ["applied", "applied"]


def test_a_device_id_belongs_to_one_user(device_for, world):
    phone = device_for("engineer")
    phone.edit("equipment", str(world["equipment"][0].id), {"notes": "x"})
    phone.push()
    thief = device_for("dispatcher")
    thief.client_id = phone.client_id
    thief.edit("equipment", str(world["equipment"][0].id), {"notes": "y"})
    response = thief.push()
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "client_taken"
    assert len(thief.outbox) == 1


def test_pull_pages_deliver_the_scope_once_in_order(device_for, world):
    site = world["sites"][0]
    for i in range(25):
        create_equipment(site, name=f"设备{i}")
    phone = device_for("engineer")
    pages = phone.pull_all(limit=7)
    seqs = [c["server_seq"] for p in pages for c in p["changes"]]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    entities = {k[0] for k in phone.records}
    assert entities >= {"client", "site", "location", "assignment", "equipment"}
    assert all(
        r["data"].get("site_id", str(site.id)) == str(site.id) or k[0] in ("client", "site")
        for k, r in phone.records.items()
    )
    assert ("equipment", str(world["equipment"][1].id)) not in phone.records  # other site
    assert phone.pull_all()[0]["changes"] == []  # nothing new


def test_rows_of_two_feeds_committed_between_their_queries_are_not_passed(
    device_for, world, monkeypatch
):
    """A page reads its feeds one query each. A transaction that commits a location and an
    equipment change after the location feed was read (nothing new there) and before the
    equipment feed is: the page must not send the equipment change and move its cursor past
    the location's earlier change number (the page reads up to the last number committed
    when it began, docs/sync-protocol.md, "Pull")."""
    from webapp.extensions import db
    from webapp.sync import pull

    site, item = world["sites"][0], world["equipment"][0]
    phone = device_for("engineer")
    phone.pull_all()
    rows, written = pull._rows, []

    def rows_then_commit(feed, *args, **kwargs):
        found = rows(feed, *args, **kwargs)
        if feed.entity == "location" and not written:
            with db.atomic():
                written.append(create_location(site, name="新机房"))
                update_record(Equipment.get_by_id(item.id), actor=None, changes={"notes": "后到"})
        return found

    monkeypatch.setattr(pull, "_rows", rows_then_commit)
    phone.pull_all()
    monkeypatch.undo()
    phone.pull_all()
    assert written and ("location", str(written[0].id)) in phone.records
    assert phone.records[("equipment", str(item.id))]["data"]["notes"] == "后到"


def test_without_a_counter_row_every_feed_is_read(device_for, world):
    """A database whose rows were numbered before the counter row existed (none taken through
    it): the page has no bound and no table is passed."""
    from webapp.models import Counter

    Counter.delete().where(Counter.name == "server_seq").execute()
    phone = device_for("engineer")
    phone.pull_all()
    assert ("equipment", str(world["equipment"][0].id)) in phone.records


def test_a_page_says_more_follow_only_when_they_do(device_for, world):
    for i in range(6):
        create_equipment(world["sites"][0], name=f"设备{i}")
    phone = device_for("engineer")
    phone.pull_all()
    for item in Equipment.select().where(Equipment.site == world["sites"][0]).limit(4):
        update_record(item, actor=None, changes={"notes": "整页"})
    pages = phone.pull_all(limit=4)
    assert [len(p["changes"]) for p in pages] == [4]  # exactly a page: no empty one after it


def test_a_newly_assigned_site_arrives_whole_and_a_lost_one_is_removed(device_for, world):
    engineer = world["users"]["engineer"]
    phone = device_for("engineer")
    phone.pull_all()
    other_site = world["sites"][1]
    old_item = world["equipment"][1]  # changed long before the assignment
    assignment = assign(engineer, other_site)
    phone.pull_all(limit=2)
    assert ("equipment", str(old_item.id)) in phone.records
    assert ("site", str(other_site.id)) in phone.records
    from webapp.records import delete_record

    delete_record(assignment, actor=None)
    page = phone.pull_all()[0]
    assert page["removed_sites"] == [str(other_site.id)]
    assert ("equipment", str(old_item.id)) not in phone.records
    assert phone.pull_all()[0]["removed_sites"] == []


def test_tombstones_reach_the_device(device_for, world, app):
    phone = device_for("engineer")
    phone.pull_all()
    office = app.test_client()
    token = sign_in_as(office, world["users"]["admin"])
    item = world["equipment"][0]
    office.delete(f"/api/equipment/{item.id}", headers={"X-CSRF-Token": token})
    phone.pull_all()
    assert phone.records[("equipment", str(item.id))]["deleted"] is True


def test_a_garbled_cursor_is_a_clear_422(device_for):
    phone = device_for("engineer")
    for cursor in ("garbage", "eyJzIjoiYSJ9", "e30"):
        r = phone.client.get(f"/api/sync/pull?cursor={cursor}")
        assert r.status_code == 422 and r.get_json()["error"]["code"] == "bad_cursor"


def test_office_pulls_everything(device_for, world):
    office = device_for("admin")
    office.pull_all()
    assert ("equipment", str(world["equipment"][1].id)) in office.records
    site = create_site(world["clients"][1], "新站点")
    office.pull_all()
    assert ("site", str(site.id)) in office.records


def test_two_engineers_offline_serial_applies_notes_last_write_location_conflicts(
    device_for, world, app
):
    """Issue 5's case: A changes the notes and the location; B the serial, the notes and the
    location, to other values. The serial applies, the notes take the later write (the earlier
    one stays in the history), the location raises a conflict everyone sees; B resolves it."""
    other = world["engineer2"]
    assign(other, world["sites"][0])
    site = world["sites"][0]
    a, b = device_for("engineer"), device_for(other)
    item = str(world["equipment"][0].id)
    room_a = create_location(site, "一号机房")
    room_b = create_location(site, "二号机房")
    a.pull_all()
    b.pull_all()
    a.edit("equipment", item, {"notes": "A：风扇异响", "location_id": str(room_a.id)})
    b.edit(
        "equipment",
        item,
        {"serial_number": "SN-NEW", "notes": "B：已除尘", "location_id": str(room_b.id)},
    )
    assert a.push().get_json()["results"][0]["status"] == "applied"
    result = b.push().get_json()["results"][0]
    assert result["status"] == "conflict"
    (note,) = result["conflicts"]
    assert (note["field"], note["kept"], note["yours"]) == (
        "location_id",
        str(room_a.id),
        str(room_b.id),
    )
    record = Equipment.get_by_id(item)
    assert record.serial_number == "SN-NEW"
    assert record.notes == "B：已除尘"
    assert record.location_id == room_a.id  # nothing overwritten silently
    notes = [
        (h.old_value, h.new_value)
        for h in RecordHistory.select()
        .where((RecordHistory.entity_id == item) & (RecordHistory.field == "notes"))
        .order_by(RecordHistory.id)
    ]
    assert notes[-1] == ("A：风扇异响", "B：已除尘")  # the earlier write is kept

    for device in (a, b):
        device.pull_all()
        assert device.records[("conflict", note["id"])]["data"]["status"] == "open"
    office = app.test_client()
    sign_in_as(office, world["users"]["dispatcher"])
    assert "二号机房" in office.get("/office/conflicts").get_data(as_text=True)

    resolved = b.client.post(
        f"/api/conflicts/{note['id']}/resolve",
        json={"choice": "client"},
        headers={"X-CSRF-Token": b.csrf},
    )
    assert resolved.status_code == 200, resolved.get_json()
    assert Equipment.get_by_id(item).location_id == room_b.id
    a.pull_all()
    assert a.records[("conflict", note["id"])]["data"]["status"] == "resolved"
    assert a.records[("equipment", item)]["data"]["location_id"] == str(room_b.id)
