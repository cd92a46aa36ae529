"""The VAPID key pair (RFC 8292) that identifies this server to the browsers' push services.

Kept like the tag and time keys: VAPID_KEY_FILE, or `vapid_private_key.pem` in the instance
folder, made on first use (or by `flask vapid-keys`). Every app server and worker must read the
same key: a phone's subscription is bound to the public key it was made with, so a new key means
every phone subscribes again from Settings.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid

from ..tags.signing import b64url

KEY_FILE_NAME = "vapid_private_key.pem"
_CACHE_KEY = "rounds_vapid_key"


def key_path() -> Path:
    configured = current_app.config.get("VAPID_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / KEY_FILE_NAME


def generate_key_file(path: Path) -> None:
    """Write a new P-256 key to `path` unless one is there; safe when several processes start
    at once (written privately, then linked into place: the first one wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def vapid() -> Vapid:
    """The server's VAPID key, read once per app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = app.extensions.get(_CACHE_KEY)
    if key is None:
        path = key_path()
        if not path.exists():
            if current_app.config.get("VAPID_KEY_FILE"):
                raise FileNotFoundError(f"VAPID_KEY_FILE is set to {path}, which does not exist.")
            generate_key_file(path)
        key = app.extensions[_CACHE_KEY] = Vapid.from_pem(path.read_bytes())
    return key


def public_key() -> str:
    """The application server key the phone subscribes with: the uncompressed P-256 point,
    base64url without padding."""
    point = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def subject() -> str:
    """Who runs this server, for the push services (the VAPID `sub` claim)."""
    configured = current_app.config.get("VAPID_SUBJECT")
    if configured:
        return configured
    url = current_app.config.get("PUBLIC_URL")
    return url if url and url.startswith("https://") else "mailto:rounds@localhost"
