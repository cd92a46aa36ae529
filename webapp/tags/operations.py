"""Rules for QR tags: one active tag per device or location, revoked and reissued, never deleted.

Every write goes through `records`, so tags reach the phones in the pull (entity "tag") and the
app can tell a revoked tag while offline.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from peewee import fn

from ..errors import ApiError
from ..models import Equipment, Location, Site, Tag, User, utcnow
from ..records import batched_writes, create_record, move_record, update_record
from .signing import make_token

ACTIVE = "active"
REVOKED = "revoked"
TARGETS: dict[str, Any] = {"equipment": Equipment, "location": Location}

Target = Equipment | Location


def kind_of(target: Target) -> str:
    if isinstance(target, Equipment):
        return "equipment"
    if isinstance(target, Location):
        return "location"
    raise TypeError(f"tags go on equipment or locations, not {type(target).__name__}")


def target_of(tag: Tag) -> Target | None:
    """The live device or location a tag is on (None once it has been removed)."""
    model = TARGETS.get(tag.target_entity)
    if model is None:
        return None
    return model.live().where(model.id == tag.target_id).first()


def active_tag(target: Target) -> Tag | None:
    return (
        Tag.live()
        .where((Tag.target_id == target.id) & (Tag.status == ACTIVE))
        .order_by(Tag.serial.desc())
        .first()
    )


def _next_serials(target_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    last: dict[uuid.UUID, int] = {}
    for start in range(0, len(target_ids), 500):
        rows = (
            Tag.select(Tag.target_id, fn.MAX(Tag.serial))
            .where(Tag.target_id.in_(target_ids[start : start + 500]))
            .group_by(Tag.target_id)
            .tuples()
        )
        last.update((_as_uuid(target_id), serial) for target_id, serial in rows)
    return {t: last.get(t, 0) + 1 for t in target_ids}


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _create(actor: User | None, target: Target, serial: int) -> Tag:
    kind = kind_of(target)
    tag_id = uuid.uuid4()
    return create_record(
        Tag,
        actor=actor,
        id=tag_id,
        target_entity=kind,
        target_id=target.id,
        site=target.site_id,
        serial=serial,
        token=make_token(tag_id, kind),
        status=ACTIVE,
    )


def issue_tag(*, actor: User | None, target: Target) -> Tag:
    """A new tag for a device or location that has no active one."""
    kind_of(target)
    if target.deleted_at is not None:
        raise ApiError(409, "target_removed", _("This has been removed; it cannot get a tag."))
    if active_tag(target) is not None:
        raise ApiError(
            409, "tag_exists", _("This already has an active tag. Reissue it to replace it.")
        )
    return _create(actor, target, _next_serials([target.id])[target.id])


def revoke_tag(*, actor: User | None, tag: Tag) -> Tag:
    """Stop a tag from working. Revoking a revoked tag changes nothing."""
    if tag.status == REVOKED:
        return tag
    return update_record(
        tag,
        actor=actor,
        changes={"status": REVOKED, "revoked_at": utcnow(), "revoked_by": actor},
    )


def reissue_tag(*, actor: User | None, tag: Tag) -> Tag:
    """Revoke a tag and issue the next one for the same device or location."""
    target = target_of(tag)
    if target is None:
        raise ApiError(
            409, "target_removed", _("The device or location of this tag has been removed.")
        )
    revoke_tag(actor=actor, tag=tag)
    current = active_tag(target)  # an older duplicate would keep the new one from being issued
    while current is not None:
        revoke_tag(actor=actor, tag=current)
        current = active_tag(target)
    return issue_tag(actor=actor, target=target)


def site_targets(site: Site) -> list[Target]:
    """The site's locations then its equipment, in the order labels are printed."""
    locations = list(Location.live().where(Location.site == site).order_by(Location.name))
    equipment = list(
        Equipment.live()
        .where(Equipment.site == site)
        .order_by(Equipment.location, Equipment.code, Equipment.name)
    )
    return [*locations, *equipment]


def on_site_targets(site: Site):
    """A condition on tags: on a live device or location of the site (wherever the tag row
    thinks it is)."""
    equipment = Equipment.live().select(Equipment.id).where(Equipment.site == site)
    locations = Location.live().select(Location.id).where(Location.site == site)
    return Tag.target_id.in_(equipment) | Tag.target_id.in_(locations)


def ensure_tags(*, actor: User | None, site: Site) -> list[Tag]:
    """Issue a tag for every device and location of the site that has no active one."""
    tagged = {
        _as_uuid(t)
        for (t,) in Tag.live()
        .select(Tag.target_id)
        .where((Tag.status == ACTIVE) & on_site_targets(site))
        .tuples()
    }
    missing = [t for t in site_targets(site) if t.id not in tagged]
    serials = _next_serials([t.id for t in missing])
    with batched_writes():
        return [_create(actor, target, serials[target.id]) for target in missing]


def reissue_site(*, actor: User | None, site: Site) -> list[Tag]:
    """Revoke every active tag of the site's devices and locations and issue new ones: after
    the signing key was replaced, or a sheet of labels was lost."""
    for tag in list(Tag.live().where((Tag.status == ACTIVE) & on_site_targets(site))):
        revoke_tag(actor=actor, tag=tag)
    return ensure_tags(actor=actor, site=site)


def follow_target(*, actor: User | None, target: Target) -> None:
    """Keep a target's tags in step with it: removed -> revoked; moved -> synced to the new
    site's devices. For the equipment and location operations to call after such a change."""
    tags = list(Tag.live().where(Tag.target_id == target.id))
    for tag in tags:
        if target.deleted_at is not None:
            revoke_tag(actor=actor, tag=tag)
        elif tag.site_id != target.site_id:
            move_record(tag, actor=actor, site=target.site_id)
