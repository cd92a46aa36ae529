"""Sync: devices, answered mutations, conflicts, field history, attachments; equipment field_meta.

Frozen copies of the models as they were; never edit once landed. JSON columns are text.
"""

import uuid

from peewee import *


def up(migrator, db):
    class Site(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)

        class Meta:
            database = db
            table_name = "site"

    class User(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)

        class Meta:
            database = db
            table_name = "user"

    class Attachment(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        version = IntegerField(default=1)
        server_seq = BigIntegerField(index=True, default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        deleted_at = DateTimeField(null=True)
        owner_entity = CharField(max_length=32)
        owner_id = CharField(index=True, max_length=36)
        site = ForeignKeyField(Site, on_delete="RESTRICT")
        kind = CharField(max_length=16)
        filename = CharField(max_length=200, default="")
        mime = CharField(max_length=100)
        size = BigIntegerField()
        sha256 = CharField(max_length=64)
        received = BigIntegerField(default=0)
        status = CharField(max_length=16, default="pending")
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "attachment"

    db.create_tables([Attachment])

    class RecordHistory(Model):
        entity = CharField(max_length=32)
        entity_id = CharField(index=True, max_length=36)
        version = IntegerField()
        field = CharField(max_length=64)
        old_value = TextField(null=True)
        new_value = TextField(null=True)
        mutation_id = UUIDField(null=True)
        author = CharField(max_length=64, default="")
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        at = DateTimeField()

        class Meta:
            database = db
            table_name = "record_history"

    db.create_tables([RecordHistory])

    class SyncClient(Model):
        id = UUIDField(primary_key=True)
        user = ForeignKeyField(User, on_delete="CASCADE")
        last_seq = BigIntegerField(default=0)
        created_at = DateTimeField()
        last_seen_at = DateTimeField()

        class Meta:
            database = db
            table_name = "sync_client"

    db.create_tables([SyncClient])

    class SyncConflict(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        version = IntegerField(default=1)
        server_seq = BigIntegerField(index=True, default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        deleted_at = DateTimeField(null=True)
        entity = CharField(max_length=32)
        entity_id = CharField(index=True, max_length=36)
        site = ForeignKeyField(Site, on_delete="RESTRICT")
        field = CharField(max_length=64)
        base_version = IntegerField()
        server_value = TextField(null=True)
        client_value = TextField(null=True)
        mutation_id = UUIDField(null=True)
        raised_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        status = CharField(max_length=16, default="open")
        resolution = CharField(max_length=16, default="")
        resolved_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        resolved_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "sync_conflict"

    db.create_tables([SyncConflict])

    class SyncMutation(Model):
        mutation_id = UUIDField(primary_key=True)
        client = ForeignKeyField(SyncClient, on_delete="CASCADE")
        client_seq = BigIntegerField()
        user = ForeignKeyField(User, on_delete="CASCADE")
        entity = CharField(max_length=32)
        entity_id = CharField(max_length=36)
        op = CharField(max_length=16)
        base_version = IntegerField(default=0)
        changes = TextField(default="{}")
        client_time = CharField(max_length=40, default="")
        status = CharField(max_length=16)
        result = TextField(default="{}")
        received_at = DateTimeField()

        class Meta:
            database = db
            table_name = "sync_mutation"
            indexes = ((("client", "client_seq"), True),)

    db.create_tables([SyncMutation])

    migrator.migrate(migrator.add_column("equipment", "field_meta", TextField(default="{}")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("equipment", "field_meta"))
    migrator.migrate(migrator.drop_table("sync_mutation"))
    migrator.migrate(migrator.drop_table("sync_conflict"))
    migrator.migrate(migrator.drop_table("sync_client"))
    migrator.migrate(migrator.drop_table("record_history"))
    migrator.migrate(migrator.drop_table("attachment"))
