"""Attachment bytes: upload in pieces, ask where to resume, download."""

from __future__ import annotations

from flask import Blueprint, current_app, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from ..api import endpoint
from ..errors import ApiError, envelope
from . import operations as ops
from . import storage
from .schemas import AttachmentStatus

bp = Blueprint("attachments_api", __name__, url_prefix="/api/attachments")
TAGS = ["attachments"]

# Files are private: only this user's browser may keep a copy (so a photo looked at once still
# shows offline today), never a proxy or shared cache. A complete file never changes; its
# SHA-256 is its ETag, so asking again after a day costs a 304.
CACHE_CONTROL = "private, max-age=86400"


@endpoint(
    bp,
    "/<attachment_id>/status",
    ["GET"],
    summary="How much of a file has arrived",
    response=AttachmentStatus,
    tags=TAGS,
)
def status(attachment_id):
    return ops.upload_status(ops.get_attachment(current_user, attachment_id, uploading=True))


@endpoint(
    bp,
    "/<attachment_id>/content",
    ["PUT"],
    summary="Send a piece of a file (Content-Range: bytes START-END/TOTAL)",
    response=AttachmentStatus,
    tags=TAGS,
)
def upload(attachment_id):
    request.max_content_length = ops.MAX_CHUNK
    data = request.get_data(cache=False)
    attachment = ops.get_attachment(current_user, attachment_id, lock=True, uploading=True)
    try:
        return ops.receive_chunk(
            attachment,
            actor=current_user._get_current_object(),
            content_range=request.headers.get("Content-Range"),
            data=data,
        )
    except ops.DamagedFile as err:
        # Returned, not raised: the transaction commits `received = 0` with this answer, so
        # the device's next try, from byte 0 or resumed from the status, is taken.
        return envelope(err.status, err.code, err.message)


@endpoint(bp, "/<attachment_id>/content", ["GET"], summary="Download a complete file", tags=TAGS)
def download(attachment_id):
    attachment = ops.get_attachment(current_user, attachment_id)
    if attachment.status != "complete":
        raise ApiError(409, "incomplete", _("This file has not fully arrived yet."))
    if request.if_none_match.contains(attachment.sha256):
        response = current_app.response_class(status=304)
    else:
        try:
            body = storage.current().open(str(attachment.id))
        except storage.Missing:
            current_app.logger.error("attachment %s is complete but not in storage", attachment.id)
            raise ApiError(
                410, "missing", _("This file is missing from the file store. Tell the office.")
            ) from None
        response = send_file(
            body,
            mimetype=attachment.mime,
            download_name=attachment.filename or str(attachment.id),
            etag=False,
            conditional=False,
            max_age=None,
        )
        response.content_length = attachment.size
    response.set_etag(attachment.sha256)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
