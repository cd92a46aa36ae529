"""The HTML edge, twin of `api.endpoint`: who may open an office page, and one transaction per
form post, declared once.

`@office_page` signs the visitor in (a redirect to sign-in), checks the role in
`auth/permissions.py` (403 page) and runs a POST in one transaction that commits when the view
returns and rolls back when it raises, run again from the start when it lost a race with a push
(`api.run_write`). Inside, a view runs an operation in `savepoint()`: when the operation refuses
(ApiError), its writes roll back alone and `form_errors` turns the refusal into messages next to
each field, as the JSON edge turns it into the error envelope.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import flash, request
from flask_login import current_user, login_required

from .api import run_write
from .auth import permissions
from .db import savepoint
from .errors import ApiError, forbidden

__all__ = ["form_errors", "office_page", "safe_next", "savepoint"]


def office_page(view: Callable | None = None, *, transaction: bool = True) -> Callable:
    """Declare an office page: signed in, an office role, a POST in one transaction (unless
    `transaction=False`, for a POST that only reads, such as a sheet of labels)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not permissions.may(current_user, "office", "use"):
                raise forbidden()
            if transaction and request.method == "POST":
                # One transaction, run again from the start when it lost a race with a push
                # (docs/sync-protocol.md, "Overlapping requests"), as the JSON edge does.
                return run_write(view, *args, **kwargs)
            return view(*args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


def form_errors(err: ApiError) -> dict:
    """A refusal as a form's errors: per field when it names fields, else one message shown
    above the form (and flashed)."""
    if err.fields is None:
        flash(err.message, "error")
    return err.fields or {"_": [err.message]}


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
