"""Which sites a user may see (DESIGN §4): the one owner of scope, for lists, pulls, sync
mutations and every single-record load.

An engineer sees the sites they are assigned to; a client user sees their own organisation's
sites; office roles (dispatcher, admin) see everything. Out-of-scope records answer 404, the same
as records that do not exist. What a role may *do* is the other half: `auth/permissions.py`.
"""

from __future__ import annotations

import uuid

from ..errors import not_found
from ..models import Assignment, Client, Equipment, Fault, Location, Site, User
from ..models.choices import OFFICE_ROLES


def visible_sites(user: User):
    """Live sites the user may see, as a query."""
    sites = Site.live()
    if user.role in OFFICE_ROLES:
        return sites
    if user.role == "engineer":
        assigned = Assignment.live().select(Assignment.site).where(Assignment.engineer == user)
        return sites.where(Site.id.in_(assigned))
    if user.role == "client" and user.client_id:
        return sites.where(Site.client == user.client_id)
    return sites.where(False)


def site_ids(user: User) -> set[uuid.UUID]:
    """The ids of `visible_sites`, read once (a push checks many records against them)."""
    return {s.id for s in visible_sites(user).select(Site.id)}


ALL = "*"


def held_sites(user: User) -> str | set[str]:
    """The site ids the user's device should hold, as the pull's cursor writes them: "*" when
    the user sees every site (new sites included), else the ids as strings."""
    if user.role in OFFICE_ROLES:
        return ALL
    return {str(site_id) for site_id in site_ids(user)}


def require_in(record, site_ids: set, *, site=None):
    """The record if it belongs to one of `site_ids`; a missing record and one out of scope
    answer alike (404). `site` is the record's site id when it is not `record.site_id`."""
    if record is None or (site if site is not None else record.site_id) not in site_ids:
        raise not_found()
    return record


# A fault reaches the engineer it is assigned to wherever its site is (an engineer sent to
# another site's fault): its page, its steps, and on their phone the fault and its steps.


def reaches_fault(user: User, fault: Fault, site_ids: set) -> bool:
    """Whether the user may see and act on this fault: at a site in scope, or assigned to them."""
    return fault.site_id in site_ids or (
        fault.assignee_id is not None and fault.assignee_id == user.id
    )


def assigned_faults(user_id):
    """The ids of the faults assigned to a user, as a subquery (the pull's reader condition)."""
    return Fault.select(Fault.id).where(Fault.assignee == user_id)


def visible_clients(user: User):
    clients = Client.live()
    if user.role in OFFICE_ROLES:
        return clients
    site_clients = visible_sites(user).select(Site.client)
    return clients.where(Client.id.in_(site_clients))


def parse_id(value) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise not_found() from None


def get_site(user: User, site_id) -> Site:
    site = visible_sites(user).where(Site.id == parse_id(site_id)).first()
    if site is None:
        raise not_found()
    return site


def get_client(user: User, client_id) -> Client:
    client = visible_clients(user).where(Client.id == parse_id(client_id)).first()
    if client is None:
        raise not_found()
    return client


def get_location(user: User, location_id) -> Location:
    location = (
        Location.live()
        .where(
            (Location.id == parse_id(location_id))
            & Location.site.in_(visible_sites(user).select(Site.id))
        )
        .first()
    )
    if location is None:
        raise not_found()
    return location


def get_equipment(user: User, equipment_id) -> Equipment:
    item = (
        Equipment.live()
        .where(
            (Equipment.id == parse_id(equipment_id))
            & Equipment.site.in_(visible_sites(user).select(Site.id))
        )
        .first()
    )
    if item is None:
        raise not_found()
    return item
