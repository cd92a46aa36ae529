"""One JSON error envelope for /api/*, friendly HTML pages elsewhere.

Envelope: {"error": {"code": "...", "message": "<in the user's language>", "fields": {...}}}
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from peewee import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

# How long a client waits before trying again when the database cannot be reached.
RETRY_AFTER_SECONDS = 30


class ApiError(Exception):
    """An error a client can act on. `message` is already translated."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}


def not_found() -> ApiError:
    """The same answer for "does not exist" and "not yours": no existence leaks across scope."""
    return ApiError(404, "not_found", _("Not found, or not yours to see."))


def forbidden() -> ApiError:
    return ApiError(403, "forbidden", _("Your role may not do this."))


def validation_error(fields: dict[str, Any], message: str | None = None) -> ApiError:
    from .validation import translate_messages, unstorable_message

    translated = translate_messages(fields)
    if message is None and _holds(translated, unstorable_message()):
        message = unstorable_message()  # the one reason a person cannot guess from the field
    return ApiError(
        422,
        "invalid",
        message or _("Some fields are not valid; see each field."),
        translated,
    )


def _holds(tree: Any, message: str) -> bool:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif node == message:
            return True
    return False


def wants_json() -> bool:
    return request.path.startswith("/api/")


def envelope(status: int, code: str, message: str, fields=None, headers=None):
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify(error=body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


HTTP_MESSAGES = {
    400: ("bad_request", lambda: _("The request could not be understood.")),
    401: ("unauthenticated", lambda: _("Please sign in again.")),
    403: ("forbidden", lambda: _("Your role may not do this.")),
    404: ("not_found", lambda: _("Not found, or not yours to see.")),
    405: ("method_not_allowed", lambda: _("This address does not accept that method.")),
    413: ("too_large", lambda: _("The request is too large.")),
    415: ("unsupported_media_type", lambda: _("Send JSON with Content-Type: application/json.")),
    429: ("too_many_requests", lambda: _("Too many attempts. Please wait and try again.")),
    503: (
        "unavailable",
        lambda: _("The server cannot reach its database just now. Nothing was saved; try again."),
    ),
    500: ("server_error", lambda: _("Something went wrong on the server. Nothing was saved.")),
}


def describe(status: int) -> tuple[str, str]:
    code, message = HTTP_MESSAGES.get(status, ("error", lambda: _("The request failed.")))
    return code, message()


def database_unreachable(err: Exception) -> bool:
    """The database is down, restarting, or refused this transaction for a retry (serialisation,
    a lock timeout): the request may succeed later. A query that is wrong is a bug, not this."""
    if isinstance(err, InterfaceError):
        return True
    if not isinstance(err, OperationalError):
        return False
    text = str(err).lower()
    return not any(bug in text for bug in ("no such", "syntax error", "has no column"))


def unavailable_response():
    """503 with Retry-After: the envelope on /api/*, a translated page elsewhere. The page is
    drawn, and the message chosen, as for someone signed out: who is signed in cannot be read
    either (their language would be, first, through the connection that just failed)."""
    g._login_user = current_app.login_manager.anonymous_user()  # flask-login's slot: no query
    code, message = describe(503)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json():
        return envelope(503, code, message, headers=headers)
    page = render_template("error.html", status=503, message=message)
    return page, 503, headers


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        if wants_json():
            return envelope(err.status, err.code, err.message, err.fields, err.headers)
        return render_template("error.html", status=err.status, message=err.message), err.status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        status = err.code or 500
        code, message = describe(status)
        if wants_json():
            return envelope(status, code, message)
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if database_unreachable(err):
            app.logger.warning("No database on %s %s: %s", request.method, request.path, err)
            return unavailable_response()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        code, message = describe(500)
        if wants_json():
            return envelope(500, code, message)
        return render_template("error.html", status=500, message=message), 500
