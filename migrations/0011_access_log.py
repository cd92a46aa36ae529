"""Machine-room access log (机房出入登记): restricted rooms, and a check-in's purpose, number of
people and escorted names, signed with the rest (docs/checkins.md, "Access log").

Migrations run in the order of their numbers; this one needs location (0001) and check_in
(0009). Frozen columns as they were; never edit once landed.
"""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("location", "restricted", BooleanField(default=False)),
        migrator.add_column("check_in", "purpose", TextField(default="")),
        migrator.add_column("check_in", "people", IntegerField(null=True)),
        migrator.add_column("check_in", "escorts", TextField(default="[]")),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("check_in", "escorts"),
        migrator.drop_column("check_in", "people"),
        migrator.drop_column("check_in", "purpose"),
        migrator.drop_column("location", "restricted"),
    )
