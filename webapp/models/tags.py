"""QR tags on equipment and locations. The token is signed (docs/tags.md) so that a phone can tell a
forged or altered tag while offline; a tag can be revoked and a new one issued."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, UUIDField

from .base import SyncedModel
from .organisation import Site
from .people import User


class Tag(SyncedModel):
    target_entity = CharField(max_length=16)  # equipment, location
    target_id = UUIDField(index=True)
    site = ForeignKeyField(Site, backref="tags", on_delete="RESTRICT")
    serial = IntegerField(default=1)  # 1 for the first tag of a target, +1 on each reissue
    token = CharField(max_length=200, unique=True)
    status = CharField(max_length=16, default="active")  # active, revoked
    revoked_at = DateTimeField(null=True)
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


# One active tag per device or location, enforced by the database (two office clicks at once on
# PostgreSQL cannot both issue one).
Tag.add_index(
    Tag.index(Tag.target_id, unique=True, where=(Tag.status == "active"), name="tag_one_active")
)
