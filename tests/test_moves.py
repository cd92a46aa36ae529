"""A record that moves to another site reaches both sides (issue 9 item 7): the old site's
devices drop it, with its files and tags, and its files are no longer theirs to download; the
new site's devices receive it, files and tags included."""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest

from tests.conftest import Api, sign_in_as
from tests.factories import assign, create_location, create_user
from tests.sync_client import Device
from webapp.models import Attachment, Departure, Equipment, Tag
from webapp.tags.operations import issue_tag


@pytest.fixture
def people(app, world):
    """The old site's engineer and client user, the new site's engineer, one engineer at both
    sites, and the office."""
    site_a, site_b = world["sites"]
    newcomer = world["engineer2"]
    assign(newcomer, site_b)
    both = create_user("engineer", "eng-both")
    assign(both, site_a)
    assign(both, site_b)

    def device(user) -> Device:
        client = app.test_client()
        return Device(client=client, csrf=sign_in_as(client, user))

    return {
        "old": device(world["users"]["engineer"]),
        "old_client": device(world["users"]["client"]),
        "new": device(newcomer),
        "both": device(both),
        "office": device(world["users"]["admin"]),
    }


def attach(phone: Device, owner: Equipment, data: bytes, *, send: bool = True) -> str:
    """Announce a photo of `owner` from the phone and, unless told not to, send its bytes."""
    attachment_id = str(uuid.uuid4())
    phone.edit(
        "attachment",
        attachment_id,
        {
            "owner_entity": "equipment",
            "owner_id": str(owner.id),
            "kind": "photo",
            "filename": "铭牌.jpg",
            "mime": "image/jpeg",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
        op="create",
    )
    assert phone.push().get_json()["results"][0]["status"] == "applied"
    if send:
        assert upload(phone, attachment_id, data).get_json()["status"] == "complete"
    return attachment_id


def upload(phone: Device, attachment_id: str, data: bytes):
    return phone.client.put(
        f"/api/attachments/{attachment_id}/content",
        data=data,
        headers={
            "X-CSRF-Token": phone.csrf,
            "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}",
        },
    )


def download(phone: Device, attachment_id: str):
    response = phone.client.get(f"/api/attachments/{attachment_id}/content")
    response.get_data()
    response.close()
    return response


def move(office: Device, item: Equipment, site) -> None:
    answer = Api(office.client, office.csrf).patch(
        f"/api/equipment/{item.id}", {"site_id": str(site.id)}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)


def tag_for(app, target) -> Tag:
    with app.app_context():
        return issue_tag(actor=None, target=target)


def held(phone: Device, entity: str, record_id) -> dict | None:
    return phone.records.get((entity, str(record_id)))


def test_a_moved_device_leaves_the_old_site_s_phones_and_reaches_the_new_one_s(
    app, people, world, any_storage
):
    site_a, site_b = world["sites"]
    item = world["equipment"][0]
    photo = os.urandom(3000)
    old, old_client, new = people["old"], people["old_client"], people["new"]
    photo_id = attach(old, item, photo)
    tag = tag_for(app, item)
    for phone in (old, old_client, new):
        phone.pull_all()
    assert held(old, "equipment", item.id) and held(old, "attachment", photo_id)
    assert held(old, "tag", tag.id) and held(old_client, "equipment", item.id)
    assert download(old, photo_id).status_code == 200
    assert held(new, "equipment", item.id) is None
    assert download(new, photo_id).status_code == 404

    move(people["office"], item, site_b)

    for phone in (old, old_client):
        pages = phone.pull_all()
        removals = [c for p in pages for c in p["changes"] if c.get("moved")]
        assert {(c["entity"], c["id"]) for c in removals} == {
            ("equipment", str(item.id)),
            ("attachment", photo_id),
            ("tag", str(tag.id)),
        }
        # where it went (another client's site) is not told
        assert all(c["deleted"] and c["data"] == {} for c in removals)
        assert held(phone, "equipment", item.id) is None
        assert held(phone, "attachment", photo_id) is None
        assert held(phone, "tag", tag.id) is None
        assert download(phone, photo_id).status_code == 404
    new.pull_all()
    assert held(new, "equipment", item.id)["data"]["site_id"] == str(site_b.id)
    assert held(new, "attachment", photo_id)["data"]["site_id"] == str(site_b.id)
    assert held(new, "tag", tag.id)["data"]["site_id"] == str(site_b.id)
    response = download(new, photo_id)
    assert response.status_code == 200 and response.data == photo
    assert Attachment.get_by_id(photo_id).site_id == site_b.id


def test_a_device_at_both_sites_and_the_office_keep_it(people, world):
    item = world["equipment"][0]
    both, office = people["both"], people["office"]
    both.pull_all()
    office.pull_all()
    move(office, item, world["sites"][1])
    for phone in (both, office):
        pages = phone.pull_all()
        assert not any(c.get("moved") for p in pages for c in p["changes"])
        assert held(phone, "equipment", item.id)["data"]["site_id"] == str(world["sites"][1].id)


def test_there_and_back_before_a_pull_leaves_it_where_it_is(people, world):
    item = world["equipment"][0]
    old, office = people["old"], people["office"]
    old.pull_all()
    move(office, item, world["sites"][1])
    move(office, item, world["sites"][0])
    old.pull_all()
    assert held(old, "equipment", item.id)["version"] == Equipment.get_by_id(item.id).version
    assert Departure.select().count() == 2


def test_a_device_that_comes_back_returns_to_the_phone(people, world):
    item = world["equipment"][0]
    old, office = people["old"], people["office"]
    old.pull_all()
    move(office, item, world["sites"][1])
    old.pull_all()
    assert held(old, "equipment", item.id) is None
    move(office, item, world["sites"][0])
    old.pull_all()
    assert held(old, "equipment", item.id)["data"]["site_id"] == str(world["sites"][0].id)


def test_a_newly_assigned_site_sends_no_removals(people, world):
    """A device filled with a site it never held gets none of that site's departures."""
    item = world["equipment"][0]
    office = Api(people["office"].client, people["office"].csrf)
    move(people["office"], item, world["sites"][1])
    later = office.patch(f"/api/equipment/{world['equipment'][1].id}", {"notes": "后来的修改"})
    assert later.status_code == 200
    phone = people["new"]
    phone.pull_all()  # holds the device at its new site, its cursor past the departure
    assign(world["engineer2"], world["sites"][0])
    pages = phone.pull_all(limit=3)  # the old site arrives whole
    assert any(
        c["entity"] == "site" and c["id"] == str(world["sites"][0].id)
        for p in pages
        for c in p["changes"]
    )
    assert not any(c.get("moved") for p in pages for c in p["changes"])
    assert held(phone, "equipment", item.id)["data"]["site_id"] == str(world["sites"][1].id)


def test_a_photo_taken_before_the_move_still_uploads_but_only_the_new_site_sees_it(people, world):
    """Nothing lost: the engineer's unsent bytes still go up after the device moved away."""
    item = world["equipment"][0]
    old, new = people["old"], people["new"]
    photo = os.urandom(2000)
    photo_id = attach(old, item, photo, send=False)
    move(people["office"], item, world["sites"][1])
    status = old.client.get(f"/api/attachments/{photo_id}/status")
    assert status.status_code == 200 and status.get_json()["received"] == 0
    assert upload(old, photo_id, photo).get_json()["status"] == "complete"
    assert download(old, photo_id).status_code == 404
    response = download(new, photo_id)
    assert response.status_code == 200 and response.data == photo
    # another engineer of the old site cannot send bytes for it
    other = create_user("engineer", "eng-other")
    assign(other, world["sites"][0])
    client = old.client.application.test_client()
    stranger = Device(client=client, csrf=sign_in_as(client, other))
    assert stranger.client.get(f"/api/attachments/{photo_id}/status").status_code == 404


def test_a_location_moved_to_another_site_moves_on_the_phones_with_its_tag(app, people, world):
    site_a, site_b = world["sites"]
    room = create_location(site_a, "空机房")
    tag = tag_for(app, room)
    old, new = people["old"], people["new"]
    old.pull_all()
    answer = Api(people["office"].client, people["office"].csrf).patch(
        f"/api/locations/{room.id}", {"site_id": str(site_b.id)}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    old.pull_all()
    new.pull_all()
    assert held(old, "location", room.id) is None and held(old, "tag", tag.id) is None
    assert held(new, "location", room.id)["data"]["site_id"] == str(site_b.id)
    assert Tag.get_by_id(tag.id).site_id == site_b.id
    assert held(new, "tag", tag.id)["data"]["site_id"] == str(site_b.id)


def test_a_moved_device_s_open_conflict_goes_to_the_new_site(people, world):
    """A conflict on a device is decided by the people who have the device: when it moves, the
    old site's phones drop the conflict and the new site's receive it."""
    site_a, site_b = world["sites"]
    item = world["equipment"][0]
    old, both, new = people["old"], people["both"], people["new"]
    for phone in (old, both, new):
        phone.pull_all()
    old.edit("equipment", str(item.id), {"serial_number": "SN-OLD-SITE"})
    both.edit("equipment", str(item.id), {"serial_number": "SN-OTHER"})
    assert old.push().get_json()["results"][0]["status"] == "applied"
    (note,) = both.push().get_json()["results"][0]["conflicts"]
    old.pull_all()
    assert held(old, "conflict", note["id"])

    move(people["office"], item, site_b)

    pages = old.pull_all()
    removals = {(c["entity"], c["id"]) for p in pages for c in p["changes"] if c.get("moved")}
    assert ("conflict", note["id"]) in removals
    assert held(old, "conflict", note["id"]) is None
    new.pull_all()
    arrived = held(new, "conflict", note["id"])
    assert arrived and arrived["data"]["site_id"] == str(site_b.id)
    listed = new.client.get("/api/conflicts").get_json()
    assert [c["id"] for c in listed] == [note["id"]]


def test_every_feed_is_named_as_its_records_removals_are(app):
    """A removal names the record as the devices know it: the feed's entity, whatever the
    table is called (a conflict lives in `sync_conflict`)."""
    from webapp.sync import pull, registry

    for feed in [*registry.FEEDS.values(), pull.CONFLICTS]:
        assert feed.model.sync_entity() == feed.entity, feed.entity
