"""Check-ins and check-outs at a site or room, signed on the phone with a passkey
(docs/checkins.md); rules in `webapp/checkins/`. A signed record: written once, never edited."""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import SyncedModel
from .fields import JSONText
from .organisation import Location, Site
from .passkeys import Passkey
from .people import User
from .tags import Tag


class CheckIn(SyncedModel):
    SYNC_ENTITY = "checkin"
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")
    location = ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    tag = ForeignKeyField(Tag, null=True, backref="+", on_delete="RESTRICT")
    tag_token = CharField(max_length=200, default="")
    kind = CharField(max_length=8)  # in, out
    device_text = CharField(max_length=40)  # the phone's clock as it wrote it (signed)
    device_time = DateTimeField(index=True)  # the same instant in UTC
    server_stamp = CharField(max_length=200, default="")  # the signed server time it held
    window_start = DateTimeField(null=True)  # not before this (the stamp's time, when valid)
    received_at = DateTimeField()  # not after this (arrival on the server)
    content_hash = CharField(max_length=64)  # SHA-256 of the canonical bytes, hex
    signed = BooleanField(default=False)
    passkey = ForeignKeyField(Passkey, null=True, backref="+", on_delete="RESTRICT")
    credential_id = CharField(max_length=1400, default="")
    assertion = JSONText(null=True)  # what the passkey answered, kept as evidence
    sign_count = BigIntegerField(default=0)
    backed_up = BooleanField(default=False)  # a synced passkey: proves the user, not the handset
    verification = CharField(max_length=16)  # verified, unsigned
    flags = JSONText(default=list)  # clock_outside_window, counter_repeated, no_tag, ...
    note = TextField(default="")
    # At a restricted room (signed with the rest, docs/checkins.md "Access log"): 来访事由, 人数,
    # 陪同/随行人员. Empty on a check-out and on check-ins elsewhere.
    purpose = TextField(default="")
    people = IntegerField(null=True)
    escorts = JSONText(default=list)
