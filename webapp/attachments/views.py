"""Attachment bytes: upload in pieces, ask where to resume, download."""

from __future__ import annotations

from flask import Blueprint, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from ..api import endpoint
from ..errors import ApiError
from ..sync.schemas import AttachmentStatus
from . import operations as ops
from . import storage

bp = Blueprint("attachments_api", __name__, url_prefix="/api/attachments")
TAGS = ["attachments"]


@endpoint(
    bp,
    "/<attachment_id>/status",
    ["GET"],
    summary="How much of a file has arrived",
    response=AttachmentStatus,
    tags=TAGS,
)
def status(attachment_id):
    return ops.get_attachment(current_user, attachment_id)


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
    attachment = ops.get_attachment(current_user, attachment_id, lock=True)
    return ops.receive_chunk(
        attachment,
        actor=current_user._get_current_object(),
        content_range=request.headers.get("Content-Range"),
        data=data,
    )


@endpoint(bp, "/<attachment_id>/content", ["GET"], summary="Download a complete file", tags=TAGS)
def download(attachment_id):
    attachment = ops.get_attachment(current_user, attachment_id)
    if attachment.status != "complete":
        raise ApiError(409, "incomplete", _("This file has not fully arrived yet."))
    return send_file(
        storage.final_path(str(attachment.id)),
        mimetype=attachment.mime,
        download_name=attachment.filename or str(attachment.id),
        max_age=86400,
    )
