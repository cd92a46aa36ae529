"""The customer service contact form (客户服务联络单) is a round of a shipped template; a round
may name the fault it was started from, which its signing confirms (docs/contact-form.md).

Migrations run in the order of their numbers; this one needs the round table (0003).
Frozen copies of the models as they were; never edit once landed.
"""

from peewee import UUIDField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("round", "fault_id", UUIDField(null=True, index=True)),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("round", "fault_id"))
