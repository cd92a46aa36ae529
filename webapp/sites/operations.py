"""Rules for clients, sites, locations and who is stationed where."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from peewee import IntegrityError

from ..auth import permissions
from ..errors import ApiError, validation_error
from ..extensions import db
from ..faults import operations as fault_ops
from ..models import Assignment, Client, Equipment, Location, Site, SiteDay, User
from ..records import (
    audit,
    create_record,
    delete_record,
    note_departure,
    restore_record,
    update_record,
)
from ..tags import operations as tag_ops


def _live_client(client_id) -> Client:
    client = Client.live().where(Client.id == client_id).first()
    if client is None:
        raise validation_error({"client_id": [_("No such client.")]})
    return client


def _live_site(site_id, field: str = "site_id") -> Site:
    site = Site.live().where(Site.id == site_id).first()
    if site is None:
        raise validation_error({field: [_("No such site.")]})
    return site


def _still_used(message: str) -> ApiError:
    return ApiError(409, "in_use", message)


def create_client(*, actor: User, data: dict[str, Any]) -> Client:
    return create_record(Client, actor=actor, **data)


def update_client(client: Client, *, actor: User, changes: dict[str, Any]) -> Client:
    return update_record(client, actor=actor, changes=changes)


def delete_client(client: Client, *, actor: User) -> Client:
    if Site.live().where(Site.client == client).exists():
        raise _still_used(_("This client still has sites. Remove them first."))
    if User.select().where((User.client == client) & User.active).exists():
        raise _still_used(_("This client still has active user accounts. Disable them first."))
    return delete_record(client, actor=actor)


def create_site(*, actor: User, data: dict[str, Any]) -> Site:
    data = dict(data)
    data["client"] = _live_client(data.pop("client_id"))
    return create_record(Site, actor=actor, **data)


def update_site(site: Site, *, actor: User, changes: dict[str, Any]) -> Site:
    changes = dict(changes)
    if "client_id" in changes:
        changes["client"] = _live_client(changes.pop("client_id"))
    return update_record(site, actor=actor, changes=changes)


def delete_site(site: Site, *, actor: User) -> Site:
    if Equipment.live().where(Equipment.site == site).exists():
        raise _still_used(_("This site still has equipment. Move or remove it first."))
    for location in Location.live().where(Location.site == site):
        delete_record(location, actor=actor)
    for assignment in Assignment.live().where(Assignment.site == site):
        delete_record(assignment, actor=actor)
    return delete_record(site, actor=actor)


def create_location(*, actor: User, data: dict[str, Any]) -> Location:
    data = dict(data)
    data["site"] = _live_site(data.pop("site_id"))
    return create_record(Location, actor=actor, **data)


def update_location(location: Location, *, actor: User, changes: dict[str, Any]) -> Location:
    changes = dict(changes)
    if "site_id" in changes:
        site = _live_site(changes.pop("site_id"))
        if (
            site.id != location.site_id
            and location.equipment.where(Equipment.deleted_at.is_null()).exists()
        ):
            raise _still_used(_("Equipment is recorded in this location; it cannot change site."))
        changes["site"] = site
    site_before = location.site_id
    update_record(location, actor=actor, changes=changes)
    if location.site_id != site_before:  # the old site's devices drop it; its tags follow it
        note_departure(location, from_site=site_before)
        tag_ops.follow_target(actor=actor, target=location)
    return location


def delete_location(location: Location, *, actor: User) -> Location:
    if Equipment.live().where(Equipment.location == location).exists():
        raise _still_used(_("Equipment is recorded in this location. Move it first."))
    delete_record(location, actor=actor)
    tag_ops.follow_target(actor=actor, target=location)  # its tags are revoked
    return location


def assign_engineer(*, actor: User, engineer_id, site_id) -> Assignment:
    """Station an engineer at a site; assigning again after an unassignment revives the row."""
    engineer = User.get_or_none((User.id == engineer_id) & (User.role == "engineer"))
    if engineer is None or not engineer.active:
        raise validation_error({"engineer_id": [_("No such engineer.")]})
    site = _live_site(site_id)
    query = Assignment.select().where((Assignment.engineer == engineer) & (Assignment.site == site))
    if db.for_update:
        query = query.for_update()  # a twin request reviving the same row waits, then sees it
    existing = query.first()
    if existing is None:
        try:
            with db.atomic():  # a savepoint: losing the race to a twin leaves this one usable
                return create_record(Assignment, actor=actor, engineer=engineer, site=site)
        except IntegrityError:  # the unique (engineer, site) index: the twin committed first
            raise _already_stationed(engineer, site) from None
    if existing.deleted_at is None:
        raise _already_stationed(engineer, site)
    return restore_record(existing, actor=actor)


def _already_stationed(engineer: User, site: Site) -> ApiError:
    return ApiError(
        409,
        "assigned",
        _(
            "%(engineer)s is already stationed at %(site)s.",
            engineer=engineer.display_name or engineer.username,
            site=site.name,
        ),
    )


def unassign_engineer(assignment: Assignment, *, actor: User) -> Assignment:
    return delete_record(assignment, actor=actor)


# A site's own calendar --------------------------------------------------------------------------


def add_site_day(*, actor: User, site: Site, data: dict[str, Any]) -> SiteDay:
    """An extra working day or day off at one site, with its note; one per day and site. The
    attendance sheet reads it at once; the fault clocks of the site that run in working hours
    are worked out again and reach the phones with their new working days."""
    permissions.require(actor, "site", "update")
    if SiteDay.select().where((SiteDay.site == site.id) & (SiteDay.day == data["day"])).exists():
        raise validation_error(
            {"day": [_("This day already has an exception at this site; remove it first.")]}
        )
    try:
        with db.atomic():  # a savepoint: a twin request losing the race leaves this one usable
            record = SiteDay.create(
                site=site.id,
                day=data["day"],
                working=data["kind"] == "working",
                note=data["note"].strip(),
                created_by=actor.id if actor is not None else None,
            )
    except IntegrityError:
        raise validation_error(
            {"day": [_("This day already has an exception at this site; remove it first.")]}
        ) from None
    audit(actor, "create", record, {"site": site.id, **data})
    fault_ops.recalendar(site, actor=actor)
    return record


def remove_site_day(record: SiteDay, *, actor: User) -> None:
    permissions.require(actor, "site", "update")
    site = Site.get_by_id(record.site_id)
    audit(actor, "delete", record, {"site": site.id, "day": record.day})
    record.delete_instance()
    fault_ops.recalendar(site, actor=actor)
