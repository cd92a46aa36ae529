"""Web Push: subscriptions of signed-in devices and the outbox of notifications
(docs/notifications.md).

Needs the user (0001) and user_session (0004) tables. Frozen copies of the models as they were;
never edit once landed.
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

        class Meta:
            database = db
            table_name = "user_session"

    class PushSubscription(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
        session = ForeignKeyField(UserSession, backref="+", on_delete="CASCADE")
        endpoint = CharField(max_length=1000, unique=True)
        p256dh = CharField(max_length=200)
        auth = CharField(max_length=64)
        locale = CharField(max_length=16, default="")
        created_at = DateTimeField()
        last_sent_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "push_subscription"

    class Notification(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
        key = CharField(max_length=200)
        kind = CharField(max_length=32)
        title = CharField(max_length=200)
        body = TextField(default="")
        url = CharField(max_length=300, default="/app/")
        state = CharField(max_length=16, default="queued", index=True)
        due_at = DateTimeField(index=True)
        attempts = IntegerField(default=0)
        delivered = TextField(default="[]")
        last_error = CharField(max_length=300, default="")
        created_at = DateTimeField()
        sent_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "notification"
            indexes = ((("user", "key"), True),)

    db.create_tables([PushSubscription, Notification])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("notification"))
    migrator.migrate(migrator.drop_table("push_subscription"))
