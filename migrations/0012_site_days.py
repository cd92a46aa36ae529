"""A site's own calendar exceptions (an extra working day or day off at one site, with a note).

Migrations run in the order of their numbers; this one needs user and site (0001). Frozen copy
of the model as it was; never edit once landed.
"""

import datetime
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

    User, Site = stub("user"), stub("site")

    class SiteDay(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        site = ForeignKeyField(Site, backref="+", on_delete="CASCADE")
        day = DateField()
        working = BooleanField()
        note = CharField(max_length=200, default="")
        created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            database = db
            table_name = "site_day"
            indexes = ((("site", "day"), True),)

    db.create_tables([SiteDay])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("site_day"))
