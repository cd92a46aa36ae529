"""The attachments' sync adapter: the record of a file (its bytes come by upload,
attachments/views.py), and the attachment feed of the pull."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ..auth import permissions, scope
from ..errors import ApiError, validation_error
from ..leave import operations as leave_ops
from ..models import Attachment, Fault
from ..records import create_record
from ..rounds import operations as round_ops
from ..sync.registry import Context, Feed, Handler, Mutation
from ..sync.registry import applied as _applied
from ..sync.registry import load as _load
from .schemas import ATTACHMENT_KINDS, ATTACHMENT_TYPES, AttachmentMeta, AttachmentOut

ATTACHMENT_META = AttachmentMeta()


def create_attachment(m: Mutation, *, ctx: Context) -> dict[str, Any]:
    user = ctx.user
    meta = _load(ATTACHMENT_META, m["changes"])
    if Attachment.select().where(Attachment.id == m["id"]).exists():
        raise ApiError(409, "exists", _("A record with this id already exists."))
    if meta["mime"] not in ATTACHMENT_TYPES[meta["kind"]]:
        raise validation_error({"mime": [_("This type of file is not accepted here.")]})
    limit = ATTACHMENT_KINDS[meta["kind"]]
    if meta["size"] > limit:
        raise validation_error(
            {"size": [_("The file is larger than %(mb)d MB.", mb=limit // 2**20)]}
        )
    permissions.require(user, "attachment", "create")
    site_id = _owner_site(meta["owner_entity"], meta["owner_id"], ctx)
    if user.role == "client":
        _client_photo(meta, user)
    record = create_record(
        Attachment,
        actor=user,
        id=m["id"],
        owner_entity=meta["owner_entity"],
        owner_id=str(meta["owner_id"]),
        site=site_id,
        kind=meta["kind"],
        filename=meta["filename"],
        mime=meta["mime"],
        size=meta["size"],
        sha256=meta["sha256"],
        uploaded_by=user,
    )
    return _applied(record)


def _owner_site(entity: str, owner_id, ctx: Context):
    """The site of the record a file belongs to; a signed round takes no new files."""
    if entity == "equipment":
        return scope.get_equipment(ctx.user, owner_id).site_id
    if entity == "round":
        record = round_ops.round_in_scope(owner_id, ctx.site_ids)
        if record.status == "sealed":
            raise ApiError(409, "sealed", _("This round was signed and takes no new files."))
        return record.site_id
    if entity == "explanation":  # an absence explanation's photo: its author's, at its site
        return leave_ops.explanation_in_scope(owner_id, ctx.site_ids).site_id
    return scope.require_in(Fault.get_or_none(Fault.id == owner_id), ctx.site_ids).site_id


def _client_photo(meta: dict[str, Any], user) -> None:
    """A client user adds one thing: a photo of a fault they reported themselves (报修), at
    their own organisation's site (the scope, checked with the owner)."""
    if meta["owner_entity"] == "fault" and meta["kind"] == "photo":
        fault = Fault.get_by_id(meta["owner_id"])
        if fault.reported_by_id == user.id:
            return
    raise ApiError(403, "forbidden", _("A client user adds photos only to faults they reported."))


HANDLERS: dict[tuple[str, str], Handler] = {("attachment", "create"): create_attachment}
FEEDS = [Feed("attachment", Attachment, AttachmentOut().dump, Attachment.site)]
