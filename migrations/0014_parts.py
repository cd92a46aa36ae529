"""Spare parts (备品备件): stock per site and in the office, its movements, parts used on a
fault and requests for parts (docs/parts.md).

Migrations run in the order of their numbers; this one needs the user, site, equipment and fault
tables. Frozen copies of the models as they were; never edit once landed.
"""

import uuid
from datetime import datetime

from peewee import *


def up(migrator, db):
    def table(name):
        class Frozen(Model):
            id = UUIDField(primary_key=True, default=uuid.uuid4)

            class Meta:
                database = db
                table_name = name

        return Frozen

    User, Site, Equipment, Fault = (table(n) for n in ("user", "site", "equipment", "fault"))

    class Synced(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        version = IntegerField(default=1)
        server_seq = BigIntegerField(default=0, index=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        deleted_at = DateTimeField(null=True)

        class Meta:
            database = db

    class PartStock(Synced):
        site = ForeignKeyField(Site, null=True, backref="+", on_delete="RESTRICT")
        name = CharField(max_length=100)
        model = CharField(max_length=100, default="")
        quantity = IntegerField(default=0)
        short = IntegerField(default=0)
        location = CharField(max_length=200, default="")
        minimum = IntegerField(default=0)

        class Meta:
            table_name = "part_stock"

    class PartUse(Synced):
        site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")
        stock = ForeignKeyField(PartStock, backref="+", on_delete="RESTRICT")
        fault = ForeignKeyField(Fault, backref="+", on_delete="RESTRICT")
        equipment = ForeignKeyField(Equipment, null=True, backref="+", on_delete="RESTRICT")
        quantity = IntegerField()
        short = IntegerField(default=0)
        old_serial = CharField(max_length=100, default="")
        new_serial = CharField(max_length=100, default="")
        used_at = CharField(max_length=40)
        by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")

        class Meta:
            table_name = "part_use"

    class PartRequest(Synced):
        site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")
        engineer = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
        stock = ForeignKeyField(PartStock, null=True, backref="+", on_delete="RESTRICT")
        name = CharField(max_length=100)
        model = CharField(max_length=100, default="")
        quantity = IntegerField()
        reason = TextField(default="")
        fault = ForeignKeyField(Fault, null=True, backref="+", on_delete="RESTRICT")
        asked_at = CharField(max_length=40)
        status = CharField(max_length=16, default="waiting", index=True)
        office_note = TextField(default="")
        decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
        decided_at = DateTimeField(null=True)

        class Meta:
            table_name = "part_request"

    class PartMovement(Model):
        id = AutoField()
        stock = ForeignKeyField(PartStock, backref="+", on_delete="RESTRICT")
        kind = CharField(max_length=16)
        quantity = IntegerField()
        short = IntegerField(default=0)
        reason = TextField(default="")
        by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
        at = DateTimeField(default=datetime.utcnow)
        fault = ForeignKeyField(Fault, null=True, backref="+", on_delete="RESTRICT")
        use = ForeignKeyField(PartUse, null=True, backref="+", on_delete="RESTRICT")
        request = ForeignKeyField(PartRequest, null=True, backref="+", on_delete="RESTRICT")
        other = ForeignKeyField(PartStock, null=True, backref="+", on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "part_movement"

    db.create_tables([PartStock, PartUse, PartRequest, PartMovement])


def down(migrator, db):
    for name in ("part_movement", "part_request", "part_use", "part_stock"):
        migrator.migrate(migrator.drop_table(name))
