"""The storage interface itself, on the folder and on an S3 bucket: pieces, what is held, the
final file; a storage that cannot be reached; settings that cannot work."""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest

from tests.conftest import sign_in_as
from tests.object_store import ENVIRONMENT
from webapp import create_app
from webapp.attachments import storage
from webapp.models import Attachment
from webapp.records import create_record


@pytest.fixture
def store(app, any_storage):
    with app.app_context():
        yield storage.current()


def test_pieces_are_held_in_order_and_a_write_drops_what_followed(store):
    key = str(uuid.uuid4())
    assert store.held(key) == 0
    store.write(key, 0, b"a" * 10)
    store.write(key, 10, b"b" * 10)
    store.write(key, 20, b"c" * 5)
    assert store.held(key) == 25
    # a piece sent again from an earlier offset (its first answer was lost) replaces the rest
    store.write(key, 10, b"B" * 12)
    assert store.held(key) == 22
    data = b"a" * 10 + b"B" * 12
    assert store.finish(key, hashlib.sha256(data).hexdigest(), len(data))
    assert store.held(key) == 0
    assert store.read(key) == data


def test_a_write_inside_a_piece_keeps_its_head(store):
    key = str(uuid.uuid4())
    store.write(key, 0, b"0123456789")
    store.write(key, 4, b"xy")
    assert store.held(key) == 6
    assert store.finish(key, hashlib.sha256(b"0123xy").hexdigest(), 6)
    assert store.read(key) == b"0123xy"


def test_a_wrong_checksum_or_a_short_file_leaves_no_file_and_no_piece(store):
    key = str(uuid.uuid4())
    store.write(key, 0, b"hello")
    assert not store.finish(key, hashlib.sha256(b"hellO").hexdigest(), 5)
    assert store.held(key) == 0 and store.read(key) is None
    store.write(key, 0, b"hel")
    assert not store.finish(key, hashlib.sha256(b"hello").hexdigest(), 5)
    assert store.held(key) == 0 and store.read(key) is None


def test_a_missing_file_is_missing(store):
    with pytest.raises(storage.Missing):
        store.open(str(uuid.uuid4()))


def test_an_unreachable_object_store_answers_503_and_changes_nothing(app, world, monkeypatch):
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    closed_port = "http://127.0.0.1:9"  # discard: nothing listens there
    app.config.update(STORAGE="s3", S3_BUCKET="rounds", S3_ENDPOINT_URL=closed_port)
    data = os.urandom(100)
    attachment = create_record(
        Attachment,
        actor=None,
        owner_entity="equipment",
        owner_id=str(world["equipment"][0].id),
        site=world["sites"][0],
        kind="photo",
        mime="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=world["users"]["engineer"],
    )
    client = app.test_client()
    token = sign_in_as(client, world["users"]["engineer"])
    answer = client.put(
        f"/api/attachments/{attachment.id}/content",
        data=data,
        headers={
            "X-CSRF-Token": token,
            "Content-Range": f"bytes 0-99/{len(data)}",
            "Accept-Language": "zh-CN",
        },
    )
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "60"
    error = answer.get_json()["error"]
    assert error["code"] == "storage_unavailable"
    assert error["message"] == "暂时连不上文件存储，请过一分钟再试。"
    assert Attachment.get_by_id(attachment.id).status == "pending"


def test_a_complete_file_missing_from_the_store_is_a_clear_410(app, world, any_storage):
    data = b"abc"
    attachment = create_record(
        Attachment,
        actor=None,
        owner_entity="equipment",
        owner_id=str(world["equipment"][0].id),
        site=world["sites"][0],
        kind="photo",
        mime="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        received=len(data),
        status="complete",
    )
    client = app.test_client()
    sign_in_as(client, world["users"]["engineer"])
    answer = client.get(
        f"/api/attachments/{attachment.id}/content", headers={"Accept-Language": "zh-TW"}
    )
    assert answer.status_code == 410
    assert answer.get_json()["error"]["message"] == "檔案儲存中找不到此檔案，請告知辦公室。"


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"STORAGE": "disk"}, "ROUNDS_STORAGE must be one of"),
        ({"STORAGE": "s3"}, "ROUNDS_S3_BUCKET"),
    ],
)
def test_a_storage_setting_that_cannot_work_stops_the_start(tmp_path, settings, words):
    config = {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"}
    with pytest.raises(RuntimeError, match=words):
        create_app({**config, **settings})
