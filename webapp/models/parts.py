"""Spare parts (备品备件, docs/parts.md): the stock kept at each site and in the office's store,
every movement of it, the parts used on a fault and the phone's requests for parts.

A stock item's quantity is never edited: it changes only by a movement (received, sent to a
site, received from the office, used on a fault, shortfall reconciled), so the sum of an item's
movements is its quantity.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import BaseModel, SyncedModel, utcnow
from .equipment import Equipment
from .organisation import Site
from .people import User
from .rounds import Fault


class PartStock(SyncedModel):
    site = ForeignKeyField(
        Site, null=True, backref="part_stock", on_delete="RESTRICT"
    )  # null: office
    name = CharField(max_length=100)
    model = CharField(max_length=100, default="")  # brand and model
    quantity = IntegerField(default=0)  # the sum of the item's movements, never below zero
    short = IntegerField(default=0)  # units used that the stock did not hold, to reconcile
    location = CharField(max_length=200, default="")  # 存放位置
    minimum = IntegerField(default=0)  # low stock at or below this


class PartUse(SyncedModel):
    """Parts used on a fault, sent from the phone with a client-made id."""

    site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")
    stock = ForeignKeyField(PartStock, backref="uses", on_delete="RESTRICT")
    fault = ForeignKeyField(Fault, backref="part_uses", on_delete="RESTRICT")
    equipment = ForeignKeyField(Equipment, null=True, backref="+", on_delete="RESTRICT")
    quantity = IntegerField()
    short = IntegerField(default=0)  # how many of them the stock did not hold on arrival
    old_serial = CharField(max_length=100, default="")
    new_serial = CharField(max_length=100, default="")
    used_at = CharField(max_length=40)  # the device's time, kept as sent
    by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")


class PartRequest(SyncedModel):
    """A request for parts from the phone, answered in the office."""

    site = ForeignKeyField(Site, backref="+", on_delete="RESTRICT")
    engineer = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    stock = ForeignKeyField(PartStock, null=True, backref="+", on_delete="RESTRICT")
    name = CharField(max_length=100)
    model = CharField(max_length=100, default="")
    quantity = IntegerField()
    reason = TextField(default="")
    fault = ForeignKeyField(Fault, null=True, backref="+", on_delete="RESTRICT")
    asked_at = CharField(max_length=40)  # the device's time, kept as sent
    status = CharField(max_length=16, default="waiting", index=True)  # PART_REQUEST_STATUSES
    office_note = TextField(default="")
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    decided_at = DateTimeField(null=True)


class PartMovement(BaseModel):
    """One change of a stock item's quantity: who, when, how many, why."""

    id = AutoField()
    stock = ForeignKeyField(PartStock, backref="movements", on_delete="RESTRICT")
    kind = CharField(max_length=16)  # models/choices.py PART_MOVEMENTS
    quantity = IntegerField()  # the change of the item's quantity (negative: out)
    short = IntegerField(default=0)  # the change of the item's shortfall
    reason = TextField(default="")
    by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    at = DateTimeField(default=utcnow)
    fault = ForeignKeyField(Fault, null=True, backref="+", on_delete="RESTRICT")
    use = ForeignKeyField(PartUse, null=True, backref="+", on_delete="RESTRICT")
    request = ForeignKeyField(PartRequest, null=True, backref="+", on_delete="RESTRICT")
    other = ForeignKeyField(PartStock, null=True, backref="+", on_delete="RESTRICT")  # transfer
