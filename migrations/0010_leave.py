"""Leave requests (请假申请) and absence explanations (《缺勤情况说明》).

Migrations run in the order of their numbers; this one needs the user and site tables (0001).
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

    class Site(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)

        class Meta:
            database = db
            table_name = "site"

    class Synced(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        version = IntegerField(default=1)
        server_seq = BigIntegerField(default=0, index=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        deleted_at = DateTimeField(null=True)

        class Meta:
            database = db

    class LeaveRequest(Synced):
        engineer = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
        site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")
        first_day = DateField()
        last_day = DateField()
        kind = CharField(max_length=16)
        reason = TextField(default="")
        stand_in = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
        filed_at = CharField(max_length=40)
        notice = CharField(max_length=16)
        notice_ahead = IntegerField(default=0)
        status = CharField(max_length=16, default="waiting", index=True)
        office_note = TextField(default="")
        decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
        decided_at = DateTimeField(null=True)

        class Meta:
            table_name = "leave_request"

    class AbsenceExplanation(Synced):
        engineer = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
        site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")
        month = CharField(max_length=7)
        text = TextField()
        written_at = CharField(max_length=40)
        status = CharField(max_length=16, default="waiting", index=True)
        office_note = TextField(default="")
        decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
        decided_at = DateTimeField(null=True)

        class Meta:
            table_name = "absence_explanation"

    db.create_tables([LeaveRequest, AbsenceExplanation])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("absence_explanation"))
    migrator.migrate(migrator.drop_table("leave_request"))
