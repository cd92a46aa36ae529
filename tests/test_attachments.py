"""Attachments: announced with a mutation, uploaded in resumable pieces, checked by SHA-256,
kept in a folder or in an S3 bucket (every test runs on both: `any_storage`)."""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest

from tests.conftest import sign_in_as
from tests.sync_client import Device
from webapp.attachments import storage
from webapp.attachments.s3 import PART_SIZE
from webapp.models import Attachment

pytestmark = pytest.mark.usefixtures("any_storage")


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


def send_in_pieces(
    phone, attachment_id, data: bytes, piece: int, start: int = 0, stop: int | None = None
) -> list:
    """Send `data[start:stop]` in pieces as the phone does; the answers, in order."""
    answers = []
    for offset in range(start, len(data) if stop is None else stop, piece):
        answer = put(phone, attachment_id, data[offset : offset + piece], offset, len(data))
        answers.append(answer)
        if answer.status_code != 200:
            break
    return answers


def downloaded(phone, attachment_id) -> bytes:
    response = phone.client.get(f"/api/attachments/{attachment_id}/content")
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_data()
    response.close()
    return data


def damaged(data: bytes, at: int) -> bytes:
    copy = bytearray(data)
    copy[at] ^= 0xFF
    return bytes(copy)


@pytest.mark.parametrize("where", ["first piece", "last piece"])
def test_after_a_damaged_upload_an_honest_one_from_byte_0_arrives(phone, world, where):
    """Issue 9 item 3: the 422 used to roll back the reset of the received count while the
    bytes were thrown away, so every later try failed and the photo was lost."""
    data = os.urandom(250_000)
    attachment_id, _ = announce(phone, world, data)
    bad = damaged(data, 10 if where == "first piece" else 240_000)
    answers = send_in_pieces(phone, attachment_id, bad, 100_000)
    assert [a.status_code for a in answers] == [200, 200, 422]
    assert answers[-1].get_json()["error"]["code"] == "checksum"
    status = phone.client.get(f"/api/attachments/{attachment_id}/status").get_json()
    assert status == {"received": 0, "size": 250_000, "status": "pending"}
    assert Attachment.get_by_id(attachment_id).received == 0  # the reset was committed

    answers = send_in_pieces(phone, attachment_id, data, 100_000)
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[-1].get_json() == {"received": 250_000, "size": 250_000, "status": "complete"}
    assert hashlib.sha256(downloaded(phone, attachment_id)).hexdigest() == status_sha(data)


def status_sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_after_a_damaged_upload_a_resumed_one_arrives(phone, world):
    """A device that resumes (asks where to, or sends the piece it thinks is next) is led back
    to byte 0 and the file arrives whole."""
    data = os.urandom(250_000)
    attachment_id, _ = announce(phone, world, data)
    send_in_pieces(phone, attachment_id, damaged(data, 200_000), 100_000)
    # the device thinks the server has its first two pieces and sends the last one again
    again = put(phone, attachment_id, data[200_000:], 200_000, len(data))
    assert again.status_code == 409 and again.get_json()["error"]["fields"]["received"] == 0
    resume_at = phone.client.get(f"/api/attachments/{attachment_id}/status").get_json()
    answers = send_in_pieces(phone, attachment_id, data, 100_000, start=resume_at["received"])
    assert answers[-1].get_json()["status"] == "complete"
    assert downloaded(phone, attachment_id) == data


def test_bytes_storage_lost_are_asked_for_again(phone, world, app):
    """A crash after storage threw pieces away but before the count was saved: the count
    storage really holds wins, so the device resends instead of failing forever."""
    data = os.urandom(300_000)
    attachment_id, _ = announce(phone, world, data)
    send_in_pieces(phone, attachment_id, data, 100_000, stop=200_000)
    assert Attachment.get_by_id(attachment_id).received == 200_000
    with app.app_context():
        storage.current().discard(attachment_id)
    status = phone.client.get(f"/api/attachments/{attachment_id}/status").get_json()
    assert status["received"] == 0
    answers = send_in_pieces(phone, attachment_id, data, 100_000)
    assert answers[-1].get_json()["status"] == "complete"
    assert downloaded(phone, attachment_id) == data


def test_a_20_mb_document_arrives_in_2_mb_pieces_and_a_damaged_one_leaves_nothing(
    phone, world, app, any_storage
):
    """Bigger than one S3 part (PART_SIZE): assembled as a multipart upload, kept only when its
    SHA-256 matches; no piece is left behind either way."""
    data = os.urandom(20 * 2**20)  # the largest document allowed
    assert len(data) > 2 * PART_SIZE  # three parts in S3
    attachment_id, result = announce(
        phone, world, data, kind="document", mime="application/pdf", filename="说明书.pdf"
    )
    assert result["status"] == "applied"
    piece = 2 * 2**20
    answers = send_in_pieces(phone, attachment_id, damaged(data, 5), piece)
    assert answers[-1].status_code == 422
    assert objects_in_bucket(app, any_storage) == []
    answers = send_in_pieces(phone, attachment_id, data, piece)
    assert answers[-1].get_json()["status"] == "complete"
    assert downloaded(phone, attachment_id) == data
    if any_storage == "s3":
        assert objects_in_bucket(app, any_storage) == [f"attachments/{attachment_id}"]


def objects_in_bucket(app, kind: str) -> list[str]:
    """Every key in the test's bucket (S3 only; [] for the folder)."""
    if kind != "s3":
        return []
    with app.app_context():
        store = storage.current()
        listing = store.client.list_objects_v2(Bucket=store.bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_downloads_are_private_to_the_browser_and_revalidate_by_checksum(phone, world):
    """Issue 9 item 9: attachments were served `Cache-Control: public`."""
    data = os.urandom(1000)
    attachment_id, _ = announce(phone, world, data)
    put(phone, attachment_id, data, 0, len(data))
    response = phone.client.get(f"/api/attachments/{attachment_id}/content")
    assert response.headers["Cache-Control"] == "private, max-age=86400"
    assert "public" not in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["ETag"] == f'"{status_sha(data)}"'
    assert response.headers["Content-Length"] == "1000"
    assert "inline" in response.headers["Content-Disposition"]
    response.close()
    again = phone.client.get(
        f"/api/attachments/{attachment_id}/content",
        headers={"If-None-Match": f'"{status_sha(data)}"'},
    )
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["Cache-Control"] == "private, max-age=86400"
