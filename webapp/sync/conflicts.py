"""Conflicts are resolved by a person: keep the server's value or take the device's."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from ..auth import scope
from ..errors import ApiError, not_found
from ..inventory import operations as inventory_ops
from ..inventory.schemas import EquipmentPatch
from ..models import Equipment, Location, Site, SyncConflict, User, utcnow
from ..records import update_record

FIELD_LABELS = {
    "serial_number": _l("Serial number"),
    "model": _l("Model"),
    "site_id": _l("Site"),
    "location_id": _l("Location"),
}


def readable_values(conflicts) -> dict[str, str]:
    """Names for the ids a conflict holds (a site, a location), so that a person sees both
    values as words before choosing."""
    ids = {
        str(v)
        for c in conflicts
        if c.field in ("site_id", "location_id")
        for v in (c.server_value, c.client_value)
        if v
    }
    if not ids:
        return {}
    names = {str(s.id): s.name for s in Site.select(Site.id, Site.name).where(Site.id.in_(ids))}
    names.update(
        {
            str(loc.id): loc.name
            for loc in Location.select(Location.id, Location.name).where(Location.id.in_(ids))
        }
    )
    return names


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
