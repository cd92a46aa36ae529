"""A fault's life: its events (append-only, made on the phones), the fault's kind, assignee and
the columns derived from its events; the client's clock mode and whether waiting stops it.

Chained after 0005 (the newest migration on this branch). Frozen copy of the models as they
were; never edit once landed.
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
        {"id": UUIDField(primary_key=True, default=uuid.uuid4), "Meta": Meta},
    )


def up(migrator, db):
    Site = _stub(db, "site")
    User = _stub(db, "user")
    Fault = _stub(db, "fault")

    class FaultEvent(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        version = IntegerField(default=1)
        server_seq = BigIntegerField(index=True, default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        deleted_at = DateTimeField(null=True)
        fault = ForeignKeyField(Fault, on_delete="RESTRICT")
        site = ForeignKeyField(Site, on_delete="RESTRICT")
        kind = CharField(max_length=16)
        at = CharField(max_length=40)
        by = ForeignKeyField(User, on_delete="RESTRICT")
        note = TextField(default="")
        details = TextField(default="{}")

        class Meta:
            database = db
            table_name = "fault_event"

    db.create_tables([FaultEvent])
    assignee = ForeignKeyField(User, null=True, field=User.id, on_delete="RESTRICT")
    migrator.migrate(
        migrator.add_column("fault", "kind", CharField(max_length=16, default="fault")),
        migrator.add_column("fault", "assignee_id", assignee),
        migrator.add_column("fault", "escalated_to", CharField(max_length=16, default="")),
        migrator.add_column("fault", "responded_at", CharField(max_length=40, default="")),
        migrator.add_column("fault", "resolved_at", CharField(max_length=40, default="")),
        migrator.add_column("fault", "closed_at", CharField(max_length=40, default="")),
        migrator.add_column("fault", "respond_due", DateTimeField(null=True, index=True)),
        migrator.add_column("fault", "resolve_due", DateTimeField(null=True, index=True)),
        migrator.add_column("fault", "respond_used", IntegerField(null=True)),
        migrator.add_column("fault", "resolve_used", IntegerField(null=True)),
        migrator.add_column("fault", "respond_breached", BooleanField(null=True)),
        migrator.add_column("fault", "resolve_breached", BooleanField(null=True)),
        migrator.add_column_default("fault", "status", "reported"),
        migrator.add_column(
            "client", "clock_mode", CharField(max_length=16, default="round_the_clock")
        ),
        migrator.add_column("client", "waiting_stops_clock", BooleanField(default=True)),
    )
    # A fault had no life before: every one was "open", which is now "reported" (no step yet).
    db.execute_sql("UPDATE fault SET status = 'reported' WHERE status = 'open'")


def down(migrator, db):
    migrator.migrate(
        *(
            migrator.drop_column("fault", name)
            for name in (
                "kind",
                "assignee_id",
                "escalated_to",
                "responded_at",
                "resolved_at",
                "closed_at",
                "respond_due",
                "resolve_due",
                "respond_used",
                "resolve_used",
                "respond_breached",
                "resolve_breached",
            )
        ),
        migrator.drop_column("client", "clock_mode"),
        migrator.drop_column("client", "waiting_stops_clock"),
        migrator.drop_table("fault_event"),
    )
    db.execute_sql("UPDATE fault SET status = 'open'")
