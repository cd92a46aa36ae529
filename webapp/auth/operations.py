"""Sign-in rules: check a password; who may see and end whose sessions."""

from __future__ import annotations

from flask_babel import gettext as _

from ..errors import ApiError, forbidden, not_found
from ..models import User, UserSession
from .passwords import verify_password
from .scope import parse_id


def check_password(*, username: str, password: str) -> User | None:
    """The active user for these credentials, or None (unknown, wrong or disabled alike, and in
    the same time: see `verify_password`). Throttling is the caller's first step."""
    user = User.get_or_none(User.username == username.strip().lower())
    ok = verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None and user.active else None


def bad_credentials() -> ApiError:
    return ApiError(401, "bad_credentials", _("Wrong username or password."))


def may_end_sessions(actor: User, user: User) -> None:
    """Office roles may sign out anyone they may edit: a dispatcher not an administrator."""
    if not actor.is_office:
        raise forbidden()
    if user.role == "admin" and actor.role != "admin":
        raise forbidden()


def get_session_of(user: User, session_id) -> UserSession:
    row = UserSession.get_or_none(
        (UserSession.id == parse_id(session_id)) & (UserSession.user == user)
    )
    if row is None:
        raise not_found()
    return row
