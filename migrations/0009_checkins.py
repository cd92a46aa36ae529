"""Check-ins: signed arrivals and departures at a site or room (docs/checkins.md).

Migrations run in the order of their numbers; this one needs user, site, location, tag and
passkey (0001, 0003, 0007). Frozen copy of the model as it was; never edit once landed.
"""

import uuid

from peewee import *


def up(migrator, db):
    def stub(name):
        class Stub(Model):
            id = UUIDField(primary_key=True, default=uuid.uuid4)

            class Meta:
                database = db
                table_name = name

        return Stub

    User, Site, Location, Tag, Passkey = (
        stub(n) for n in ("user", "site", "location", "tag", "passkey")
    )

    class CheckIn(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        version = IntegerField(default=1)
        server_seq = BigIntegerField(default=0, index=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        deleted_at = DateTimeField(null=True)
        user = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
        site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")
        location = ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
        tag = ForeignKeyField(Tag, null=True, backref="+", on_delete="RESTRICT")
        tag_token = CharField(max_length=200, default="")
        kind = CharField(max_length=8)
        device_text = CharField(max_length=40)
        device_time = DateTimeField(index=True)
        server_stamp = CharField(max_length=200, default="")
        window_start = DateTimeField(null=True)
        received_at = DateTimeField()
        content_hash = CharField(max_length=64)
        signed = BooleanField(default=False)
        passkey = ForeignKeyField(Passkey, null=True, backref="+", on_delete="RESTRICT")
        credential_id = CharField(max_length=1400, default="")
        assertion = TextField(null=True)
        sign_count = BigIntegerField(default=0)
        backed_up = BooleanField(default=False)
        verification = CharField(max_length=16)
        flags = TextField()
        note = TextField(default="")

        class Meta:
            database = db
            table_name = "check_in"

    db.create_tables([CheckIn])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("check_in"))
