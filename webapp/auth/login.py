"""Who is the current user: flask-login over sessions kept in the database (`sessions.py`).

Flask's signed cookie carries the session's token (`_sid`) beside flask-login's `_user_id` and
the CSRF token. A request is signed in only when the token names a live session of that user;
anything else (revoked, unused too long, unknown, user deactivated) is an anonymous request:
pages redirect to sign-in, `/api/*` answers 401. Anonymous visitors get no row.
"""

from __future__ import annotations

import logging
import uuid

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_login import current_user
from peewee import DatabaseError

from ..errors import describe, envelope, wants_json
from ..extensions import login_manager
from ..models import User, UserSession
from .sessions import find_session, touch_session

SESSION_KEY = "_sid"
LOGIN_KEYS = ("_user_id", "_fresh", "_id", SESSION_KEY)
log = logging.getLogger(__name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    found = find_session(session.get(SESSION_KEY), lifetime=current_app.permanent_session_lifetime)
    if found is None or str(found.user_id) != _as_uuid(user_id):
        for key in LOGIN_KEYS:  # a dead session: the cookie stops naming it
            session.pop(key, None)
        return None
    g.user_session = found
    return found.user


def _as_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        return ""


def current_session() -> UserSession | None:
    """The session this request is signed in with, if any."""
    if not current_user.is_authenticated:
        return None
    return g.get("user_session")


def note_sync_client(client_id) -> None:
    """Remember which app install syncs with this session (shown in the office)."""
    if client_id is not None:
        g.sync_client_id = str(client_id)


def client_address() -> str:
    """The client's address as the configured proxies report it (PROXY_COUNT, ProxyFix)."""
    return (request.remote_addr or "unknown")[:64]


def _touch(response):
    row = g.pop("user_session", None)
    if row is not None:
        try:
            touch_session(row, address=client_address(), client_id=g.get("sync_client_id"))
        except DatabaseError:  # bookkeeping only: never fail a request over "last seen"
            log.warning("could not note the session as seen", exc_info=True)
    return response


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        code, message = describe(401)
        return envelope(401, code, message)
    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    app.after_request(_touch)
