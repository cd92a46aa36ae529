"""Signed tag tokens: what a QR tag carries, checkable offline with the public key.

Token (docs/tags.md; the app checks it with the same rules, so the format is fixed):

    payload   = version (1 byte, 1) + kind (1 byte: 1 equipment, 2 location) + tag id (16 bytes)
    signature = Ed25519 over b"rounds-tag" + payload                              (64 bytes)
    token     = base64url without padding of payload + signature        (82 bytes, 110 chars)

The key is an Ed25519 private key in PEM: the file named by TAG_KEY_FILE, or else
`tag_signing_key.pem` in the instance folder, made on first use (mode 0600).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

VERSION = 1
KINDS = {"equipment": 1, "location": 2}
KIND_NAMES = {number: name for name, number in KINDS.items()}
CONTEXT = b"rounds-tag"
PAYLOAD_BYTES = 18
SIGNATURE_BYTES = 64
TOKEN_CHARS = 110  # 82 bytes in base64url without padding
KEY_FILE_NAME = "tag_signing_key.pem"
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")
_CACHE_KEY = "rounds_tag_key"


class TokenError(ValueError):
    """A token that is not one of ours: `reason` is "malformed" or "signature"."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class KeyFileMissing(RuntimeError):
    pass


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the key -------------------------------------------------------------------------------------


def key_path() -> tuple[Path, bool]:
    """Where the key lives, and whether the place was configured (then it must exist)."""
    configured = current_app.config.get("TAG_KEY_FILE")
    if configured:
        return Path(configured), True
    return Path(current_app.instance_path) / KEY_FILE_NAME, False


def generate_key_file(path: Path) -> None:
    """Write a new key to `path` unless one is there. Safe when several processes start at once:
    the key is written to a private temporary file and linked into place, which fails if another
    process got there first (its key is then the one everybody reads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def load_key_file(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def signing_key() -> Ed25519PrivateKey:
    """The app's tag key, read once per process."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = app.extensions.get(_CACHE_KEY)
    if key is None:
        path, configured = key_path()
        if not path.exists():
            if configured:  # a new key here would silently invalidate every printed tag
                raise KeyFileMissing(f"TAG_KEY_FILE is set to {path}, which does not exist.")
            generate_key_file(path)
        key = app.extensions[_CACHE_KEY] = load_key_file(path)
    return key


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_b64() -> str:
    """The raw 32-byte public key in base64url without padding, as the app stores it."""
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64url(raw)


# --- tokens --------------------------------------------------------------------------------------


def payload_of(tag_id: uuid.UUID, kind: str) -> bytes:
    return bytes([VERSION, KINDS[kind]]) + tag_id.bytes


def make_token(tag_id: uuid.UUID, kind: str, *, key: Ed25519PrivateKey | None = None) -> str:
    """The token for tag `tag_id` on a target of `kind` ("equipment" or "location")."""
    if kind not in KINDS:
        raise ValueError(f"unknown tag kind {kind!r}")
    payload = payload_of(tag_id, kind)
    signature = (key or signing_key()).sign(CONTEXT + payload)
    return b64url(payload + signature)


def is_current(token: str) -> bool:
    """Whether a stored token verifies with the key in use (not after the key was replaced)."""
    try:
        read_token(token)
    except TokenError:
        return False
    return True


def read_token(token: str, *, key: Ed25519PublicKey | None = None) -> tuple[str, uuid.UUID]:
    """(kind, tag id) of a token signed by this deployment, or raise TokenError."""
    if not isinstance(token, str) or len(token) != TOKEN_CHARS or not _ALPHABET.fullmatch(token):
        raise TokenError("malformed", "not a 110-character base64url string")
    try:
        raw = _unb64url(token)
    except (binascii.Error, ValueError):
        raise TokenError("malformed", "not base64url") from None
    if b64url(raw) != token:  # unused low bits set: one tag, one spelling
        raise TokenError("malformed", "not in canonical form")
    payload, signature = raw[:PAYLOAD_BYTES], raw[PAYLOAD_BYTES:]
    if payload[0] != VERSION:
        raise TokenError("malformed", f"unknown format version {payload[0]}")
    kind = KIND_NAMES.get(payload[1])
    if kind is None:
        raise TokenError("malformed", f"unknown kind {payload[1]}")
    try:
        (key or public_key()).verify(signature, CONTEXT + payload)
    except InvalidSignature:
        raise TokenError("signature", "the signature does not match") from None
    return kind, uuid.UUID(bytes=payload[2:])
