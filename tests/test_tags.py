"""QR tags: signed tokens, issuing and revoking, what scanning a tag answers, the office pages."""

from __future__ import annotations

import base64
import os
import stat
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tests.conftest import sign_in_as
from tests.factories import PASSWORD, create_equipment, create_location
from tests.sync_client import Device
from webapp.db import write_transaction
from webapp.errors import ApiError
from webapp.models import AuditEntry, Tag
from webapp.records import delete_record
from webapp.tags import operations as ops
from webapp.tags import signing
from webapp.tags.signing import TokenError, make_token, read_token


@contextmanager
def in_app(app):
    """An app context for calling operations directly, closed before any request is made."""
    with app.app_context(), write_transaction():
        yield


def issue(app, target, actor=None) -> Tag:
    with in_app(app):
        return ops.issue_tag(actor=actor, target=target)


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- tokens --------------------------------------------------------------------------------------


def test_a_token_has_the_fixed_format_and_reads_back(app):
    tag_id = uuid.uuid4()
    with app.app_context():
        for kind, number in (("equipment", 1), ("location", 2)):
            token = make_token(tag_id, kind)
            assert len(token) == 110 and "=" not in token
            raw = unb64(token)
            assert raw[:18] == bytes([1, number]) + tag_id.bytes
            # Checked the way the app does it: Ed25519 over "rounds-tag" + payload, raw key.
            key = Ed25519PublicKey.from_public_bytes(unb64(signing.public_key_b64()))
            key.verify(raw[18:], b"rounds-tag" + raw[:18])
            assert read_token(token) == (kind, tag_id)


def test_one_flipped_bit_anywhere_in_payload_or_signature_is_refused(app):
    with app.app_context():
        raw = unb64(make_token(uuid.uuid4(), "equipment"))
        for bit in range(len(raw) * 8):
            altered = bytearray(raw)
            altered[bit // 8] ^= 1 << (bit % 8)
            with pytest.raises(TokenError):
                read_token(b64(bytes(altered)))


def test_a_token_signed_with_another_key_is_refused(app):
    other = Ed25519PrivateKey.generate()
    forged = make_token(uuid.uuid4(), "equipment", key=other)
    with app.app_context(), pytest.raises(TokenError) as caught:
        read_token(forged)
    assert caught.value.reason == "signature"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "A" * 109,
        "A" * 111,
        "A" * 108 + "==",
        "A" * 109 + "!",
    ],
)
def test_malformed_tokens_are_refused_as_malformed(app, token):
    with app.app_context(), pytest.raises(TokenError) as caught:
        read_token(token)
    assert caught.value.reason == "malformed"


def test_a_second_spelling_of_a_good_token_is_refused(app):
    """The last character carries 4 unused bits: setting one gives the same bytes, which must
    not pass for the same tag (one tag, one token)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    with app.app_context():
        token = make_token(uuid.uuid4(), "location")
        last = alphabet.index(token[-1])
        assert last % 16 == 0
        respelled = token[:-1] + alphabet[last | 1]
        assert unb64(respelled) == unb64(token)
        with pytest.raises(TokenError) as caught:
            read_token(respelled)
    assert caught.value.reason == "malformed"


def test_an_unknown_format_version_or_kind_is_malformed(app):
    key = Ed25519PrivateKey.generate()
    for payload in (bytes([2, 1]) + uuid.uuid4().bytes, bytes([1, 9]) + uuid.uuid4().bytes):
        token = b64(payload + key.sign(b"rounds-tag" + payload))
        with pytest.raises(TokenError) as caught:
            read_token(token, key=key.public_key())
        assert caught.value.reason == "malformed"


def restart(app, **config) -> None:
    """What a new process sees: nothing cached, perhaps other settings."""
    app.extensions.pop("rounds_tag_key", None)
    app.config.update(config)


def test_the_key_is_made_once_private_and_kept_across_restarts(app, tmp_path):
    with app.app_context():
        first = signing.public_key_b64()
        path, configured = signing.key_path()
    assert not configured and path.name == "tag_signing_key.pem"
    assert path.parent == Path(app.instance_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    restart(app)
    with app.app_context():
        assert signing.public_key_b64() == first
    # A configured key file is used as it is, and a missing one is an error, not a new key
    # (a new key would silently invalidate every printed tag).
    elsewhere = tmp_path / "keys" / "tag.pem"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(path.read_bytes())
    path.unlink()
    restart(app, TAG_KEY_FILE=str(elsewhere))
    with app.app_context():
        assert signing.public_key_b64() == first
    restart(app, TAG_KEY_FILE=str(tmp_path / "nope.pem"))
    with app.app_context(), pytest.raises(signing.KeyFileMissing):
        signing.signing_key()
    assert not (tmp_path / "nope.pem").exists()


def test_two_processes_making_the_key_at_once_end_up_with_one(tmp_path):
    path = tmp_path / "tag_signing_key.pem"
    signing.generate_key_file(path)
    kept = path.read_bytes()
    signing.generate_key_file(path)  # the slower one finds the key there and keeps it
    assert path.read_bytes() == kept
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_the_public_key_is_served_to_signed_in_users_for_offline_checks(app, client, world):
    assert client.get("/api/tags/key").status_code == 401
    sign_in_as(client, world["users"]["engineer"])
    body = client.get("/api/tags/key").get_json()
    assert body["alg"] == "Ed25519"
    key = Ed25519PublicKey.from_public_bytes(unb64(body["key"]))
    tag = issue(app, world["equipment"][0])
    raw = unb64(tag.token)
    key.verify(raw[18:], b"rounds-tag" + raw[:18])
    pem = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert len(pem) == 32


# --- issuing and revoking ------------------------------------------------------------------------


def test_one_active_tag_per_target_with_serials_counting_reissues(app, world):
    item = world["equipment"][0]
    admin = world["users"]["admin"]
    first = issue(app, item, admin)
    assert (first.serial, first.status, first.site_id) == (1, "active", item.site_id)
    with pytest.raises(ApiError) as caught:
        issue(app, item, admin)
    assert caught.value.status == 409
    with in_app(app):
        second = ops.reissue_tag(actor=admin, tag=first)
    old = Tag.get_by_id(first.id)
    assert (old.status, old.revoked_by_id) == ("revoked", admin.id) and old.revoked_at
    assert (second.serial, second.status) == (2, "active")
    assert second.token != first.token
    with in_app(app):
        ops.revoke_tag(actor=admin, tag=second)
        ops.revoke_tag(actor=admin, tag=Tag.get_by_id(second.id))  # again: nothing changes
        third = ops.issue_tag(actor=admin, target=item)
    assert third.serial == 3
    assert Tag.get_by_id(second.id).version == 2
    assert AuditEntry.select().where(AuditEntry.entity == "tag").count() == 5


def test_ensure_tags_covers_every_device_and_location_of_the_site_once(app, world):
    site = world["sites"][0]
    extra_room = create_location(site, "中控室")
    extra = create_equipment(site, extra_room, name="矩阵切换器")
    already = issue(app, world["equipment"][0])
    with in_app(app):
        issued = ops.ensure_tags(actor=world["users"]["dispatcher"], site=site)
    assert {t.target_id for t in issued} == {world["locations"][0].id, extra_room.id, extra.id}
    assert all(t.site_id == site.id for t in issued)
    with in_app(app):
        assert ops.ensure_tags(actor=None, site=site) == []
    assert Tag.get_by_id(already.id).status == "active"
    assert not Tag.select().where(Tag.site == world["sites"][1]).exists()


def test_a_removed_device_cannot_get_a_tag_and_its_tags_are_revoked_when_followed(app, world):
    item = world["equipment"][0]
    tag = issue(app, item)
    with in_app(app):
        delete_record(item, actor=None)
        ops.follow_target(actor=None, target=item)
    assert Tag.get_by_id(tag.id).status == "revoked"
    with pytest.raises(ApiError):
        issue(app, item)


def test_tags_reach_the_phones_of_their_site_only_and_so_does_a_revocation(app, world):
    inside = issue(app, world["equipment"][0])
    outside = issue(app, world["equipment"][1])
    client = app.test_client()
    phone = Device(client=client, csrf=sign_in_as(client, world["users"]["engineer"]))
    phone.pull_all()
    held = phone.records.get(("tag", str(inside.id)))
    assert held is not None and ("tag", str(outside.id)) not in phone.records
    data = held["data"]
    assert data["token"] == inside.token and data["status"] == "active"
    assert data["target_entity"] == "equipment"
    assert data["target_id"] == str(world["equipment"][0].id)
    assert data["site_id"] == str(world["sites"][0].id)
    with in_app(app):
        ops.revoke_tag(actor=None, tag=inside)
    phone.pull_all()
    assert phone.records[("tag", str(inside.id))]["data"]["status"] == "revoked"


# --- scanning ------------------------------------------------------------------------------------


def test_a_good_tag_opens_the_device_or_the_site_in_the_app(app, client, world):
    device = issue(app, world["equipment"][0])
    room = issue(app, world["locations"][0])
    sign_in_as(client, world["users"]["engineer"])
    r = client.get(f"/t/{device.token}")
    assert r.status_code == 302
    assert r.headers["Location"] == f"/app/#/equipment/{world['equipment'][0].id}"
    r = client.get(f"/t/{room.token}")
    assert r.headers["Location"] == f"/app/#/sites/{world['sites'][0].id}"
    assert r.headers["Cache-Control"] == "no-store"


def test_signing_in_from_a_scanned_tag_comes_back_to_it(app, client, world):
    tag = issue(app, world["equipment"][0])
    r = client.get(f"/t/{tag.token}")
    assert r.status_code == 302
    sign_in_page = r.headers["Location"]
    assert sign_in_page.startswith("/sign-in?next=") and tag.token in sign_in_page
    token = client.get("/api/auth/csrf").get_json()["csrf_token"]
    r = client.post(
        sign_in_page, data={"csrf_token": token, "username": "eng", "password": PASSWORD}
    )
    assert r.status_code == 302 and r.headers["Location"] == f"/t/{tag.token}"
    r = client.get(r.headers["Location"])
    assert r.headers["Location"] == f"/app/#/equipment/{world['equipment'][0].id}"


def test_a_tag_at_someone_elses_site_says_so_without_naming_anything(app, client, world):
    tag = issue(app, world["equipment"][1])
    sign_in_as(client, world["users"]["engineer"])
    r = client.get(f"/t/{tag.token}", headers={"Accept-Language": "en"})
    html = r.get_data(as_text=True)
    assert r.status_code == 404
    assert "This device is not at one of your sites." in html
    assert "核心交换机" not in html and "A区机房" not in html and "数据中心" not in html
    room = issue(app, world["locations"][1])
    html = client.get(f"/t/{room.token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "This place is not at one of your sites." in html and "网络间" not in html


def test_a_revoked_tag_answers_410_in_the_users_language(app, client, world):
    tag = issue(app, world["equipment"][0])
    with in_app(app):
        ops.reissue_tag(actor=None, tag=tag)
    r = client.get(f"/t/{tag.token}", headers={"Accept-Language": "en"})
    assert r.status_code == 410
    html = r.get_data(as_text=True)
    assert "This tag has been revoked" in html and "Ask the office for a new tag." in html
    assert "数字调音台" not in html
    user = world["users"]["engineer"]
    user.locale = "zh_Hant"
    user.save()
    sign_in_as(client, user)
    r = client.get(f"/t/{tag.token}", headers={"Accept-Language": "en"})
    assert r.status_code == 410 and '<html lang="zh-Hant">' in r.get_data(as_text=True)


def test_forged_altered_and_unknown_tags_are_not_tags_of_this_deployment(app, client, world):
    tag = issue(app, world["equipment"][0])
    raw = bytearray(unb64(tag.token))
    raw[5] ^= 0x10  # another tag id, same signature
    other_key = Ed25519PrivateKey.generate()
    made_elsewhere = make_token(tag.id, "equipment", key=other_key)
    sign_in_as(client, world["users"]["admin"])
    for token in (b64(bytes(raw)), made_elsewhere, "not-a-tag", "x" * 300):
        r = client.get(f"/t/{token}", headers={"Accept-Language": "en"})
        assert r.status_code == 404, token
        assert "This QR code was not issued here, or it has been altered." in r.get_data(
            as_text=True
        )
    with app.app_context():
        never_issued = make_token(uuid.uuid4(), "equipment")
    r = client.get(f"/t/{never_issued}", headers={"Accept-Language": "en"})
    assert r.status_code == 404 and "This tag is not in the register." in r.get_data(as_text=True)


def test_a_tag_whose_device_was_removed_is_gone(app, client, world):
    tag = issue(app, world["equipment"][0])
    with in_app(app):
        delete_record(world["equipment"][0], actor=None)
    sign_in_as(client, world["users"]["engineer"])
    r = client.get(f"/t/{tag.token}", headers={"Accept-Language": "en"})
    assert r.status_code == 410 and "removed from the register" in r.get_data(as_text=True)


# --- office pages --------------------------------------------------------------------------------


def test_office_pages_list_issue_revoke_and_reissue(app, client, world):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["dispatcher"])
    html = client.get("/office/tags").get_data(as_text=True)
    assert "主楼" in html and "A区机房" in html
    html = client.get(f"/office/tags?site={site.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "数字调音台" in html and "音控机房" in html and "No tag yet" in html
    assert "核心交换机" not in html

    assert client.post("/office/tags/issue", data={"site": str(site.id)}).status_code == 403
    r = client.post("/office/tags/issue", data={"csrf_token": token, "site": str(site.id)})
    assert r.status_code == 302 and r.headers["Location"] == f"/office/tags?site={site.id}"
    tags = list(Tag.select().where(Tag.site == site))
    assert len(tags) == 2 and all(t.status == "active" for t in tags)

    device_tag = next(t for t in tags if t.target_entity == "equipment")
    r = client.post(f"/office/tags/{device_tag.id}/reissue", data={"csrf_token": token})
    assert r.status_code == 302
    assert Tag.get_by_id(device_tag.id).status == "revoked"
    new = Tag.get((Tag.target_id == device_tag.target_id) & (Tag.status == "active"))
    assert new.serial == 2
    r = client.post(f"/office/tags/{new.id}/revoke", data={"csrf_token": token})
    assert r.status_code == 302 and Tag.get_by_id(new.id).status == "revoked"
    html = client.get(f"/office/tags?site={site.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Revoked" in html and "1 device or location has no active tag." in html
    assert (
        client.post(f"/office/tags/{uuid.uuid4()}/revoke", data={"csrf_token": token}).status_code
        == 404
    )


def test_office_tag_pages_are_for_the_office_only(app, client, world):
    tag = issue(app, world["equipment"][0])
    for role in ("engineer", "client"):
        token = sign_in_as(client, world["users"][role])
        assert client.get("/office/tags").status_code == 403
        assert client.get(f"/office/tags/{tag.id}/label.png").status_code == 403
        r = client.post(f"/office/tags/{tag.id}/revoke", data={"csrf_token": token})
        assert r.status_code == 403
    assert Tag.get_by_id(tag.id).status == "active"


def test_single_labels_come_as_png_and_svg_for_active_tags_only(app, client, world):
    tag = issue(app, world["equipment"][0])
    sign_in_as(client, world["users"]["admin"])
    png = client.get(f"/office/tags/{tag.id}/label.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG")
    svg = client.get(f"/office/tags/{tag.id}/label.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "数字调音台" in svg.get_data(as_text=True)
    assert client.get(f"/office/tags/{tag.id}/label.gif").status_code == 404
    with in_app(app):
        ops.revoke_tag(actor=None, tag=tag)
    assert client.get(f"/office/tags/{tag.id}/label.png").status_code == 410


def test_a_sheet_needs_a_selection_and_a_known_layout(app, client, world):
    site = world["sites"][0]
    issue(app, world["equipment"][0])
    token = sign_in_as(client, world["users"]["admin"])
    r = client.post("/office/tags/sheet", data={"csrf_token": token, "site": str(site.id)})
    assert r.status_code == 302 and r.headers["Location"] == f"/office/tags?site={site.id}"
    r = client.get(f"/office/tags/sheet?site={site.id}&layout=5x5")
    assert r.status_code == 422
    r = client.get(f"/office/tags/sheet?site={site.id}&skip=-1")
    assert r.status_code == 422
    r = client.get(
        f"/office/tags/sheet?site={site.id}&skip=24&layout=3x8", headers={"Accept-Language": "en"}
    )
    assert r.status_code == 422 and "has 24 labels" in r.get_data(as_text=True)
    r = client.get(f"/office/tags/sheet?site={uuid.uuid4()}")
    assert r.status_code == 404
    r = client.get(f"/office/tags/sheet?site={site.id}&layout=4x10")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")
    assert "attachment" in r.headers["Content-Disposition"]


def test_after_a_key_change_the_office_sees_stale_tags_and_reissues_the_site(app, client, world):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    client.post("/office/tags/issue", data={"csrf_token": token, "site": str(site.id)})
    old = {t.id: t.token for t in Tag.select().where(Tag.site == site)}
    html = client.get(f"/office/tags?site={site.id}", headers={"Accept-Language": "en"})
    assert "signed with a key this server no longer uses" not in html.get_data(as_text=True)

    replacement = Path(app.instance_path) / "new.pem"
    signing.generate_key_file(replacement)
    restart(app, TAG_KEY_FILE=str(replacement))
    old_token = next(iter(old.values()))
    assert client.get(f"/t/{old_token}").status_code == 404  # the old signature no longer counts
    html = client.get(f"/office/tags?site={site.id}", headers={"Accept-Language": "en"})
    assert "2 active tags were signed with a key" in html.get_data(as_text=True)

    r = client.post("/office/tags/reissue-all", data={"csrf_token": token, "site": str(site.id)})
    assert r.status_code == 302 and all(Tag.get_by_id(i).status == "active" for i in old)
    r = client.post(
        "/office/tags/reissue-all",
        data={"csrf_token": token, "site": str(site.id), "confirm": "1"},
    )
    assert r.status_code == 302
    assert all(Tag.get_by_id(i).status == "revoked" for i in old)
    new = list(Tag.select().where((Tag.site == site) & (Tag.status == "active")))
    assert len(new) == 2 and all(t.serial == 2 for t in new)
    for tag in new:
        assert client.get(f"/t/{tag.token}").status_code == 302
    assert not Tag.select().where(Tag.site == world["sites"][1]).exists()


def test_a_moved_device_takes_its_tag_along(app, client, world):
    item = world["equipment"][0]
    tag = issue(app, item)
    with in_app(app):
        item.site = world["sites"][1]
        item.location = None
        item.save()
        ops.follow_target(actor=None, target=item)
    assert Tag.get_by_id(tag.id).site_id == world["sites"][1].id
    sign_in_as(client, world["users"]["engineer"])  # stationed at the old site only
    assert client.get(f"/t/{tag.token}").status_code == 404


def test_removing_or_moving_a_device_keeps_its_tags_in_step(app, world):
    from webapp.inventory import operations as inventory_ops
    from webapp.models import Site, Tag

    admin = world["users"]["admin"]
    device = world["equipment"][0]
    with app.test_request_context():
        tag = ops.issue_tag(actor=admin, target=device)
        inventory_ops.update_equipment(
            device,
            actor=admin,
            changes={"site_id": world["sites"][1].id},
            allowed_sites=Site.select(),
        )
        assert Tag.get_by_id(tag.id).site_id == world["sites"][1].id
        inventory_ops.delete_equipment(device, actor=admin)
        assert Tag.get_by_id(tag.id).status == "revoked"


def test_the_database_refuses_a_second_active_tag(app, world):
    import peewee

    from webapp.models import Tag
    from webapp.records import create_record

    with app.test_request_context():
        tag = ops.issue_tag(actor=world["users"]["admin"], target=world["equipment"][0])
    with app.test_request_context(), pytest.raises(peewee.IntegrityError), app_db_atomic():
        create_record(
            Tag,
            actor=None,
            target_entity="equipment",
            target_id=tag.target_id,
            site=tag.site_id,
            serial=tag.serial + 1,
            token="another-token",
        )


def app_db_atomic():
    from webapp.extensions import db

    return db.atomic()
