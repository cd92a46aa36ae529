"""JSON API for the equipment register."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from ..api import endpoint
from ..auth import scope
from ..auth.permissions import roles_for
from ..models import Equipment, Site
from . import operations as ops
from .schemas import EquipmentIn, EquipmentOut, EquipmentPatch, EquipmentQuery, HistoryOut

bp = Blueprint("inventory_api", __name__, url_prefix="/api")
TAGS = ["equipment"]


def _in_scope():
    return Equipment.live().where(
        Equipment.site.in_(scope.visible_sites(current_user).select(Site.id))
    )


@endpoint(
    bp,
    "/equipment",
    ["GET"],
    summary="Equipment in scope, filtered",
    query=EquipmentQuery,
    response=EquipmentOut,
    many=True,
    tags=TAGS,
)
def list_equipment(query):
    return ops.search_equipment(_in_scope(), **query).order_by(Equipment.name)


@endpoint(
    bp,
    "/equipment",
    ["POST"],
    summary="Register equipment",
    body=EquipmentIn,
    response=EquipmentOut,
    status=201,
    roles=roles_for("equipment", "create"),
    tags=TAGS,
)
def create_equipment(body):
    return ops.create_equipment(
        actor=current_user, data=body, allowed_sites=scope.visible_sites(current_user)
    )


@endpoint(
    bp,
    "/equipment/<equipment_id>",
    ["GET"],
    summary="One piece of equipment",
    response=EquipmentOut,
    tags=TAGS,
)
def get_equipment(equipment_id):
    return scope.get_equipment(current_user, equipment_id)


@endpoint(
    bp,
    "/equipment/<equipment_id>",
    ["PATCH"],
    summary="Change equipment",
    body=EquipmentPatch,
    response=EquipmentOut,
    roles=roles_for("equipment", "update"),
    tags=TAGS,
)
def update_equipment(equipment_id, body):
    item = scope.get_equipment(current_user, equipment_id)
    ops.update_equipment(
        item, actor=current_user, changes=body, allowed_sites=scope.visible_sites(current_user)
    )
    return item


@endpoint(
    bp,
    "/equipment/<equipment_id>",
    ["DELETE"],
    summary="Remove equipment",
    response=EquipmentOut,
    roles=roles_for("equipment", "delete"),
    tags=TAGS,
)
def delete_equipment(equipment_id):
    return ops.delete_equipment(scope.get_equipment(current_user, equipment_id), actor=current_user)


@endpoint(
    bp,
    "/equipment/<equipment_id>/history",
    ["GET"],
    summary="Every change to a device's fields, newest first (at most 200)",
    response=HistoryOut,
    many=True,
    tags=TAGS,
)
def equipment_history(equipment_id):
    item = scope.get_equipment(current_user, equipment_id)
    return ops.history_of(item, limit=200)
