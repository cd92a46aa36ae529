"""Conflicts are resolved by a person: keep the server's value or take the device's."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import ValidationError

from ..auth import scope
from ..errors import ApiError, not_found
from ..inventory import operations as inventory_ops
from ..inventory.schemas import EquipmentPatch
from ..models import Equipment, Site, SyncConflict, User, utcnow
from ..records import update_record


def conflicts_in_scope(user: User):
    return SyncConflict.live().where(
        SyncConflict.site.in_(scope.visible_sites(user).select(Site.id))
    )


def get_conflict(user: User, conflict_id) -> SyncConflict:
    conflict = (
        conflicts_in_scope(user).where(SyncConflict.id == scope.parse_id(conflict_id)).first()
    )
    if conflict is None:
        raise not_found()
    return conflict


def resolve_conflict(conflict: SyncConflict, *, actor: User, choice: str) -> SyncConflict:
    if actor.role == "client":
        raise ApiError(403, "forbidden", _("Only engineers and the office resolve conflicts."))
    if conflict.status != "open":
        raise ApiError(409, "resolved", _("Someone has already resolved this conflict."))
    if choice == "client":
        record = Equipment.live().where(Equipment.id == conflict.entity_id).first()
        if record is None:
            raise ApiError(410, "gone", _("This equipment was removed in the office."))
        try:
            changes = EquipmentPatch().load({conflict.field: conflict.client_value})
        except ValidationError:
            raise ApiError(
                422, "invalid", _("The proposed value is no longer valid; keep the server's.")
            ) from None
        inventory_ops.update_equipment(
            record, actor=actor, changes=changes, allowed_sites=scope.visible_sites(actor)
        )
    update_record(
        conflict,
        actor=actor,
        changes={
            "status": "resolved",
            "resolution": choice,
            "resolved_by": actor,
            "resolved_at": utcnow(),
        },
    )
    return conflict
