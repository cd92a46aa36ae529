"""CSRF protection for every state-changing request: a per-session token, sent back as a form
field (`csrf_token`) by pages or as the `X-CSRF-Token` header by scripts and the PWA."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, current_app, request, session
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"


def csrf_token() -> str:
    token = session.get("_csrf")
    if not token:
        token = session["_csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    expected = session.get("_csrf")
    sent = request.headers.get(HEADER)
    if sent is None and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sent = request.form.get(FIELD)
    if not expected and not current_user.is_authenticated and _needs_sign_in():
        # The session is gone (expired or signed out): say so, rather than blame the token,
        # so that an app pauses and asks to sign in again instead of failing the request.
        raise ApiError(401, "unauthenticated", _("Please sign in again."))
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise ApiError(
            403,
            "csrf",
            _("This page has expired. Reload it and try again."),
        )


def _needs_sign_in() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    contract = getattr(view, "contract", None)
    return request.path.startswith("/api/") and contract is not None and not contract.public


def init_app(app: Flask) -> None:
    app.before_request(check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
