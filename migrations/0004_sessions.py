"""Sessions kept in the database (revocable, seen by every app server) and a sign-in throttle
with one locked row per key, replacing the log of failures that was counted then inserted.

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

    class UserSession(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        token_hash = CharField(max_length=64, unique=True)
        user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        address = CharField(max_length=64, default="")
        device = CharField(max_length=120, default="")
        client_ids = TextField(default="[]")
        revoked_at = DateTimeField(null=True)
        revoked_reason = CharField(max_length=32, default="")
        revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "user_session"

    class LoginThrottle(Model):
        key = CharField(max_length=160, primary_key=True)
        failures = IntegerField(default=0)
        last_failure_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "login_throttle"

    db.create_tables([UserSession, LoginThrottle])
    # Failures were only kept for the throttle's 15-minute window: nothing worth carrying over.
    migrator.migrate(migrator.drop_table("login_failure"))


def down(migrator, db):
    class LoginFailure(Model):
        username = CharField(index=True, max_length=64)
        address = CharField(index=True, max_length=64)
        at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "login_failure"

    db.create_tables([LoginFailure])
    migrator.migrate(migrator.drop_table("login_throttle"))
    migrator.migrate(migrator.drop_table("user_session"))
