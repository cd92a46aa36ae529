"""Checklist templates and versions, schedules, rounds, answers, faults, QR tags.

Frozen copies of the models as they were; never edit once landed. JSON columns are text.
"""

import uuid

from peewee import *


def _stub(db, name):
    class Meta:
        database = db
        table_name = name

    return type(
        name.title().replace("_", ""),
        (Model,),
        {
            "id": UUIDField(primary_key=True, default=uuid.uuid4),
            "Meta": Meta,
        },
    )


class _Synced(Model):
    id = UUIDField(primary_key=True, default=uuid.uuid4)
    version = IntegerField(default=1)
    server_seq = BigIntegerField(index=True, default=0)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    deleted_at = DateTimeField(null=True)


def up(migrator, db):
    Site = _stub(db, "site")
    Location = _stub(db, "location")
    User = _stub(db, "user")
    Equipment = _stub(db, "equipment")

    class ChecklistTemplate(_Synced):
        key = CharField(max_length=64, unique=True)
        form = CharField(max_length=32, default="round")
        title = TextField(default="{}")
        status = CharField(max_length=16, default="draft")
        published_version = IntegerField(default=0)
        shipped = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "checklist_template"

    class TemplateVersion(_Synced):
        template = ForeignKeyField(ChecklistTemplate, on_delete="RESTRICT")
        number = IntegerField()
        content = TextField(default="{}")
        status = CharField(max_length=16, default="draft")
        published_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "template_version"
            indexes = ((("template", "number"), True),)

    class Schedule(_Synced):
        template = ForeignKeyField(ChecklistTemplate, on_delete="RESTRICT")
        site = ForeignKeyField(Site, on_delete="RESTRICT")
        location = ForeignKeyField(Location, null=True, on_delete="RESTRICT")
        system = CharField(max_length=32, default="")
        frequency = CharField(max_length=16, default="daily")
        starts_on = DateField(null=True)
        active = BooleanField(default=True)

        class Meta:
            database = db
            table_name = "schedule"

    class Round(_Synced):
        number = CharField(max_length=32, default="", index=True)
        template_version = ForeignKeyField(TemplateVersion, on_delete="RESTRICT")
        schedule = ForeignKeyField(Schedule, null=True, on_delete="SET NULL")
        site = ForeignKeyField(Site, on_delete="RESTRICT")
        location = ForeignKeyField(Location, null=True, on_delete="RESTRICT")
        equipment = ForeignKeyField(Equipment, null=True, on_delete="RESTRICT")
        equipment_ids = TextField(default="[]")
        engineer = ForeignKeyField(User, on_delete="RESTRICT")
        period = CharField(max_length=16, default="")
        status = CharField(max_length=16, default="in_progress")
        started_at = CharField(max_length=40)
        submitted_at = CharField(max_length=40, default="")
        header = TextField(default="{}")
        summary = TextField(default="")
        responsible = CharField(max_length=100, default="")
        acceptance = TextField(null=True)
        signature_id = UUIDField(null=True)
        seal_hash = CharField(max_length=64, default="")
        sealed_at = DateTimeField(null=True)
        revision_of = ForeignKeyField("self", null=True, on_delete="RESTRICT")
        revision = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "round"

    class Answer(_Synced):
        round = ForeignKeyField(Round, on_delete="RESTRICT")
        site = ForeignKeyField(Site, on_delete="RESTRICT")
        item_key = CharField(max_length=120)
        equipment = ForeignKeyField(Equipment, null=True, on_delete="RESTRICT")
        status = CharField(max_length=16, default="")
        value = TextField(null=True)
        note = TextField(default="")
        photos = TextField(default="[]")
        answered_at = CharField(max_length=40, default="")

        class Meta:
            database = db
            table_name = "answer"
            indexes = ((("round", "item_key"), True),)

    class Fault(_Synced):
        number = CharField(max_length=32, default="", index=True)
        site = ForeignKeyField(Site, on_delete="RESTRICT")
        location = ForeignKeyField(Location, null=True, on_delete="RESTRICT")
        equipment = ForeignKeyField(Equipment, null=True, on_delete="RESTRICT")
        round = ForeignKeyField(Round, null=True, on_delete="RESTRICT")
        item_key = CharField(max_length=120, default="")
        description = TextField()
        severity = CharField(max_length=16, default="medium")
        status = CharField(max_length=16, default="open")
        photos = TextField(default="[]")
        reported_at = CharField(max_length=40)
        reported_by = ForeignKeyField(User, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "fault"

    class Tag(_Synced):
        target_entity = CharField(max_length=16)
        target_id = UUIDField(index=True)
        site = ForeignKeyField(Site, on_delete="RESTRICT")
        serial = IntegerField(default=1)
        token = CharField(max_length=200, unique=True)
        status = CharField(max_length=16, default="active")
        revoked_at = DateTimeField(null=True)
        revoked_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "tag"

    Tag.add_index(
        Tag.index(Tag.target_id, unique=True, where=(Tag.status == "active"), name="tag_one_active")
    )
    db.create_tables([ChecklistTemplate, TemplateVersion, Schedule, Round, Answer, Fault, Tag])


def down(migrator, db):
    for table in (
        "tag",
        "fault",
        "answer",
        "round",
        "schedule",
        "template_version",
        "checklist_template",
    ):
        migrator.migrate(migrator.drop_table(table))
