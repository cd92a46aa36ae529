"""Rules for the equipment register."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from peewee import JOIN

from ..attachments import operations as attachment_ops
from ..auth import permissions
from ..errors import validation_error
from ..models import Equipment, Location, RecordHistory, Site, SyncConflict, User
from ..records import (
    author_of,
    create_record,
    delete_record,
    lock,
    merge_changes,
    move_record,
    note_departure,
    plain,
)
from ..tags import operations as tag_ops


def _resolve_place(site_id, location_id, *, allowed_sites) -> tuple[Site, Location | None]:
    """The site and location must exist, be in the actor's scope and belong together."""
    site = allowed_sites.where(Site.id == site_id).first()
    if site is None:
        raise validation_error({"site_id": [_("No such site.")]})
    if location_id is None:
        return site, None
    location = Location.live().where(Location.id == location_id).first()
    if location is None:
        raise validation_error({"location_id": [_("No such location.")]})
    if location.site_id != site.id:
        raise validation_error({"location_id": [_("This location is not at that site.")]})
    return site, location


def create_equipment(*, actor: User, data: dict[str, Any], allowed_sites) -> Equipment:
    permissions.require(actor, "equipment", "create")
    data = dict(data)
    data["site"], data["location"] = _resolve_place(
        data.pop("site_id"), data.pop("location_id", None), allowed_sites=allowed_sites
    )
    return create_record(Equipment, actor=actor, **data)


# Fields where a wrong value matters: a concurrent different change becomes a conflict.
MUST_REVIEW = frozenset({"serial_number", "model", "site", "location"})
PLACE = frozenset({"site", "location"})


def update_equipment(
    item: Equipment,
    *,
    actor: User,
    changes: dict[str, Any],
    allowed_sites,
    author: str | None = None,
    base_version: int | None = None,
    mutation_id=None,
) -> list[tuple[str, Any, Any]]:
    """Apply an edit; with a `base_version` (made offline) merge per field. Return the fields
    held back as conflicts: (field, kept server value, proposed value). Decided on the row
    locked until commit, as it is now (an office page may have read it a while ago)."""
    permissions.require(actor, "equipment", "update")
    lock(item)
    changes = dict(changes)
    if "site_id" in changes or "location_id" in changes:
        moves_site = changes.get("site_id", item.site_id) != item.site_id
        site_id = changes.pop("site_id", item.site_id)
        if "location_id" in changes:
            location_id = changes.pop("location_id")
        else:  # moving to another site leaves the old site's room behind
            location_id = None if moves_site else item.location_id
        changes["site"], changes["location"] = _resolve_place(
            site_id, location_id, allowed_sites=allowed_sites
        )
    site_before = item.site_id
    held = merge_changes(
        item,
        actor=actor,
        changes=changes,
        author=author or author_of(actor),
        base_version=base_version,
        must_review=MUST_REVIEW,
        together=(PLACE,),
        mutation_id=mutation_id,
    )
    if item.site_id != site_before:
        # The old site's devices drop it; its tags, files and conflicts go where it went.
        note_departure(item, from_site=site_before)
        tag_ops.follow_target(actor=actor, target=item)
        attachment_ops.follow_owner(actor=actor, owner=item)
        _conflicts_follow(item, actor=actor)
    return held


def _conflicts_follow(item: Equipment, *, actor: User) -> None:
    """A moved device's conflicts are decided by the people of the site it went to."""
    for conflict in SyncConflict.live().where(
        (SyncConflict.entity == "equipment")
        & (SyncConflict.entity_id == str(item.id))
        & (SyncConflict.site != item.site_id)
    ):
        move_record(conflict, actor=actor, site=item.site_id)


def hold_conflicts(
    item: Equipment,
    held: list[tuple[str, Any, Any]],
    *,
    actor: User,
    base_version: int | None,
    mutation_id=None,
) -> list[dict[str, Any]]:
    """Keep each field `update_equipment` held back as an open conflict on the device, for
    someone to decide; returns what the device that proposed it is told of each."""
    notes = []
    for field, kept, yours in held:
        name = f"{field}_id" if field in PLACE else field
        conflict = create_record(
            SyncConflict,
            actor=actor,
            entity="equipment",
            entity_id=str(item.id),
            site=item.site_id,
            field=name,
            base_version=base_version,
            server_value=plain(kept),
            client_value=plain(yours),
            mutation_id=mutation_id,
            raised_by=actor,
        )
        notes.append(
            {"id": str(conflict.id), "field": name, "kept": plain(kept), "yours": plain(yours)}
        )
    return notes


def delete_equipment(item: Equipment, *, actor: User) -> Equipment:
    permissions.require(actor, "equipment", "delete")
    delete_record(item, actor=actor)
    tag_ops.follow_target(actor=actor, target=item)  # a removed device's tags are revoked
    return item


def search_equipment(query, *, site_id=None, location_id=None, system=None, status=None, q=None):
    """Filter a query of equipment; `q` matches name, code, brand, model or serial number."""
    if site_id:
        query = query.where(Equipment.site == site_id)
    if location_id:
        query = query.where(Equipment.location == location_id)
    if system:
        query = query.where(Equipment.system == system)
    if status:
        query = query.where(Equipment.status == status)
    if q and q.strip():
        text = q.strip()  # `contains` escapes % and _: the user's text matches literally
        query = query.where(
            Equipment.name.contains(text)
            | Equipment.code.contains(text)
            | Equipment.brand.contains(text)
            | Equipment.model.contains(text)
            | Equipment.serial_number.contains(text)
        )
    return query


def history_of(item: Equipment, *, limit: int = 200):
    """The device's field history, newest first, with who made each change."""
    return (
        RecordHistory.select(RecordHistory, User)
        .join(User, JOIN.LEFT_OUTER, on=(RecordHistory.actor == User.id))
        .where((RecordHistory.entity == "equipment") & (RecordHistory.entity_id == str(item.id)))
        .order_by(RecordHistory.id.desc())
        .limit(limit)
    )
