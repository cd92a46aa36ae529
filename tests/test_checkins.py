"""Signed check-ins on sync: kept with what was verified, or refused for one named reason each
(docs/checkins.md). Real WebAuthn assertions from the software authenticator, over the record's
canonical bytes, sent through the real push."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import timedelta

import pytest

from tests.conftest import sign_in_as
from tests.factories import assign, create_user
from tests.passkey_authenticator import SoftAuthenticator, b64url
from tests.sync_client import Device
from tests.test_passkeys import ORIGIN, register
from webapp.checkins import clock
from webapp.checkins.record import canonical_bytes
from webapp.models import CheckIn, Passkey, SyncMutation, utcnow
from webapp.passkeys import operations as passkey_ops
from webapp.tags import operations as tag_ops


@pytest.fixture
def app(app):
    app.config["PUBLIC_URL"] = ORIGIN + "/"
    return app


@pytest.fixture
def room_tag(app, world):
    with app.test_request_context():
        return tag_ops.issue_tag(actor=None, target=world["locations"][0])


class Phone:
    """An engineer's phone: a sync device and a passkey."""

    def __init__(self, app, user, key: SoftAuthenticator | None = None):
        self.user = user
        client = app.test_client()
        self.device = Device(client=client, csrf=sign_in_as(client, user))
        self.key = key or SoftAuthenticator(origin=ORIGIN)
        r = register(client, self.device.csrf, self.key)
        assert r.status_code == 201, r.json
        self.passkey = Passkey.get_by_id(r.json["id"])
        self.stamp = ""

    def pull(self):
        r = self.device.client.get("/api/sync/pull", headers={"X-CSRF-Token": self.device.csrf})
        assert r.status_code == 200, r.json
        self.stamp = r.json["server_time"]
        return r.json

    def record(self, site, location=None, tag=None, kind="in", **fields):
        return {
            "id": str(uuid.uuid4()),
            "user_id": str(self.user.id),
            "site_id": str(site.id),
            "location_id": str(location.id) if location else None,
            "tag_token": tag.token if tag else "",
            "kind": kind,
            "device_time": utcnow().strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "server_time": self.stamp,
            **fields,
        }

    def sign(self, record, *, signed=True, **answer):
        data = canonical_bytes(record)
        changes = {k: v for k, v in record.items() if k != "id"}
        changes["canonical"] = b64url(data)
        changes["assertion"] = None
        if signed:
            challenge = b64url(hashlib.sha256(data).digest())
            changes["assertion"] = self.key.get({"challenge": challenge}, **answer)
        return changes

    def send(self, record_id, changes):
        self.device.edit("checkin", record_id, changes, op="create")
        answer = self.device.push().get_json()
        return answer["results"][-1]


@pytest.fixture
def phone(app, world):
    return Phone(app, world["users"]["engineer"])


def test_a_signed_check_in_at_a_room_is_verified_and_kept(app, world, phone, room_tag):
    site, room = world["sites"][0], world["locations"][0]
    phone.pull()
    record = phone.record(site, room, room_tag)
    result = phone.send(record["id"], phone.sign(record))
    assert result["status"] == "applied", result
    assert result["verification"] == "verified"
    kept = CheckIn.get_by_id(record["id"])
    assert kept.signed and kept.passkey_id == phone.passkey.id
    assert kept.content_hash == hashlib.sha256(canonical_bytes(record)).hexdigest()
    assert kept.tag_id == room_tag.id and kept.location_id == room.id
    assert kept.window_start is not None and kept.window_start <= kept.received_at
    assert kept.flags == []
    # It comes back to the phone with its verification.
    pulled = [c for c in phone.pull()["changes"] if c["entity"] == "checkin"]
    assert pulled[0]["data"]["verification"] == "verified"


def test_a_check_out_at_a_site_picked_by_hand_is_kept_and_flagged_no_tag(world, phone):
    phone.pull()
    record = phone.record(world["sites"][0], kind="out")
    result = phone.send(record["id"], phone.sign(record))
    assert result["status"] == "applied", result
    assert CheckIn.get_by_id(record["id"]).flags == ["no_tag"]


def test_without_a_passkey_the_check_in_is_kept_unsigned(world, phone, room_tag):
    phone.pull()
    record = phone.record(world["sites"][0], world["locations"][0], room_tag)
    result = phone.send(record["id"], phone.sign(record, signed=False))
    assert result["status"] == "applied" and result["verification"] == "unsigned"
    kept = CheckIn.get_by_id(record["id"])
    assert not kept.signed and kept.passkey_id is None


def test_a_synced_passkey_counting_zero_and_counts_out_of_order_are_accepted(app, world, room_tag):
    phone = Phone(app, world["users"]["engineer"], SoftAuthenticator(origin=ORIGIN, counting=False))
    phone.pull()
    site, room = world["sites"][0], world["locations"][0]
    for count in (0, 0, 7, 3):
        record = phone.record(site, room, room_tag)
        result = phone.send(record["id"], phone.sign(record, sign_count=count))
        assert result["status"] == "applied", result
    assert CheckIn.select().count() == 4


def test_the_same_count_twice_is_flagged_as_a_possible_copy(world, phone, room_tag):
    phone.pull()
    site, room = world["sites"][0], world["locations"][0]
    for _ in range(2):
        record = phone.record(site, room, room_tag)
        result = phone.send(record["id"], phone.sign(record, sign_count=5))
    assert result["flags"] == ["counter_repeated"]


# Time -------------------------------------------------------------------------------------


def test_a_phone_clock_before_the_signed_server_time_is_flagged(world, phone, room_tag):
    phone.pull()
    early = (utcnow() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    record = phone.record(world["sites"][0], world["locations"][0], room_tag, device_time=early)
    result = phone.send(record["id"], phone.sign(record))
    assert result["status"] == "applied"
    assert result["flags"] == ["clock_outside_window"]


def test_a_phone_clock_after_arrival_is_flagged(world, phone, room_tag):
    phone.pull()
    late = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    late = (utcnow() + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    record = phone.record(world["sites"][0], world["locations"][0], room_tag, device_time=late)
    result = phone.send(record["id"], phone.sign(record))
    assert result["flags"] == ["clock_outside_window"]


def test_a_forged_server_time_gives_no_window_and_is_flagged(app, world, phone, room_tag):
    phone.pull()
    text, _dot, signature = phone.stamp.partition(".")
    forged = "2020-01-01T00:00:00Z." + signature
    record = phone.record(world["sites"][0], world["locations"][0], room_tag, server_time=forged)
    result = phone.send(record["id"], phone.sign(record))
    assert result["status"] == "applied"
    assert "no_server_time" in result["flags"]
    assert CheckIn.get_by_id(record["id"]).window_start is None


def test_a_stamp_reads_back_and_any_change_breaks_it(app):
    with app.app_context():
        at = utcnow().replace(microsecond=0)
        stamp = clock.make_stamp(at)
        assert clock.read_stamp(stamp) == at
        assert clock.read_stamp(stamp.replace(stamp[3], "0" if stamp[3] != "0" else "1", 1)) is None
        assert clock.read_stamp("") is None


# Refusals, each for its own reason, nothing else in the push lost ------------------------


def _refused(result, code):
    assert result["status"] == "rejected", result
    assert result["error"]["code"] == code, result["error"]


def test_a_field_changed_after_signing_is_refused_as_tampered(world, phone, room_tag):
    phone.pull()
    record = phone.record(world["sites"][0], world["locations"][0], room_tag)
    changes = phone.sign(record)
    changes["kind"] = "out"
    _refused(phone.send(record["id"], changes), "checkin_tampered")
    assert CheckIn.select().count() == 0


def test_bytes_and_fields_changed_together_fail_the_signature(world, phone, room_tag):
    phone.pull()
    record = phone.record(world["sites"][0], world["locations"][0], room_tag)
    changes = phone.sign(record)
    changes["kind"] = "out"
    changes["canonical"] = b64url(canonical_bytes({**record, "kind": "out"}))
    _refused(phone.send(record["id"], changes), "checkin_signed_for_another_record")


def test_an_assertion_moved_to_another_record_is_refused(world, phone, room_tag):
    phone.pull()
    site, room = world["sites"][0], world["locations"][0]
    first = phone.record(site, room, room_tag)
    signed = phone.sign(first)
    assert phone.send(first["id"], signed)["status"] == "applied"
    second = phone.record(site, room, room_tag)
    moved = phone.sign(second, signed=False)
    moved["assertion"] = signed["assertion"]
    _refused(phone.send(second["id"], moved), "checkin_signed_for_another_record")
    # The same record again under a new change id: its id is taken.
    _refused(phone.send(first["id"], signed), "checkin_exists")
    assert CheckIn.select().count() == 1


def test_another_users_passkey_is_refused(app, world, phone, room_tag):
    other = create_user("engineer", "eng3")
    assign(other, world["sites"][0])
    theirs = Phone(app, other)
    phone.pull()
    record = phone.record(world["sites"][0], world["locations"][0], room_tag)
    changes = phone.sign(record, signed=False)
    data = canonical_bytes(record)
    changes["assertion"] = theirs.key.get({"challenge": b64url(hashlib.sha256(data).digest())})
    _refused(phone.send(record["id"], changes), "checkin_other_users_passkey")


def test_another_users_passkey_is_refused_without_a_user_handle_too(app, world, phone, room_tag):
    """The answer may leave out the user handle: the passkey's owner decides alone."""
    other = create_user("engineer", "eng4")
    theirs = Phone(app, other)
    phone.pull()
    record = phone.record(world["sites"][0], world["locations"][0], room_tag)
    changes = phone.sign(record, signed=False)
    data = canonical_bytes(record)
    answer = theirs.key.get({"challenge": b64url(hashlib.sha256(data).digest())})
    answer["response"]["userHandle"] = None
    changes["assertion"] = answer
    _refused(phone.send(record["id"], changes), "checkin_other_users_passkey")


def test_a_check_in_for_another_user_is_refused(app, world, phone, room_tag):
    phone.pull()
    other = world["engineer2"]
    record = phone.record(world["sites"][0], world["locations"][0], room_tag, user_id=str(other.id))
    _refused(phone.send(record["id"], phone.sign(record)), "checkin_other_user")


def test_a_revoked_passkey_is_refused_even_for_a_check_in_signed_before(
    app, world, phone, room_tag
):
    phone.pull()
    record = phone.record(world["sites"][0], world["locations"][0], room_tag)
    changes = phone.sign(record)
    with app.test_request_context():
        passkey_ops.remove_passkey(actor=world["users"]["admin"], passkey=phone.passkey)
    _refused(phone.send(record["id"], changes), "passkey_revoked")


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ({"origin": "https://evil.example.com"}, "passkey_wrong_origin"),
        ({"rp_id": "evil.example.com"}, "passkey_wrong_rp_id"),
        ({"user_verified": False}, "passkey_user_not_verified"),
        ({"user_present": False}, "passkey_user_not_present"),
    ],
    ids=["origin", "rp id", "verification", "presence"],
)
def test_each_broken_passkey_rule_refuses_the_check_in(world, phone, room_tag, answer, code):
    phone.pull()
    record = phone.record(world["sites"][0], world["locations"][0], room_tag)
    _refused(phone.send(record["id"], phone.sign(record, **answer)), code)


def test_a_signature_by_another_key_is_refused(world, phone, room_tag):
    from cryptography.hazmat.primitives.asymmetric import ec

    phone.pull()
    record = phone.record(world["sites"][0], world["locations"][0], room_tag)
    changes = phone.sign(record, signing_key=ec.generate_private_key(ec.SECP256R1()))
    _refused(phone.send(record["id"], changes), "passkey_bad_signature")


def test_a_forged_tag_is_refused(world, phone, room_tag):
    phone.pull()
    raw = bytearray(base64.urlsafe_b64decode(room_tag.token + "=="))
    raw[-1] ^= 1
    forged = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    record = phone.record(world["sites"][0], world["locations"][0], tag_token=forged)
    _refused(phone.send(record["id"], phone.sign(record)), "checkin_bad_tag")


def test_a_tag_of_another_room_is_refused(app, world, phone, room_tag):
    from tests.factories import create_location

    other_room = create_location(world["sites"][0], "配电室")
    phone.pull()
    record = phone.record(world["sites"][0], other_room, room_tag)
    _refused(phone.send(record["id"], phone.sign(record)), "checkin_bad_tag")


def test_a_revoked_tag_is_refused(app, world, phone, room_tag):
    with app.test_request_context():
        tag_ops.revoke_tag(actor=None, tag=room_tag)
    phone.pull()
    record = phone.record(world["sites"][0], world["locations"][0], room_tag)
    _refused(phone.send(record["id"], phone.sign(record)), "checkin_tag_revoked")


def test_a_site_outside_the_engineers_scope_is_not_found(world, phone):
    phone.pull()
    record = phone.record(world["sites"][1], kind="in")
    _refused(phone.send(record["id"], phone.sign(record)), "not_found")


def test_a_client_cannot_check_in(app, world):
    client_user = world["users"]["client"]
    phone = Phone(app, client_user)
    phone.pull()
    record = phone.record(world["sites"][0])
    _refused(phone.send(record["id"], phone.sign(record)), "forbidden")


def test_a_refused_check_in_loses_nothing_else_in_the_push(world, phone, room_tag):
    phone.pull()
    site, room = world["sites"][0], world["locations"][0]
    bad = phone.record(site, room, room_tag)
    bad_changes = phone.sign(bad)
    bad_changes["device_time"] = "2026-01-01T00:00:00+08:00"
    good = phone.record(site, room, room_tag, kind="out")
    phone.device.edit("checkin", bad["id"], bad_changes, op="create")
    phone.device.edit("checkin", good["id"], phone.sign(good), op="create")
    item = world["equipment"][0]
    phone.device.edit("equipment", str(item.id), {"notes": "到岗后检查"})
    results = phone.device.push().get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "applied", "applied"]
    assert results[0]["error"]["code"] == "checkin_tampered"
    assert SyncMutation.select().count() == 3


def test_refusals_speak_the_users_language(app, world, phone, room_tag):
    phone.device.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    phone.pull()
    record = phone.record(world["sites"][0], world["locations"][0], room_tag)
    changes = phone.sign(record)
    changes["kind"] = "out"
    result = phone.send(record["id"], changes)
    assert result["error"]["code"] == "checkin_tampered"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result["error"]["message"])


# Bad input: every field of the contract refused with a field message, nothing kept -----------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "sideways"),
        ("kind", None),
        ("site_id", "not-a-uuid"),
        ("location_id", 12),
        ("user_id", ""),
        ("device_time", "x" * 41),
        ("tag_token", "t" * 201),
        ("server_time", ["2026"]),
        ("canonical", None),
        ("assertion", "not an object"),
        ("surprise", 1),
    ],
)
def test_bad_fields_are_refused_with_a_message_for_the_field(world, phone, field, value):
    phone.pull()
    record = phone.record(world["sites"][0])
    changes = phone.sign(record)
    changes[field] = value
    result = phone.send(record["id"], changes)
    _refused(result, "invalid")
    assert field in result["error"]["fields"]
    assert CheckIn.select().count() == 0


@pytest.mark.parametrize("device_time", ["2026-12-02T08:00:00", "yesterday", ""])
def test_a_device_time_without_its_offset_is_refused(world, phone, device_time):
    phone.pull()
    record = phone.record(world["sites"][0], device_time=device_time)
    _refused(phone.send(record["id"], phone.sign(record)), "checkin_bad_device_time")


def test_canonical_bytes_that_are_not_base64url_are_tampered(world, phone):
    phone.pull()
    record = phone.record(world["sites"][0])
    changes = phone.sign(record)
    changes["canonical"] = "%%%"
    _refused(phone.send(record["id"], changes), "checkin_tampered")


def test_an_assertion_that_cannot_be_read_is_refused(world, phone):
    phone.pull()
    record = phone.record(world["sites"][0])
    changes = phone.sign(record)
    changes["assertion"] = {"id": "AA", "rawId": "AA", "type": "public-key", "response": {}}
    _refused(phone.send(record["id"], changes), "passkey_malformed")
