"""Typed defaults for every setting; `create_app` layers the environment and tests on top."""

from collections.abc import Callable
from datetime import datetime, timedelta


class Defaults:
    """Settings a fresh install runs with. Override with `ROUNDS_<NAME>` in the environment."""

    SECRET_KEY: str | None = None  # generated into the instance folder when not given
    DATABASE_URL: str | None = None  # default: SQLite file in the instance folder
    # PostgreSQL connections each app process keeps open between requests (docs/deployment.md);
    # 0 opens one per request. SQLite always opens one per request.
    DATABASE_POOL_SIZE: int = 8
    MAX_CONTENT_LENGTH: int = 1 * 1024 * 1024  # JSON bodies; uploads have their own limits
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_SECURE: bool = False  # set True behind HTTPS (docs/deployment.md)
    # A session unused this long ends (sessions live in the database: docs/security.md).
    PERMANENT_SESSION_LIFETIME: timedelta = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY: bool = True
    LANGUAGES: tuple[str, ...] = ("zh_Hans", "zh_Hant", "en")
    BABEL_DEFAULT_LOCALE: str = "en"
    BABEL_DEFAULT_TIMEZONE: str = "Asia/Shanghai"
    # Reverse proxies in front of the app whose X-Forwarded-For / -Proto are trusted: exactly
    # as many as there are (1 behind one nginx). 0 trusts none: the address is the peer's.
    PROXY_COUNT: int = 0
    # Password sign-in throttling (docs/security.md). A failure counts for the window after the
    # last failure of its kind. One account from one address: locked out at the limit. One
    # address: locked out at the limit. One account from anywhere: never locked out; after
    # DELAY_AFTER failures each next attempt waits FIRST seconds, doubling, at most MAX.
    LOGIN_WINDOW_SECONDS: int = 15 * 60
    LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS: int = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS: int = 30
    LOGIN_DELAY_AFTER_FAILURES: int = 3
    LOGIN_DELAY_FIRST_SECONDS: float = 1.0
    LOGIN_DELAY_MAX_SECONDS: float = 60.0
    PAGE_SIZE: int = 50
    PDF_FONT: str | None = None  # a CJK font file for PDFs; default: the system's Noto CJK
    # The address people open Rounds at, e.g. https://rounds.example.com: printed on QR tags,
    # and the passkeys' origin and relying-party id (its host). Default: the request's host.
    PUBLIC_URL: str | None = None
    PASSKEY_CHALLENGE_SECONDS: int = 300  # a passkey ceremony's challenge expires after this
    # Sign-in challenges handed out to one address (anyone may ask, unsigned): at most this many
    # per window, then 429 with Retry-After until the window ends (docs/security.md).
    PASSKEY_CHALLENGES_PER_ADDRESS: int = 60
    PASSKEY_CHALLENGE_WINDOW_SECONDS: int = 5 * 60
    TAG_KEY_FILE: str | None = None  # Ed25519 key signing QR tags; default: in the instance folder
    TIME_KEY_FILE: str | None = None  # Ed25519 key signing the pull's server time (check-ins)
    # Web Push (docs/notifications.md): the VAPID key (P-256, PEM); default: in the instance
    # folder, made on first use. Every app server and worker reads the same file.
    VAPID_KEY_FILE: str | None = None
    VAPID_SUBJECT: str | None = None  # mailto: or https: contact; default PUBLIC_URL (https)
    # Tests only: let subscriptions name plain-http push endpoints (a local receiver).
    PUSH_ALLOW_HTTP: bool = False
    # Where attachment bytes live (docs/deployment.md): "local", a folder, or "s3", S3-compatible
    # object storage shared by several app servers (needs the `s3` extra).
    STORAGE: str = "local"
    ATTACHMENTS_DIR: str | None = None  # the folder for "local"; default: instance/attachments
    S3_BUCKET: str | None = None
    S3_ENDPOINT_URL: str | None = None  # an S3-compatible server; default: AWS S3
    S3_REGION: str | None = None
    S3_PREFIX: str = ""  # put before every key, to share a bucket
    # Tests only: a callable returning an aware datetime, the server's "now" (webapp/clock.py).
    CLOCK: Callable[[], datetime] | None = None
