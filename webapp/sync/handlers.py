"""How each kind of mutation is applied. A handler returns the result fields of an applied or
conflicting mutation, or raises ApiError, which the push turns into a rejection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError

from ..auth import scope
from ..checkins.sync import HANDLERS as CHECKIN_HANDLERS
from ..errors import ApiError, forbidden, not_found, validation_error
from ..inventory import operations as inventory_ops
from ..inventory.schemas import EquipmentIn, EquipmentPatch
from ..models import Attachment, Equipment, Fault, Site, SyncConflict, User
from ..models.choices import OFFICE_ROLES
from ..records import create_record, plain
from ..rounds import operations as round_ops
from ..rounds.handlers import HANDLERS as ROUND_HANDLERS
from ..validation import translate_messages
from .schemas import ATTACHMENT_KINDS, ATTACHMENT_TYPES, AttachmentMeta


class Mutation(dict):
    """One loaded mutation: mutation_id, client_seq, entity, id, op, base_version, changes."""


class Context:
    """What every mutation of one push shares: who sends it, from which device, what they may
    see, and the equipment the batch touches, read once for the whole batch."""

    def __init__(self, user: User, author: str, mutations: list[dict[str, Any]]) -> None:
        self.user = user
        self.author = author
        self.sites = scope.visible_sites(user)
        self.site_ids = {s.id for s in self.sites.select(Site.id)}
        ids = [m["id"] for m in mutations if m["entity"] == "equipment" and m["op"] != "create"]
        self.equipment = (
            {e.id: e for e in Equipment.select().where(Equipment.id.in_(ids))} if ids else {}
        )
        self.memo: dict = {}  # what handlers read once per push (a round's checklist items)


Handler = Callable[..., dict[str, Any]]
EQUIPMENT_IN = EquipmentIn()
EQUIPMENT_PATCH = EquipmentPatch()
ATTACHMENT_META = AttachmentMeta()


def _load(schema, data: dict) -> dict:
    try:
        return schema.load(data)
    except ValidationError as err:
        raise validation_error(translate_messages(err.normalized_messages())) from None


def _applied(record) -> dict[str, Any]:
    return {"status": "applied", "version": record.version, "server_seq": record.server_seq}


# Handlers validate everything before they write anything: a rejection leaves no trace.


def create_equipment(m: Mutation, *, ctx: Context) -> dict[str, Any]:
    user = ctx.user
    if user.role not in ("engineer", *OFFICE_ROLES):
        raise forbidden()
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
    record = ctx.equipment.get(m["id"])
    if record is None or record.site_id not in ctx.site_ids:
        raise not_found()  # unknown and out of scope answer alike
    if record.deleted_at is not None:
        raise ApiError(410, "gone", _("This equipment was removed in the office."))
    return record


def update_equipment(m: Mutation, *, ctx: Context) -> dict[str, Any]:
    user = ctx.user
    if user.role not in ("engineer", *OFFICE_ROLES):
        raise forbidden()
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
    notes = []
    for field, kept, yours in held:
        name = f"{field}_id" if field in ("site", "location") else field
        conflict = create_record(
            SyncConflict,
            actor=user,
            entity="equipment",
            entity_id=str(record.id),
            site=record.site_id,
            field=name,
            base_version=m["base_version"],
            server_value=plain(kept),
            client_value=plain(yours),
            mutation_id=m["mutation_id"],
            raised_by=user,
        )
        notes.append(
            {"id": str(conflict.id), "field": name, "kept": plain(kept), "yours": plain(yours)}
        )
    return {**_applied(record), "status": "conflict", "conflicts": notes}


def delete_equipment(m: Mutation, *, ctx: Context) -> dict[str, Any]:
    if ctx.user.role not in OFFICE_ROLES:
        raise ApiError(403, "forbidden", _("Only the office can remove equipment."))
    record = _live_equipment(m, ctx)
    inventory_ops.delete_equipment(record, actor=ctx.user)
    return _applied(record)


def create_attachment(m: Mutation, *, ctx: Context) -> dict[str, Any]:
    user = ctx.user
    meta = _load(ATTACHMENT_META, m["changes"])
    if Attachment.select().where(Attachment.id == m["id"]).exists():
        raise ApiError(409, "exists", _("A record with this id already exists."))
    if meta["mime"] not in ATTACHMENT_TYPES[meta["kind"]]:
        raise validation_error({"mime": [_("This type of file is not accepted here.")]})
    limit = ATTACHMENT_KINDS[meta["kind"]]
    if meta["size"] > limit:
        raise validation_error(
            {"size": [_("The file is larger than %(mb)d MB.", mb=limit // 2**20)]}
        )
    if user.role == "client":
        raise forbidden()
    site_id = _owner_site(meta["owner_entity"], meta["owner_id"], ctx)
    record = create_record(
        Attachment,
        actor=user,
        id=m["id"],
        owner_entity=meta["owner_entity"],
        owner_id=str(meta["owner_id"]),
        site=site_id,
        kind=meta["kind"],
        filename=meta["filename"],
        mime=meta["mime"],
        size=meta["size"],
        sha256=meta["sha256"],
        uploaded_by=user,
    )
    return _applied(record)


def _owner_site(entity: str, owner_id, ctx: Context):
    """The site of the record a file belongs to; a signed round takes no new files."""
    if entity == "equipment":
        return scope.get_equipment(ctx.user, owner_id).site_id
    if entity == "round":
        record = round_ops.round_in_scope(owner_id, ctx.site_ids)
        if record.status == "sealed":
            raise ApiError(409, "sealed", _("This round was signed and takes no new files."))
        return record.site_id
    fault = Fault.get_or_none(Fault.id == owner_id)
    if fault is None or fault.site_id not in ctx.site_ids:
        raise not_found()
    return fault.site_id


HANDLERS: dict[tuple[str, str], Handler] = {
    ("equipment", "create"): create_equipment,
    ("equipment", "update"): update_equipment,
    ("equipment", "delete"): delete_equipment,
    ("attachment", "create"): create_attachment,
    **ROUND_HANDLERS,
    **CHECKIN_HANDLERS,
}


def handler_for(entity: str, op: str) -> Handler:
    handler = HANDLERS.get((entity, op))
    if handler is None:
        raise ApiError(
            422,
            "unsupported",
            _("This kind of change cannot be sent: %(what)s.", what=f"{entity}/{op}"),
        )
    return handler
