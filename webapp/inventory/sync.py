"""The equipment register's sync adapter: equipment mutations from devices, and the equipment
feed of the pull (registered by the app factory, webapp/sync/registry.py)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ..auth import permissions, scope
from ..errors import ApiError
from ..models import Equipment
from ..sync.registry import Context, Feed, Handler, Mutation
from ..sync.registry import applied as _applied
from ..sync.registry import load as _load
from . import operations as inventory_ops
from .schemas import EquipmentIn, EquipmentOut, EquipmentPatch

EQUIPMENT_IN = EquipmentIn()
EQUIPMENT_PATCH = EquipmentPatch()


def prepare(ctx: Context, mutations: list[dict[str, Any]]) -> None:
    """The equipment the batch changes, read once for the whole push: the rows the push
    locked first (sync/push.lock_batch) are taken as they were read."""
    locked = ctx.locked.get(Equipment, {})
    ids = [
        m["id"]
        for m in mutations
        if m["entity"] == "equipment" and m["op"] != "create" and m["id"] not in locked
    ]
    ctx.equipment = dict(locked)
    if ids:
        ctx.equipment.update((e.id, e) for e in Equipment.select().where(Equipment.id.in_(ids)))


def create_equipment(m: Mutation, *, ctx: Context) -> dict[str, Any]:
    user = ctx.user
    permissions.require(user, "equipment", "create")
    if Equipment.select().where(Equipment.id == m["id"]).exists():
        raise ApiError(409, "exists", _("A record with this id already exists."))
    data = _load(EQUIPMENT_IN, m["changes"])
    record = inventory_ops.create_equipment(
        actor=user,
        data={
            **data,
            "id": m["id"],
            "field_meta": {n: {"v": 1, "by": ctx.author} for n in m["changes"]},
        },
        allowed_sites=ctx.sites,
    )
    ctx.equipment[record.id] = record
    return _applied(record)


def _live_equipment(m: Mutation, ctx: Context) -> Equipment:
    record = scope.require_in(ctx.equipment.get(m["id"]), ctx.site_ids)
    if record.deleted_at is not None:
        raise ApiError(410, "gone", _("This equipment was removed in the office."))
    return record


def update_equipment(m: Mutation, *, ctx: Context) -> dict[str, Any]:
    user = ctx.user
    permissions.require(user, "equipment", "update")
    record = _live_equipment(m, ctx)
    changes = _load(EQUIPMENT_PATCH, m["changes"])
    held = inventory_ops.update_equipment(
        record,
        actor=user,
        changes=changes,
        allowed_sites=ctx.sites,
        author=ctx.author,
        base_version=m["base_version"],
        mutation_id=m["mutation_id"],
    )
    if not held:
        return _applied(record)
    notes = inventory_ops.hold_conflicts(
        record, held, actor=user, base_version=m["base_version"], mutation_id=m["mutation_id"]
    )
    return {**_applied(record), "status": "conflict", "conflicts": notes}


def delete_equipment(m: Mutation, *, ctx: Context) -> dict[str, Any]:
    permissions.require(ctx.user, "equipment", "delete")
    record = _live_equipment(m, ctx)
    inventory_ops.delete_equipment(record, actor=ctx.user)
    return _applied(record)


HANDLERS: dict[tuple[str, str], Handler] = {
    ("equipment", "create"): create_equipment,
    ("equipment", "update"): update_equipment,
    ("equipment", "delete"): delete_equipment,
}
FEEDS = [Feed("equipment", Equipment, EquipmentOut().dump, Equipment.site, self_contained=True)]
