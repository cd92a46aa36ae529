"""The notification outbox in the office: what was told to whom, and whether it went out
(docs/notifications.md, "The outbox")."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import ApiError
from ..models.choices import NOTIFICATION_STATES
from ..pages import office_page
from . import operations as ops

bp = Blueprint("notifications", __name__, url_prefix="/office/notifications")


def _state() -> str | None:
    state = request.args.get("state", "")
    if not state:
        return None
    if state not in NOTIFICATION_STATES:
        raise ApiError(400, "bad_state", _("Choose a state from the list."))
    return state


def _page_number() -> int:
    text = request.args.get("page", "")
    if not text:
        return 1
    if not re.fullmatch(r"[1-9]\d{0,5}", text):
        raise ApiError(400, "bad_page", _("The page number is not valid."))
    return int(text)


@bp.route("")
@office_page
def outbox():
    state = _state()
    listing = ops.outbox_page(current_user, state=state, page=_page_number())
    return render_template(
        "notifications/outbox.html",
        state=state,
        states=NOTIFICATION_STATES,
        **listing,
    )
