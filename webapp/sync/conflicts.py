"""Conflicts are resolved by a person: keep the server's value or take the device's.

A conflict has two sides. `server` is the value the server kept, written earlier by someone else
(an office user, another engineer, the same engineer on another phone); `client` is the value
the device that raised the conflict proposed. The choice a person sends names a side, never
"mine": who "mine" is depends on who looks (the engineer who raised it, or the one whose value
the server kept), so every answer names who wrote each side and when, and the app works out
which side is the viewer's own (static/js/conflicts.js). A choice may carry the value the person
saw; when it is not that side's value the choice is refused instead of writing the other one.

Resolved conflicts stay: the value that was not used remains visible, on the phone's timeline
and in the office's list of conflicts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from ..auth import permissions, scope
from ..errors import ApiError, not_found
from ..inventory import operations as inventory_ops
from ..inventory.schemas import EquipmentPatch
from ..models import (
    Equipment,
    Location,
    RecordHistory,
    Site,
    SyncConflict,
    SyncMutation,
    User,
    utcnow,
)
from ..records import update_record

FIELD_LABELS = {
    "serial_number": _l("Serial number"),
    "model": _l("Model"),
    "site_id": _l("Site"),
    "location_id": _l("Location"),
}
STATUSES = ("open", "resolved", "all")
# A conflict names a place by its id column; the history names the model field.
_HISTORY_FIELD = {"site_id": "site", "location_id": "location"}


@dataclass(frozen=True)
class Side:
    """One value of a conflict, who wrote it and when (naive UTC, as stored)."""

    value: Any
    by_id: str | None
    by_name: str
    at: datetime | None


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


def _device_time(text: str | None) -> datetime | None:
    """A mutation's device time ("2026-11-20T23:30:00.000Z") as naive UTC, or None."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # a device time without its offset says nothing certain
    return moment.astimezone(UTC).replace(tzinfo=None)


def _writer(rows: list[RecordHistory], conflict: SyncConflict) -> RecordHistory | None:
    """The change that put the kept value on the server: the latest change of the field, made
    before the conflict was raised, that wrote that value (after the device's base version,
    when there is one)."""
    before = [
        r for r in rows if r.at <= conflict.created_at and r.new_value == conflict.server_value
    ]
    after_base = [r for r in before if r.version > conflict.base_version]
    found = after_base or before
    return found[-1] if found else None


def annotate(conflicts: list[SyncConflict]) -> list[SyncConflict]:
    """Attach to each conflict who wrote each side and when (`server_side`, `client_side`) and
    who resolved it (`resolver`), in three queries whatever the number of conflicts."""
    if not conflicts:
        return conflicts
    history: dict[tuple[str, str], list[RecordHistory]] = defaultdict(list)
    rows = (
        RecordHistory.select(
            RecordHistory.entity_id,
            RecordHistory.field,
            RecordHistory.version,
            RecordHistory.new_value,
            RecordHistory.actor,
            RecordHistory.at,
        )
        .where(
            (RecordHistory.entity == "equipment")
            & RecordHistory.entity_id.in_({c.entity_id for c in conflicts})
            & RecordHistory.field.in_({_HISTORY_FIELD.get(c.field, c.field) for c in conflicts})
        )
        .order_by(RecordHistory.id)
    )
    for row in rows:
        history[(row.entity_id, row.field)].append(row)
    mutation_ids = [c.mutation_id for c in conflicts if c.mutation_id]
    device_times = (
        {
            m.mutation_id: m.client_time
            for m in SyncMutation.select(SyncMutation.mutation_id, SyncMutation.client_time).where(
                SyncMutation.mutation_id.in_(mutation_ids)
            )
        }
        if mutation_ids
        else {}
    )
    writers = {
        c.id: _writer(history[(c.entity_id, _HISTORY_FIELD.get(c.field, c.field))], c)
        for c in conflicts
    }
    user_ids = {c.raised_by_id for c in conflicts} | {c.resolved_by_id for c in conflicts}
    user_ids |= {w.actor_id for w in writers.values() if w is not None}
    user_ids.discard(None)
    users = {u.id: u for u in User.select().where(User.id.in_(user_ids))} if user_ids else {}

    def side(value, user_id, at) -> Side:
        user = users.get(user_id)
        return Side(value, str(user.id) if user else None, user.name if user else "", at)

    for c in conflicts:
        writer = writers[c.id]
        c.server_side = side(
            c.server_value,
            writer.actor_id if writer else None,
            writer.at if writer else None,
        )
        c.client_side = side(
            c.client_value,
            c.raised_by_id,
            _device_time(device_times.get(c.mutation_id)) or c.created_at,
        )
        c.resolver = users.get(c.resolved_by_id)
    return conflicts


def sides_of(conflict: SyncConflict) -> SyncConflict:
    """The conflict with its sides known (annotated alone when it was not in a batch)."""
    if not hasattr(conflict, "server_side"):
        annotate([conflict])
    return conflict


def conflicts_in_scope(user: User):
    return SyncConflict.live().where(
        SyncConflict.site.in_(scope.visible_sites(user).select(Site.id))
    )


def list_conflicts(user: User, *, status: str = "open", limit: int = 500) -> list[SyncConflict]:
    """Conflicts in the user's scope, newest first: open, resolved or all, with their sides."""
    query = conflicts_in_scope(user)
    if status in ("open", "resolved"):
        query = query.where(SyncConflict.status == status)
    return annotate(list(query.order_by(SyncConflict.created_at.desc()).limit(limit)))


def get_conflict(user: User, conflict_id) -> SyncConflict:
    conflict = (
        conflicts_in_scope(user).where(SyncConflict.id == scope.parse_id(conflict_id)).first()
    )
    if conflict is None:
        raise not_found()
    return conflict


_NOT_GIVEN = object()


def resolve_conflict(
    conflict: SyncConflict, *, actor: User, choice: str, seen: Any = _NOT_GIVEN
) -> SyncConflict:
    """Keep the server's value (`choice="server"`) or write the device's (`"client"`). `seen`,
    when given, is the value the person chose on screen: it must be that side's value."""
    permissions.require(actor, "conflict", "resolve")
    if conflict.status != "open":
        raise ApiError(409, "resolved", _("Someone has already resolved this conflict."))
    chosen = conflict.client_value if choice == "client" else conflict.server_value
    if seen is not _NOT_GIVEN and seen != chosen:
        raise ApiError(
            409,
            "other_value",
            _("The value you chose is not the one this choice keeps. Nothing was changed."),
        )
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
    for name in ("server_side", "client_side", "resolver"):  # the resolver changed
        conflict.__dict__.pop(name, None)
    return conflict
