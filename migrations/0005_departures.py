"""Departures: a synced record that left a site, delivered to the old site's devices as a removal.

Frozen copy of the model as it was; never edit once landed.
"""

import uuid

from peewee import *


def up(migrator, db):
    class Site(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)

        class Meta:
            database = db
            table_name = "site"

    class Departure(Model):
        id = AutoField()
        entity = CharField(max_length=32)
        entity_id = CharField(max_length=36)
        site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")
        to_site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")
        version = IntegerField()
        server_seq = BigIntegerField(index=True)
        at = DateTimeField()

        class Meta:
            database = db
            table_name = "departure"

    db.create_tables([Departure])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("departure"))
