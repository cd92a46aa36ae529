"""Sign-in rules: check the password, throttle repeated failures per account and per address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _

from ..errors import ApiError
from ..models import LoginFailure, User, utcnow
from .passwords import verify_password


@dataclass(frozen=True)
class Throttle:
    window_seconds: int
    max_per_user: int
    max_per_address: int


def check_throttle(*, username: str, address: str, throttle: Throttle) -> None:
    """Refuse with 429 while an account or an address has too many recent failures."""
    since = utcnow() - timedelta(seconds=throttle.window_seconds)
    recent = LoginFailure.select().where(LoginFailure.at >= since)
    by_user = recent.where(LoginFailure.username == username.lower()).count()
    by_address = recent.where(LoginFailure.address == address).count()
    if by_user >= throttle.max_per_user or by_address >= throttle.max_per_address:
        minutes = max(1, throttle.window_seconds // 60)
        raise ApiError(
            429,
            "too_many_requests",
            _("Too many failed sign-ins. Try again in %(minutes)d minutes.", minutes=minutes),
            headers={"Retry-After": str(throttle.window_seconds)},
        )


def authenticate(*, username: str, password: str, address: str, throttle: Throttle) -> User | None:
    """Return the active user for these credentials, or record the failure and return None.

    The failure is written, not raised, so the caller's transaction keeps it.
    """
    username = username.strip().lower()
    check_throttle(username=username, address=address, throttle=throttle)
    user = User.get_or_none(User.username == username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        LoginFailure.create(username=username, address=address)
        return None
    LoginFailure.delete().where(LoginFailure.username == username).execute()
    return user


def bad_credentials() -> ApiError:
    return ApiError(401, "bad_credentials", _("Wrong username or password."))
