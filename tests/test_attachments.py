"""Attachments: announced with a mutation, uploaded in resumable pieces, checked by SHA-256."""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest

from tests.conftest import sign_in_as
from tests.sync_client import Device
from webapp.models import Attachment


@pytest.fixture
def phone(app, world):
    client = app.test_client()
    return Device(client=client, csrf=sign_in_as(client, world["users"]["engineer"]))


def announce(phone, world, data: bytes, **overrides) -> tuple[str, dict]:
    attachment_id = str(uuid.uuid4())
    meta = {
        "owner_entity": "equipment",
        "owner_id": str(world["equipment"][0].id),
        "kind": "photo",
        "filename": "铭牌.jpg",
        "mime": "image/jpeg",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        **overrides,
    }
    phone.edit("attachment", attachment_id, meta, op="create")
    result = phone.push().get_json()["results"][0]
    return attachment_id, result


def put(phone, attachment_id, data: bytes, start: int, total: int):
    end = start + len(data) - 1
    return phone.client.put(
        f"/api/attachments/{attachment_id}/content",
        data=data,
        headers={
            "X-CSRF-Token": phone.csrf,
            "Content-Range": f"bytes {start}-{end}/{total}",
            "Content-Type": "application/octet-stream",
        },
    )


def test_an_upload_resumes_after_an_interruption_and_arrives_intact(phone, world):
    data = os.urandom(300_000)
    attachment_id, result = announce(phone, world, data)
    assert result["status"] == "applied"
    assert put(phone, attachment_id, data[:100_000], 0, len(data)).status_code == 200
    # the connection drops; the device asks where to resume
    status = phone.client.get(f"/api/attachments/{attachment_id}/status").get_json()
    assert status == {"received": 100_000, "size": 300_000, "status": "pending"}
    # a piece sent twice is acknowledged again, not appended twice
    assert put(phone, attachment_id, data[:100_000], 0, len(data)).status_code == 200
    # a piece that would leave a hole is refused with the position to resume from
    hole = put(phone, attachment_id, data[200_000:], 200_000, len(data))
    assert hole.status_code == 409 and hole.get_json()["error"]["fields"]["received"] == 100_000
    # an overlapping piece only adds what is missing
    assert put(phone, attachment_id, data[50_000:200_000], 50_000, len(data)).status_code == 200
    done = put(phone, attachment_id, data[200_000:], 200_000, len(data))
    assert done.get_json()["status"] == "complete"
    download = phone.client.get(f"/api/attachments/{attachment_id}/content")
    assert download.data == data
    download.close()
    assert Attachment.get_by_id(attachment_id).version == 2  # completion syncs to devices


def test_a_damaged_file_is_thrown_away_and_can_be_sent_again(phone, world):
    data = os.urandom(50_000)
    attachment_id, _ = announce(phone, world, data)
    damaged = bytearray(data)
    damaged[10] ^= 0xFF
    r = put(phone, attachment_id, bytes(damaged), 0, len(data))
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "checksum"
    assert phone.client.get(f"/api/attachments/{attachment_id}/status").get_json()["received"] == 0
    assert put(phone, attachment_id, data, 0, len(data)).get_json()["status"] == "complete"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"size": 6 * 2**20}, "size"),
        ({"mime": "application/x-msdownload"}, "mime"),
        ({"sha256": "abc"}, "sha256"),
        ({"kind": "video"}, "kind"),
    ],
)
def test_files_that_break_the_rules_are_refused_when_announced(phone, world, overrides, field):
    _id, result = announce(phone, world, b"x" * 10, **overrides)
    assert result["status"] == "rejected" and field in result["error"]["fields"]


def test_pieces_must_match_what_was_announced(phone, world):
    data = b"0123456789"
    attachment_id, _ = announce(phone, world, data)
    assert put(phone, attachment_id, data, 0, 99).get_json()["error"]["code"] == "size_mismatch"
    r = phone.client.put(
        f"/api/attachments/{attachment_id}/content", data=data, headers={"X-CSRF-Token": phone.csrf}
    )
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_range"
    incomplete = phone.client.get(f"/api/attachments/{attachment_id}/content")
    assert incomplete.status_code == 409


def test_attachments_outside_the_scope_are_not_found(app, phone, world):
    outsider = app.test_client()
    other = Device(client=outsider, csrf=sign_in_as(outsider, world["engineer2"]))
    attachment_id, _ = announce(phone, world, b"abc")
    assert other.client.get(f"/api/attachments/{attachment_id}/status").status_code == 404
    assert put(other, attachment_id, b"abc", 0, 3).status_code == 404
