"""JSON API for clients, sites, locations and assignments. Thin: schema -> operation -> schema."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from ..api import endpoint
from ..auth import scope
from ..auth.permissions import roles_for
from ..errors import not_found
from ..models import Assignment, Client, Location, Site
from . import operations as ops
from .schemas import (
    AssignmentIn,
    AssignmentOut,
    ClientIn,
    ClientOut,
    ClientPatch,
    LocationIn,
    LocationOut,
    LocationPatch,
    SiteIn,
    SiteOut,
    SitePatch,
)

bp = Blueprint("sites_api", __name__, url_prefix="/api")
TAGS = ["sites"]


@endpoint(
    bp, "/clients", ["GET"], summary="Clients in scope", response=ClientOut, many=True, tags=TAGS
)
def list_clients():
    return scope.visible_clients(current_user).order_by(Client.name)


@endpoint(
    bp,
    "/clients",
    ["POST"],
    summary="Create a client",
    body=ClientIn,
    response=ClientOut,
    status=201,
    roles=roles_for("client", "create"),
    tags=TAGS,
)
def create_client(body):
    return ops.create_client(actor=current_user, data=body)


@endpoint(bp, "/clients/<client_id>", ["GET"], summary="One client", response=ClientOut, tags=TAGS)
def get_client(client_id):
    return scope.get_client(current_user, client_id)


@endpoint(
    bp,
    "/clients/<client_id>",
    ["PATCH"],
    summary="Change a client",
    body=ClientPatch,
    response=ClientOut,
    roles=roles_for("client", "update"),
    tags=TAGS,
)
def update_client(client_id, body):
    return ops.update_client(
        scope.get_client(current_user, client_id), actor=current_user, changes=body
    )


@endpoint(
    bp,
    "/clients/<client_id>",
    ["DELETE"],
    summary="Remove a client",
    response=ClientOut,
    roles=roles_for("client", "delete"),
    tags=TAGS,
)
def delete_client(client_id):
    return ops.delete_client(scope.get_client(current_user, client_id), actor=current_user)


@endpoint(bp, "/sites", ["GET"], summary="Sites in scope", response=SiteOut, many=True, tags=TAGS)
def list_sites():
    return scope.visible_sites(current_user).order_by(Site.name)


@endpoint(
    bp,
    "/sites",
    ["POST"],
    summary="Create a site",
    body=SiteIn,
    response=SiteOut,
    status=201,
    roles=roles_for("site", "create"),
    tags=TAGS,
)
def create_site(body):
    return ops.create_site(actor=current_user, data=body)


@endpoint(bp, "/sites/<site_id>", ["GET"], summary="One site", response=SiteOut, tags=TAGS)
def get_site(site_id):
    return scope.get_site(current_user, site_id)


@endpoint(
    bp,
    "/sites/<site_id>",
    ["PATCH"],
    summary="Change a site",
    body=SitePatch,
    response=SiteOut,
    roles=roles_for("site", "update"),
    tags=TAGS,
)
def update_site(site_id, body):
    return ops.update_site(scope.get_site(current_user, site_id), actor=current_user, changes=body)


@endpoint(
    bp,
    "/sites/<site_id>",
    ["DELETE"],
    summary="Remove a site",
    response=SiteOut,
    roles=roles_for("site", "delete"),
    tags=TAGS,
)
def delete_site(site_id):
    return ops.delete_site(scope.get_site(current_user, site_id), actor=current_user)


@endpoint(
    bp,
    "/sites/<site_id>/locations",
    ["GET"],
    summary="Locations of a site",
    response=LocationOut,
    many=True,
    tags=TAGS,
)
def list_locations(site_id):
    site = scope.get_site(current_user, site_id)
    return Location.live().where(Location.site == site).order_by(Location.name)


@endpoint(
    bp,
    "/locations",
    ["POST"],
    summary="Create a location",
    body=LocationIn,
    response=LocationOut,
    status=201,
    roles=roles_for("location", "create"),
    tags=TAGS,
)
def create_location(body):
    return ops.create_location(actor=current_user, data=body)


@endpoint(
    bp, "/locations/<location_id>", ["GET"], summary="One location", response=LocationOut, tags=TAGS
)
def get_location(location_id):
    return scope.get_location(current_user, location_id)


@endpoint(
    bp,
    "/locations/<location_id>",
    ["PATCH"],
    summary="Change a location",
    body=LocationPatch,
    response=LocationOut,
    roles=roles_for("location", "update"),
    tags=TAGS,
)
def update_location(location_id, body):
    return ops.update_location(
        scope.get_location(current_user, location_id), actor=current_user, changes=body
    )


@endpoint(
    bp,
    "/locations/<location_id>",
    ["DELETE"],
    summary="Remove a location",
    response=LocationOut,
    roles=roles_for("location", "delete"),
    tags=TAGS,
)
def delete_location(location_id):
    return ops.delete_location(scope.get_location(current_user, location_id), actor=current_user)


@endpoint(
    bp,
    "/sites/<site_id>/assignments",
    ["GET"],
    summary="Engineers stationed at a site",
    response=AssignmentOut,
    many=True,
    tags=TAGS,
)
def list_assignments(site_id):
    site = scope.get_site(current_user, site_id)
    return Assignment.live().where(Assignment.site == site)


@endpoint(
    bp,
    "/assignments",
    ["POST"],
    summary="Station an engineer at a site",
    body=AssignmentIn,
    response=AssignmentOut,
    status=201,
    roles=roles_for("assignment", "create"),
    tags=TAGS,
)
def create_assignment(body):
    return ops.assign_engineer(actor=current_user, **body)


@endpoint(
    bp,
    "/assignments/<assignment_id>",
    ["DELETE"],
    summary="End a station",
    response=AssignmentOut,
    roles=roles_for("assignment", "delete"),
    tags=TAGS,
)
def delete_assignment(assignment_id):
    assignment = Assignment.live().where(Assignment.id == scope.parse_id(assignment_id)).first()
    if assignment is None:
        raise not_found()
    return ops.unassign_engineer(assignment, actor=current_user)
