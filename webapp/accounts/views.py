"""JSON API for user accounts and the audit log (office roles)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from marshmallow import Schema, fields

from ..api import endpoint
from ..auth.scope import OFFICE, parse_id
from ..errors import not_found
from ..models import AuditEntry, User
from . import operations as ops
from .schemas import MeOut, MePatch, UserIn, UserOut, UserPatch

bp = Blueprint("accounts_api", __name__, url_prefix="/api")
TAGS = ["accounts"]


class AuditOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.Function(lambda e: e.actor.username if e.actor_id else None)
    action = fields.String()
    entity = fields.String()
    entity_id = fields.String()
    summary = fields.String()


def _user(user_id) -> User:
    user = User.get_or_none(User.id == parse_id(user_id))
    if user is None:
        raise not_found()
    return user


@endpoint(
    bp, "/users", ["GET"], summary="All users", response=UserOut, many=True, roles=OFFICE, tags=TAGS
)
def list_users():
    return User.select().order_by(User.role, User.username)


@endpoint(
    bp,
    "/users",
    ["POST"],
    summary="Create a user",
    body=UserIn,
    response=UserOut,
    status=201,
    roles=OFFICE,
    tags=TAGS,
)
def create_user(body):
    return ops.create_user(actor=current_user, data=body)


@endpoint(
    bp, "/users/<user_id>", ["GET"], summary="One user", response=UserOut, roles=OFFICE, tags=TAGS
)
def get_user(user_id):
    return _user(user_id)


@endpoint(
    bp,
    "/users/<user_id>",
    ["PATCH"],
    summary="Change a user",
    body=UserPatch,
    response=UserOut,
    roles=OFFICE,
    tags=TAGS,
)
def update_user(user_id, body):
    return ops.update_user(_user(user_id), actor=current_user, changes=body)


@endpoint(
    bp,
    "/auth/me",
    ["PATCH"],
    summary="Change my name or language",
    body=MePatch,
    response=MeOut,
    tags=TAGS,
)
def update_me(body):
    return ops.set_preferences(current_user._get_current_object(), changes=body)


@endpoint(
    bp,
    "/audit",
    ["GET"],
    summary="Latest changes, newest first",
    response=AuditOut,
    many=True,
    roles=OFFICE,
    tags=TAGS,
)
def list_audit():
    return AuditEntry.select().order_by(AuditEntry.id.desc()).limit(200)
