"""Initial schema: clients, sites, locations, users, assignments, equipment, server tables.

Frozen copies of the models as they were; never edit once landed.
"""

import uuid

from peewee import *


def up(migrator, db):
    class Client(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        version = IntegerField(default=1)
        server_seq = BigIntegerField(index=True, default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        deleted_at = DateTimeField(null=True)
        name = CharField(max_length=200)
        client_type = CharField(max_length=32, default="annual_contract")
        contact_name = CharField(max_length=100, default="")
        contact_phone = CharField(max_length=50, default="")
        address = CharField(max_length=300, default="")
        response_minutes = IntegerField(default=10)
        request_response_minutes = IntegerField(default=30)
        resolution_hours = IntegerField(default=2)
        notes = TextField(default="")

        class Meta:
            database = db
            table_name = "client"

    db.create_tables([Client])

    class User(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        username = CharField(unique=True, max_length=64)
        display_name = CharField(max_length=100, default="")
        password_hash = CharField()
        role = CharField(max_length=16)
        client = ForeignKeyField(Client, null=True, on_delete="RESTRICT")
        phone = CharField(max_length=50, default="")
        locale = CharField(null=True, max_length=16)
        active = BooleanField(default=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "user"

    db.create_tables([User])

    class Site(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        version = IntegerField(default=1)
        server_seq = BigIntegerField(index=True, default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        deleted_at = DateTimeField(null=True)
        client = ForeignKeyField(Client, on_delete="RESTRICT")
        name = CharField(max_length=200)
        address = CharField(max_length=300, default="")
        contact_name = CharField(max_length=100, default="")
        contact_phone = CharField(max_length=50, default="")
        timezone = CharField(max_length=64, default="Asia/Shanghai")
        working_hours = CharField(max_length=100, default="08:30-12:00,14:00-17:30")
        late_after_minutes = IntegerField(default=15)
        early_leave_minutes = IntegerField(default=15)
        notes = TextField(default="")

        class Meta:
            database = db
            table_name = "site"

    db.create_tables([Site])

    class Assignment(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        version = IntegerField(default=1)
        server_seq = BigIntegerField(index=True, default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        deleted_at = DateTimeField(null=True)
        engineer = ForeignKeyField(User, on_delete="RESTRICT")
        site = ForeignKeyField(Site, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "assignment"
            indexes = ((("engineer", "site"), True),)

    db.create_tables([Assignment])

    class AuditEntry(Model):
        at = DateTimeField(index=True)
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        action = CharField(max_length=32)
        entity = CharField(max_length=32)
        entity_id = CharField(index=True, max_length=36)
        summary = TextField(default="")

        class Meta:
            database = db
            table_name = "audit_entry"

    db.create_tables([AuditEntry])

    class Counter(Model):
        name = CharField(primary_key=True, max_length=32)
        value = BigIntegerField(default=0)

        class Meta:
            database = db
            table_name = "counter"

    db.create_tables([Counter])

    class Location(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        version = IntegerField(default=1)
        server_seq = BigIntegerField(index=True, default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        deleted_at = DateTimeField(null=True)
        site = ForeignKeyField(Site, on_delete="RESTRICT")
        name = CharField(max_length=200)
        kind = CharField(max_length=32, default="machine_room")
        floor = CharField(max_length=50, default="")
        notes = TextField(default="")

        class Meta:
            database = db
            table_name = "location"

    db.create_tables([Location])

    class Equipment(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        version = IntegerField(default=1)
        server_seq = BigIntegerField(index=True, default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        deleted_at = DateTimeField(null=True)
        site = ForeignKeyField(Site, on_delete="RESTRICT")
        location = ForeignKeyField(Location, null=True, on_delete="RESTRICT")
        code = CharField(max_length=50, default="")
        name = CharField(max_length=200)
        system = CharField(max_length=32, default="other")
        brand = CharField(max_length=100, default="")
        model = CharField(max_length=100, default="")
        serial_number = CharField(max_length=100, default="")
        manufacturer = CharField(max_length=200, default="")
        manufacturer_contact = CharField(max_length=200, default="")
        supplier = CharField(max_length=200, default="")
        installed_on = DateField(null=True)
        service_years = IntegerField(null=True)
        warranty_until = DateField(null=True)
        interfaces = TextField(default="")
        free_interfaces = TextField(default="")
        status = CharField(max_length=16, default="in_service")
        fault_points = TextField(default="")
        notes = TextField(default="")

        class Meta:
            database = db
            table_name = "equipment"

    db.create_tables([Equipment])

    class LoginFailure(Model):
        username = CharField(index=True, max_length=64)
        address = CharField(index=True, max_length=64)
        at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "login_failure"

    db.create_tables([LoginFailure])

    class ServerMeta(Model):
        key = CharField(primary_key=True, max_length=32)
        value = TextField()

        class Meta:
            database = db
            table_name = "server_meta"

    db.create_tables([ServerMeta])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("server_meta"))
    migrator.migrate(migrator.drop_table("login_failure"))
    migrator.migrate(migrator.drop_table("equipment"))
    migrator.migrate(migrator.drop_table("location"))
    migrator.migrate(migrator.drop_table("counter"))
    migrator.migrate(migrator.drop_table("audit_entry"))
    migrator.migrate(migrator.drop_table("assignment"))
    migrator.migrate(migrator.drop_table("site"))
    migrator.migrate(migrator.drop_table("user"))
    migrator.migrate(migrator.drop_table("client"))
