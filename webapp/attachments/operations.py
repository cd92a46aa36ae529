"""Resumable, idempotent uploads checked by SHA-256; files that follow their record's site."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from ..auth import permissions, scope
from ..errors import ApiError, not_found
from ..models import Attachment, Site, SyncedModel, User
from ..records import move_record, update_record
from . import storage

CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
MAX_CHUNK = 2 * 2**20


class DamagedFile(ApiError):
    """The whole file arrived but its SHA-256 differs: the bytes were thrown away. The answer
    must commit `received = 0`, so the view returns it instead of letting it roll back."""

    def __init__(self) -> None:
        super().__init__(
            422,
            "checksum",
            _("The file arrived damaged (its SHA-256 does not match). Send it again."),
        )


def get_attachment(
    user: User, attachment_id, *, lock: bool = False, uploading: bool = False
) -> Attachment:
    """A file of a record at one of the user's sites (where its owner is now).

    For an upload, also a file the user announced whose record has since moved out of their
    sites: the bytes are theirs, and sending them shows them nothing (nothing is lost).
    """
    reachable = Attachment.site.in_(scope.visible_sites(user).select(Site.id))
    if uploading:
        reachable |= Attachment.uploaded_by == user.id
    query = Attachment.live().where((Attachment.id == scope.parse_id(attachment_id)) & reachable)
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


def upload_status(attachment: Attachment) -> Attachment:
    """How much has arrived: what the database counts, unless storage lost some of it (a
    damaged file thrown away, a crash between storage and commit), then what storage holds."""
    if attachment.status != "complete":
        held = storage.current().held(str(attachment.id))
        attachment.received = min(attachment.received, held)
    return attachment


def receive_chunk(
    attachment: Attachment, *, actor: User, content_range: str | None, data: bytes
) -> Attachment:
    """Store one piece. Pieces already received are acknowledged again; a piece that would
    leave a hole is refused with the position to resume from; a complete file whose SHA-256
    differs is thrown away (DamagedFile) and the next piece must start at byte 0."""
    permissions.require(actor, "attachment", "upload")
    if actor.role == "client" and attachment.uploaded_by_id != actor.id:
        raise ApiError(403, "forbidden", _("A client user sends only the files they added."))
    start, end, total = parse_range(content_range)
    if total != attachment.size:
        raise ApiError(422, "size_mismatch", _("The file's size differs from the one announced."))
    if end - start + 1 != len(data) or end >= total:
        raise ApiError(400, "bad_range", _("The range of this piece is not valid."))
    if attachment.status == "complete":
        return attachment  # a repeat of what is already here
    key = str(attachment.id)
    store = storage.current()
    received = upload_status(attachment).received
    if end < received:
        return attachment  # a repeat of what is already here
    if start > received:
        raise ApiError(
            409,
            "resume",
            _("A piece is missing; continue from byte %(n)d.", n=received),
            fields={"received": received},
        )
    store.write(key, received, data[received - start :])
    received = end + 1
    if received < attachment.size:
        Attachment.update(received=received).where(Attachment.id == attachment.id).execute()
        attachment.received = received
        return attachment
    if not store.finish(key, attachment.sha256, attachment.size):
        Attachment.update(received=0).where(Attachment.id == attachment.id).execute()
        attachment.received = 0
        raise DamagedFile()
    update_record(attachment, actor=actor, changes={"received": received, "status": "complete"})
    return attachment


def follow_owner(*, actor: User | None, owner: SyncedModel) -> None:
    """Keep a record's files at the record's site: when it moves, they move with it (the new
    site's users see them, the old site's devices drop them)."""
    files = Attachment.live().where(
        (Attachment.owner_entity == type(owner)._meta.table_name)
        & (Attachment.owner_id == str(owner.id))
        & (Attachment.site != owner.site_id)
    )
    for attachment in list(files):
        move_record(attachment, actor=actor, site=owner.site_id)
