"""Typed defaults for every setting; `create_app` layers the environment and tests on top."""

from collections.abc import Callable
from datetime import datetime, timedelta


class Defaults:
    """Settings a fresh install runs with. Override with `ROUNDS_<NAME>` in the environment."""

    SECRET_KEY: str | None = None  # generated into the instance folder when not given
    DATABASE_URL: str | None = None  # default: SQLite file in the instance folder
    MAX_CONTENT_LENGTH: int = 1 * 1024 * 1024  # JSON bodies; uploads have their own limits
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_SECURE: bool = False  # set True behind HTTPS (docs/deployment.md)
    PERMANENT_SESSION_LIFETIME: timedelta = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY: bool = True
    LANGUAGES: tuple[str, ...] = ("zh_Hans", "zh_Hant", "en")
    BABEL_DEFAULT_LOCALE: str = "en"
    BABEL_DEFAULT_TIMEZONE: str = "Asia/Shanghai"
    # Sign-in throttling: failures allowed per window, per account and per address.
    LOGIN_WINDOW_SECONDS: int = 15 * 60
    LOGIN_MAX_FAILURES_PER_USER: int = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS: int = 30
    PAGE_SIZE: int = 50
    PDF_FONT: str | None = None  # a CJK font file for PDFs; default: the system's Noto CJK
    PUBLIC_URL: str | None = None  # the address printed on QR tags; default: the request's host
    TAG_KEY_FILE: str | None = None  # Ed25519 key signing QR tags; default: in the instance folder
    # Tests only: a callable returning an aware datetime, the server's "now" (webapp/clock.py).
    CLOCK: Callable[[], datetime] | None = None
