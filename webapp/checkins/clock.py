"""Server time the phone cannot forge: each pull answer carries a stamp, the server's clock signed
with an Ed25519 key of its own (docs/checkins.md, "Time").

    stamp = "<UTC time, ISO 8601 to the second, Z>.<Ed25519 signature over b"rounds-time" + time,
            base64url without padding>"

The key is kept like the tag key (tags/signing.py) but in a file of its own, so either can be
replaced without the other: TIME_KEY_FILE, or `time_signing_key.pem` in the instance folder, made
on first use. Replacing it only makes stamps already on phones unreadable: their check-ins are
then flagged, never refused.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from ..models import utcnow
from ..tags.signing import _unb64url, b64url, generate_key_file, load_key_file

CONTEXT = b"rounds-time"
KEY_FILE_NAME = "time_signing_key.pem"
_CACHE_KEY = "rounds_time_key"
_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\.([A-Za-z0-9_-]{86})")


def time_key() -> Ed25519PrivateKey:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = app.extensions.get(_CACHE_KEY)
    if key is None:
        configured = current_app.config.get("TIME_KEY_FILE")
        path = Path(configured) if configured else Path(app.instance_path) / KEY_FILE_NAME
        if not path.exists():
            if configured:
                raise FileNotFoundError(f"TIME_KEY_FILE is set to {path}, which does not exist.")
            generate_key_file(path)
        key = app.extensions[_CACHE_KEY] = load_key_file(path)
    return key


def make_stamp(at: datetime | None = None) -> str:
    """The signed stamp of `at` (naive UTC; default now)."""
    text = (at or utcnow()).replace(microsecond=0).strftime(_FORMAT)
    return f"{text}.{b64url(time_key().sign(CONTEXT + text.encode()))}"


def read_stamp(stamp: str) -> datetime | None:
    """The time a stamp of ours holds (naive UTC), or None when it is not one."""
    match = _STAMP.fullmatch(stamp or "")
    if not match:
        return None
    text, signature = match.groups()
    try:
        time_key().public_key().verify(_unb64url(signature), CONTEXT + text.encode())
    except (InvalidSignature, ValueError):
        return None
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC).replace(tzinfo=None)
