"""A site's own calendar: the days it works or rests against the national calendar."""

from __future__ import annotations

import uuid
from datetime import date

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, UUIDField

from .base import BaseModel, utcnow
from .organisation import Site
from .people import User


class SiteDay(BaseModel):
    """One exception at one site (a client closed for a move, a Saturday the client asks for):
    `working` wins over the national calendar on `day`, with the office's note saying why.
    Read on the server only (the attendance sheet and the fault clocks); the phone receives the
    working days its fault clocks need inside each fault's policy (faults/operations.py)."""

    id = UUIDField(primary_key=True, default=uuid.uuid4)
    site = ForeignKeyField(Site, backref="+", on_delete="CASCADE")
    day = DateField()
    working = BooleanField()
    note = CharField(max_length=200, default="")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "site_day"
        indexes = ((("site", "day"), True),)

    @classmethod
    def of(cls, site_id, first: date, last: date) -> dict[date, bool]:
        """The site's exceptions from `first` to `last`, as the calendar takes them."""
        query = cls.select(cls.day, cls.working).where(
            (cls.site == site_id) & (cls.day >= first) & (cls.day <= last)
        )
        return {row.day: row.working for row in query}

    @classmethod
    def notes(cls, site_id, first: date, last: date) -> dict[date, SiteDay]:
        """The same days with their notes, for explaining a sheet's cells."""
        query = cls.select().where((cls.site == site_id) & (cls.day >= first) & (cls.day <= last))
        return {row.day: row for row in query}
