"""What the office manages, described once: fields, list columns, schema and operations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from ..accounts import operations as account_ops
from ..accounts.schemas import UserIn, UserPatch
from ..auth.login import current_session
from ..forms import Field
from ..inventory import operations as inventory_ops
from ..inventory.schemas import EquipmentIn, EquipmentPatch
from ..models import Client, Equipment, Location, Site, User
from ..models.choices import (
    CLIENT_TYPES,
    CLOCK_MODES,
    EQUIPMENT_STATUSES,
    EQUIPMENT_SYSTEMS,
    LANGUAGES,
    LOCATION_KINDS,
    ROLES,
)
from ..sites import operations as site_ops
from ..sites.schemas import ClientIn, ClientPatch, LocationIn, LocationPatch, SiteIn, SitePatch


def options(mapping: dict[str, Any]) -> Callable[[], list[tuple[str, Any]]]:
    return lambda: list(mapping.items())


def client_options() -> list[tuple[str, Any]]:
    return [(str(c.id), c.name) for c in Client.live().order_by(Client.name)]


def site_options() -> list[tuple[str, Any]]:
    return [(str(s.id), s.name) for s in Site.live().order_by(Site.name)]


def location_options() -> list[tuple[str, Any]]:
    rows = Location.live().join(Site).order_by(Site.name, Location.name)
    return [(str(loc.id), f"{loc.site.name} · {loc.name}") for loc in rows]


@dataclass
class Resource:
    key: str
    title: Any
    singular: Any
    model: Any
    fields: list[Field]
    columns: list[tuple[Any, Callable[[Any], Any]]]
    schema_in: Any
    schema_patch: Any
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any] | None
    query: Callable[[], Any]
    detail_endpoint: str | None = None


def _label(mapping):
    return lambda value: mapping.get(value, value)


CLIENTS = Resource(
    key="clients",
    title=_l("Clients"),
    singular=_l("Client"),
    model=Client,
    fields=[
        Field("name", _l("Name"), required=True),
        Field("client_type", _l("Client type"), "select", options(CLIENT_TYPES), required=True),
        Field("contact_name", _l("Contact")),
        Field("contact_phone", _l("Phone")),
        Field("address", _l("Address")),
        Field("response_minutes", _l("Fault response (minutes)"), "number", required=True),
        Field(
            "request_response_minutes",
            _l("Service request response (minutes)"),
            "number",
            required=True,
        ),
        Field("resolution_hours", _l("Resolution (hours)"), "number", required=True),
        Field("clock_mode", _l("Clocks run"), "select", options(CLOCK_MODES), required=True),
        Field(
            "waiting_stops_clock", _l("Waiting for parts or the client stops the clock"), "checkbox"
        ),
        Field("notes", _l("Notes"), "textarea"),
    ],
    columns=[
        (_l("Name"), lambda c: c.name),
        (_l("Client type"), lambda c: CLIENT_TYPES.get(c.client_type, c.client_type)),
        (_l("Contact"), lambda c: c.contact_name),
        (
            _l("Service levels"),
            lambda c: _l("%(r)s min / %(h)s h", r=c.response_minutes, h=c.resolution_hours),
        ),
    ],
    schema_in=ClientIn,
    schema_patch=ClientPatch,
    create=lambda actor, data: site_ops.create_client(actor=actor, data=data),
    update=lambda rec, actor, data: site_ops.update_client(rec, actor=actor, changes=data),
    delete=lambda rec, actor: site_ops.delete_client(rec, actor=actor),
    query=lambda: Client.live().order_by(Client.name),
)

SITES = Resource(
    key="sites",
    title=_l("Sites"),
    singular=_l("Site"),
    model=Site,
    fields=[
        Field("client_id", _l("Client"), "select", client_options, required=True),
        Field("name", _l("Name"), required=True),
        Field("address", _l("Address")),
        Field("contact_name", _l("Contact")),
        Field("contact_phone", _l("Phone")),
        Field(
            "working_hours",
            _l("Working hours"),
            required=True,
            help=_l("Periods such as 08:30-12:00,14:00-17:30"),
        ),
        Field("late_after_minutes", _l("Late after (minutes)"), "number", required=True),
        Field("early_leave_minutes", _l("Early leave before (minutes)"), "number", required=True),
        Field("notes", _l("Notes"), "textarea"),
    ],
    columns=[
        (_l("Name"), lambda s: s.name),
        (_l("Client"), lambda s: s.client.name),
        (_l("Address"), lambda s: s.address),
        (_l("Working hours"), lambda s: s.working_hours),
    ],
    schema_in=SiteIn,
    schema_patch=SitePatch,
    create=lambda actor, data: site_ops.create_site(actor=actor, data=data),
    update=lambda rec, actor, data: site_ops.update_site(rec, actor=actor, changes=data),
    delete=lambda rec, actor: site_ops.delete_site(rec, actor=actor),
    query=lambda: Site.live().join(Client).order_by(Client.name, Site.name),
    detail_endpoint="office.site_detail",
)

LOCATIONS = Resource(
    key="locations",
    title=_l("Locations"),
    singular=_l("Location"),
    model=Location,
    fields=[
        Field("site_id", _l("Site"), "select", site_options, required=True),
        Field("name", _l("Name"), required=True),
        Field("kind", _l("Kind"), "select", options(LOCATION_KINDS), required=True),
        Field("floor", _l("Floor")),
        Field(
            "restricted",
            _l("Restricted room: access log"),
            "checkbox",
            help=_l(
                "A check-in here asks for the purpose, the number of people and who is escorted"
            ),
        ),
        Field("notes", _l("Notes"), "textarea"),
    ],
    columns=[
        (_l("Name"), lambda loc: loc.name),
        (_l("Site"), lambda loc: loc.site.name),
        (_l("Kind"), lambda loc: LOCATION_KINDS.get(loc.kind, loc.kind)),
        (_l("Floor"), lambda loc: loc.floor),
        (_l("Restricted"), lambda loc: _l("Yes") if loc.restricted else ""),
    ],
    schema_in=LocationIn,
    schema_patch=LocationPatch,
    create=lambda actor, data: site_ops.create_location(actor=actor, data=data),
    update=lambda rec, actor, data: site_ops.update_location(rec, actor=actor, changes=data),
    delete=lambda rec, actor: site_ops.delete_location(rec, actor=actor),
    query=lambda: Location.live().join(Site).order_by(Site.name, Location.name),
)

EQUIPMENT = Resource(
    key="equipment",
    title=_l("Equipment"),
    singular=_l("Equipment"),
    model=Equipment,
    fields=[
        Field("site_id", _l("Site"), "select", site_options, required=True),
        Field("location_id", _l("Location"), "select", location_options, nullable=True),
        Field("code", _l("Asset number")),
        Field("name", _l("Name"), required=True),
        Field("system", _l("System"), "select", options(EQUIPMENT_SYSTEMS), required=True),
        Field("brand", _l("Brand")),
        Field("model", _l("Model")),
        Field("serial_number", _l("Serial number")),
        Field("manufacturer", _l("Manufacturer")),
        Field("manufacturer_contact", _l("Manufacturer contact")),
        Field("supplier", _l("Supplier")),
        Field("installed_on", _l("Installed on"), "date", nullable=True),
        Field(
            "service_years",
            _l("Years in use"),
            "number",
            nullable=True,
            help=_l("Only when the installation date is unknown"),
        ),
        Field("warranty_until", _l("Warranty until"), "date", nullable=True),
        Field("interfaces", _l("Interfaces"), "textarea"),
        Field("free_interfaces", _l("Free interfaces"), "textarea"),
        Field("status", _l("Status"), "select", options(EQUIPMENT_STATUSES), required=True),
        Field("fault_points", _l("Common fault points"), "textarea"),
        Field("notes", _l("Notes"), "textarea"),
    ],
    columns=[
        (_l("Asset number"), lambda e: e.code),
        (_l("Name"), lambda e: e.name),
        (_l("System"), lambda e: EQUIPMENT_SYSTEMS.get(e.system, e.system)),
        (_l("Brand"), lambda e: e.brand),
        (_l("Model"), lambda e: e.model),
        (_l("Site"), lambda e: e.site.name),
        (_l("Location"), lambda e: e.location.name if e.location_id else ""),
        (_l("Status"), lambda e: EQUIPMENT_STATUSES.get(e.status, e.status)),
    ],
    schema_in=EquipmentIn,
    schema_patch=EquipmentPatch,
    create=lambda actor, data: inventory_ops.create_equipment(
        actor=actor, data=data, allowed_sites=Site.live()
    ),
    update=lambda rec, actor, data: (
        inventory_ops.update_equipment(rec, actor=actor, changes=data, allowed_sites=Site.live()),
        rec,
    )[1],
    delete=lambda rec, actor: inventory_ops.delete_equipment(rec, actor=actor),
    query=lambda: Equipment.live().join(Site).order_by(Site.name, Equipment.code, Equipment.name),
)

USERS = Resource(
    key="users",
    title=_l("Users"),
    singular=_l("User"),
    model=User,
    fields=[
        Field("username", _l("Username"), required=True),
        Field("display_name", _l("Full name")),
        Field(
            "password",
            _l("Password"),
            "password",
            required=True,
            help=_l("At least 8 characters. Leave empty to keep the current one."),
        ),
        Field("role", _l("Role"), "select", options(ROLES), required=True),
        Field(
            "client_id", _l("Client (client users only)"), "select", client_options, nullable=True
        ),
        Field("phone", _l("Phone")),
        Field("locale", _l("Language"), "select", options(LANGUAGES), nullable=True),
        Field("active", _l("Active"), "checkbox"),
    ],
    columns=[
        (_l("Username"), lambda u: u.username),
        (_l("Full name"), lambda u: u.display_name),
        (_l("Role"), lambda u: ROLES.get(u.role, u.role)),
        (_l("Client"), lambda u: u.client.name if u.client_id else ""),
        (_l("Active"), lambda u: _l("Yes") if u.active else _l("No")),
    ],
    schema_in=UserIn,
    schema_patch=UserPatch,
    create=lambda actor, data: account_ops.create_user(actor=actor, data=data),
    update=lambda rec, actor, data: account_ops.update_user(
        rec, actor=actor, changes=data, keep_session=current_session()
    ),
    delete=None,
    query=lambda: User.select().order_by(User.role, User.username),
)

RESOURCES = {r.key: r for r in (CLIENTS, SITES, LOCATIONS, EQUIPMENT, USERS)}
