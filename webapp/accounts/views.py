"""JSON API for user accounts and the audit log (office roles)."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user
from marshmallow import fields

from ..api import endpoint
from ..auth import sessions
from ..auth.login import current_session
from ..auth.operations import get_session_of, may_end_sessions
from ..auth.permissions import roles_for
from ..auth.schemas import SessionOut, SignedOutOut
from ..auth.scope import parse_id
from ..errors import not_found
from ..models import AuditEntry, User
from ..validation import Schema
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
    bp,
    "/users",
    ["GET"],
    summary="All users",
    response=UserOut,
    many=True,
    roles=roles_for("user", "read"),
    tags=TAGS,
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
    roles=roles_for("user", "create"),
    tags=TAGS,
)
def create_user(body):
    return ops.create_user(actor=current_user, data=body)


@endpoint(
    bp,
    "/users/<user_id>",
    ["GET"],
    summary="One user",
    response=UserOut,
    roles=roles_for("user", "read"),
    tags=TAGS,
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
    roles=roles_for("user", "update"),
    tags=TAGS,
)
def update_user(user_id, body):
    return ops.update_user(
        _user(user_id), actor=current_user, changes=body, keep_session=current_session()
    )


@endpoint(
    bp,
    "/users/<user_id>/sessions",
    ["GET"],
    summary="A user's signed-in devices",
    response=SessionOut,
    many=True,
    roles=roles_for("user", "read"),
    tags=TAGS,
)
def list_user_sessions(user_id):
    user = _user(user_id)
    here = current_session()
    rows = list(sessions.sessions_of(user, lifetime=current_app.permanent_session_lifetime))
    for row in rows:
        row.is_current = here is not None and row.id == here.id
    return rows


@endpoint(
    bp,
    "/users/<user_id>/sessions/<session_id>/sign-out",
    ["POST"],
    summary="Sign out one of a user's devices (a lost phone)",
    response=SignedOutOut,
    roles=roles_for("user", "end_sessions"),
    tags=TAGS,
)
def end_user_session(user_id, session_id):
    user = _user(user_id)
    may_end_sessions(current_user, user)
    row = get_session_of(user, session_id)
    ended = sessions.revoke_session(
        row, actor=current_user._get_current_object(), reason=sessions.SIGNED_OUT_BY_OFFICE
    )
    return {"signed_out": int(ended)}


@endpoint(
    bp,
    "/users/<user_id>/sessions/sign-out",
    ["POST"],
    summary="Sign out all of a user's devices",
    response=SignedOutOut,
    roles=roles_for("user", "end_sessions"),
    tags=TAGS,
)
def end_user_sessions(user_id):
    user = _user(user_id)
    may_end_sessions(current_user, user)
    actor = current_user._get_current_object()
    keep = current_session() if user.id == actor.id else None
    ended = sessions.revoke_user_sessions(
        user, actor=actor, reason=sessions.SIGNED_OUT_BY_OFFICE, keep=keep
    )
    return {"signed_out": ended}


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
    roles=roles_for("audit", "read"),
    tags=TAGS,
)
def list_audit():
    return AuditEntry.select().order_by(AuditEntry.id.desc()).limit(200)
