"""Sync endpoints: push, pull, conflicts."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask_login import current_user
from marshmallow import fields

from ..api import endpoint
from ..auth.login import note_sync_client
from ..auth.permissions import ANY_ROLE
from ..validation import Schema, one_of
from . import conflicts as conflict_ops
from .pull import page_json, pull_changes
from .push import apply_push
from .schemas import (
    ConflictOut,
    PullOut,
    PullQuery,
    PushIn,
    PushOut,
    ResolveIn,
    read_mutations,
)

bp = Blueprint("sync_api", __name__, url_prefix="/api")
TAGS = ["sync"]


class ConflictQuery(Schema):
    status = fields.String(
        load_default="open", validate=one_of(dict.fromkeys(conflict_ops.STATUSES, 1))
    )


@endpoint(
    bp,
    "/sync/push",
    ["POST"],
    summary="Send a batch of changes made on a device",
    body=PushIn,
    response=PushOut,
    roles=ANY_ROLE,
    tags=TAGS,
)
def push(body):
    answer = apply_push(
        user=current_user._get_current_object(),
        client_id=body["client_id"],
        mutations=read_mutations(body["mutations"]),
    )
    return jsonify(answer)  # plain JSON already; PushOut documents it


@endpoint(
    bp,
    "/sync/pull",
    ["GET"],
    summary="The next page of changes in your scope",
    query=PullQuery,
    response=PullOut,
    roles=ANY_ROLE,
    tags=TAGS,
)
def pull(query):
    note_sync_client(query["client_id"])  # the office sees which install a session syncs
    # Already plain JSON: dumping it again through PullOut would double the cost of a page, and
    # the changes every device of a site pulls are encoded once (`page_json`).
    page = pull_changes(
        user=current_user._get_current_object(),
        cursor=query["cursor"],
        limit=query["limit"],
        client_id=query["client_id"],
        own=query["held"],
    )
    return current_app.response_class(page_json(page), mimetype="application/json")


@endpoint(
    bp,
    "/conflicts",
    ["GET"],
    summary="Conflicts in your scope",
    query=ConflictQuery,
    response=ConflictOut,
    many=True,
    tags=TAGS,
)
def list_conflicts(query):
    return conflict_ops.list_conflicts(current_user, status=query["status"])


@endpoint(
    bp,
    "/conflicts/<conflict_id>/resolve",
    ["POST"],
    summary="Resolve a conflict",
    body=ResolveIn,
    response=ConflictOut,
    tags=TAGS,
)
def resolve(conflict_id, body):
    conflict = conflict_ops.get_conflict(current_user, conflict_id)
    seen = {"seen": body["value"]} if "value" in body else {}
    return conflict_ops.resolve_conflict(
        conflict, actor=current_user._get_current_object(), choice=body["choice"], **seen
    )
