"""Resumable, idempotent uploads checked by SHA-256."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from ..auth import scope
from ..errors import ApiError, forbidden, not_found
from ..models import Attachment, Site, User
from ..records import update_record
from . import storage

CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
MAX_CHUNK = 2 * 2**20


def get_attachment(user: User, attachment_id, *, lock: bool = False) -> Attachment:
    query = Attachment.live().where(
        (Attachment.id == scope.parse_id(attachment_id))
        & Attachment.site.in_(scope.visible_sites(user).select(Site.id))
    )
    if lock and Attachment._meta.database.for_update:
        query = query.for_update()
    attachment = query.first()
    if attachment is None:
        raise not_found()
    return attachment


def parse_range(header: str | None) -> tuple[int, int, int]:
    match = CONTENT_RANGE.match(header or "")
    if not match:
        raise ApiError(
            400, "bad_range", _("Send each piece with a Content-Range: bytes START-END/TOTAL.")
        )
    start, end, total = (int(g) for g in match.groups())
    if end < start:
        raise ApiError(400, "bad_range", _("The range of this piece is not valid."))
    return start, end, total


def receive_chunk(
    attachment: Attachment, *, actor: User, content_range: str | None, data: bytes
) -> Attachment:
    """Store one piece. Pieces already received are acknowledged again; a piece that would
    leave a hole is refused with the position to resume from."""
    if actor.role == "client":
        raise forbidden()
    start, end, total = parse_range(content_range)
    if total != attachment.size:
        raise ApiError(422, "size_mismatch", _("The file's size differs from the one announced."))
    if end - start + 1 != len(data) or end >= total:
        raise ApiError(400, "bad_range", _("The range of this piece is not valid."))
    if attachment.status == "complete" or end < attachment.received:
        return attachment  # a repeat of what is already here
    if start > attachment.received:
        raise ApiError(
            409,
            "resume",
            _("A piece is missing; continue from byte %(n)d.", n=attachment.received),
            fields={"received": attachment.received},
        )
    skip = attachment.received - start
    storage.append_chunk(str(attachment.id), attachment.received, data[skip:])
    received = end + 1
    if received < attachment.size:
        Attachment.update(received=received).where(Attachment.id == attachment.id).execute()
        attachment.received = received
        return attachment
    if not storage.finish(str(attachment.id), attachment.sha256):
        Attachment.update(received=0).where(Attachment.id == attachment.id).execute()
        raise ApiError(
            422,
            "checksum",
            _("The file arrived damaged (its SHA-256 does not match). Send it again."),
        )
    update_record(attachment, actor=actor, changes={"received": received, "status": "complete"})
    return attachment
