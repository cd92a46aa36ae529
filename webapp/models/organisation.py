"""What a service company has before any work is done: clients, sites, locations."""

from __future__ import annotations

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from .base import SyncedModel


class Client(SyncedModel):
    """An organisation served (甲方), with its service levels."""

    name = CharField(max_length=200)
    client_type = CharField(max_length=32, default="annual_contract")
    contact_name = CharField(max_length=100, default="")
    contact_phone = CharField(max_length=50, default="")
    address = CharField(max_length=300, default="")
    # Service levels: answer a fault within minutes, a service request within minutes,
    # and resolve within hours (domain §5 defaults: 10, 30, 2).
    response_minutes = IntegerField(default=10)
    request_response_minutes = IntegerField(default=30)
    resolution_hours = IntegerField(default=2)
    # How the clocks run: round the clock, or in the site's working hours on working days;
    # and whether waiting for parts or for the client stops them (docs/faults.md).
    clock_mode = CharField(max_length=16, default="round_the_clock")  # or working_hours
    waiting_stops_clock = BooleanField(default=True)
    notes = TextField(default="")


class Site(SyncedModel):
    """A place where engineers are stationed, with its working hours and attendance thresholds."""

    client = ForeignKeyField(Client, backref="sites", on_delete="RESTRICT")
    name = CharField(max_length=200)
    address = CharField(max_length=300, default="")
    contact_name = CharField(max_length=100, default="")
    contact_phone = CharField(max_length=50, default="")
    timezone = CharField(max_length=64, default="Asia/Shanghai")
    # Working periods as "HH:MM-HH:MM" separated by commas, e.g. "08:30-12:00,14:00-17:30".
    working_hours = CharField(max_length=100, default="08:30-12:00,14:00-17:30")
    late_after_minutes = IntegerField(default=15)
    early_leave_minutes = IntegerField(default=15)
    notes = TextField(default="")


class Location(SyncedModel):
    """A room or area inside a site: machine room, control room, floor."""

    site = ForeignKeyField(Site, backref="locations", on_delete="RESTRICT")
    name = CharField(max_length=200)
    kind = CharField(max_length=32, default="machine_room")
    floor = CharField(max_length=50, default="")
    notes = TextField(default="")
    # A restricted room (机房出入登记): a check-in there asks for the purpose, the number of
    # people and who is escorted, and the office keeps an access log (docs/checkins.md).
    restricted = BooleanField(default=False)
