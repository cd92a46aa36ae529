"""Passkeys: users' WebAuthn credentials, and the server-side challenges of their ceremonies.

Migrations run in the order of their numbers; this one needs only the user table (0001).
Frozen copies of the models as they were; never edit once landed.
"""

import uuid

from peewee import *


def up(migrator, db):
    class User(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)

        class Meta:
            database = db
            table_name = "user"

    class Passkey(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        user = ForeignKeyField(User, backref="passkeys", on_delete="CASCADE")
        credential_id = CharField(max_length=1400, unique=True)
        public_key = TextField()
        sign_count = BigIntegerField(default=0)
        name = CharField(max_length=80)
        transports = TextField(default="[]")
        aaguid = CharField(max_length=36, default="")
        backed_up = BooleanField(default=False)
        created_at = DateTimeField()
        last_used_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)
        revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "passkey"

    class PasskeyChallenge(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        purpose = CharField(max_length=16)
        challenge = CharField(max_length=64)
        user = ForeignKeyField(User, null=True, backref="+", on_delete="CASCADE")
        created_at = DateTimeField()
        expires_at = DateTimeField(index=True)
        used_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "passkey_challenge"

    db.create_tables([Passkey, PasskeyChallenge])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("passkey_challenge"))
    migrator.migrate(migrator.drop_table("passkey"))
