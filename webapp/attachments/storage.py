"""Where attachment bytes live, behind one interface chosen by `ROUNDS_STORAGE`: a folder on the
app server (`local`, the default) or S3-compatible object storage (`s3`, in `s3.py`), which
every app server of a multi-server install shares.

An upload arrives in pieces, each answered and committed on its own, possibly by different app
servers. `write` stores a piece at its offset and drops whatever was stored after that offset
(bytes no commit acknowledged); `held` says how many bytes from byte 0 are kept, so the database's
count of received bytes can be checked against what storage really holds. When the last piece
is in, `finish` checks the SHA-256 and turns the pieces into the final file, or throws them all
away. A finished file never changes. Keys are attachment ids.
"""

from __future__ import annotations

import hashlib
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app
from flask_babel import gettext as _

KINDS = ("local", "s3")
EXTENSION = "rounds_storage"


class Missing(Exception):
    """The storage holds no final file under this key."""


class Unavailable(Exception):
    """The storage could not be reached or refused the request; nothing was decided."""


class Storage(ABC):
    """Attachment bytes: pieces of uploads in progress, and final files."""

    @abstractmethod
    def held(self, key: str) -> int:
        """How many bytes of an unfinished upload are kept, counted from byte 0 without a gap."""

    @abstractmethod
    def write(self, key: str, offset: int, data: bytes) -> None:
        """Keep `data` at `offset` (at most `held`); drop anything kept after `offset`."""

    @abstractmethod
    def finish(self, key: str, sha256: str, size: int) -> bool:
        """Check the `size` bytes held against `sha256`: on a match make them the final file,
        else throw them away. Either way no piece is left."""

    @abstractmethod
    def discard(self, key: str) -> None:
        """Throw away the pieces of an unfinished upload."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """The final file for reading, streamed; the caller closes it. Raises Missing."""

    @abstractmethod
    def put(self, key: str, data: bytes) -> None:
        """Store a whole final file at once (demo data, tests, benchmarks)."""

    def read(self, key: str) -> bytes | None:
        """The whole final file, or None when storage has none."""
        try:
            body = self.open(key)
        except Missing:
            return None
        with body:
            return body.read()


class LocalStorage(Storage):
    """Files in a folder: `<root>/<first two characters>/<id>`, pieces appended to `<id>.part`.
    Only for one app server (or a folder every server mounts)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _folder(self, key: str) -> Path:
        folder = self.root / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def part_path(self, key: str) -> Path:
        return self._folder(key) / f"{key}.part"

    def path(self, key: str) -> Path:
        return self._folder(key) / key

    def held(self, key: str) -> int:
        try:
            return self.part_path(key).stat().st_size
        except FileNotFoundError:
            return 0

    def write(self, key: str, offset: int, data: bytes) -> None:
        with open(self.part_path(key), "ab+") as fh:
            fh.truncate(offset)
            fh.seek(offset)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def finish(self, key: str, sha256: str, size: int) -> bool:
        part = self.part_path(key)
        digest = hashlib.sha256()
        try:
            with open(part, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
        except FileNotFoundError:
            return False
        if part.stat().st_size != size or digest.hexdigest() != sha256:
            part.unlink(missing_ok=True)
            return False
        os.replace(part, self.path(key))
        return True

    def discard(self, key: str) -> None:
        self.part_path(key).unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self.path(key), "rb")  # noqa: SIM115 - the response closes it
        except FileNotFoundError:
            raise Missing(key) from None

    def put(self, key: str, data: bytes) -> None:
        temporary = self._folder(key) / f"{key}.new"
        temporary.write_bytes(data)
        os.replace(temporary, self.path(key))


def build(app: Flask) -> Storage:
    """The storage the configuration names."""
    if app.config["STORAGE"] == "s3":
        from .s3 import S3Storage

        return S3Storage.from_config(app.config)
    configured = app.config.get("ATTACHMENTS_DIR")
    root = Path(configured) if configured else Path(app.instance_path) / "attachments"
    root.mkdir(parents=True, exist_ok=True)
    return LocalStorage(root)


def current() -> Storage:
    """The app's storage, made on first use and kept for the life of the process."""
    app = current_app._get_current_object()
    store = app.extensions.get(EXTENSION)
    if store is None:
        store = app.extensions[EXTENSION] = build(app)
    return store


def init_app(app: Flask) -> None:
    """Refuse to start on a storage setting that cannot work, and answer an unreachable
    storage with 503 and Retry-After (the device keeps its file and tries again)."""
    kind = app.config.get("STORAGE")
    if kind not in KINDS:
        raise RuntimeError(f"ROUNDS_STORAGE must be one of {', '.join(KINDS)}, not {kind!r}.")
    if kind == "s3":
        from .s3 import check_config

        check_config(app.config)

    from ..errors import envelope, wants_json

    @app.errorhandler(Unavailable)
    def _unavailable(error: Unavailable):
        app.logger.warning("attachment storage unavailable: %s", error)
        message = _("The file store cannot be reached just now. Try again in a minute.")
        if wants_json():
            return envelope(503, "storage_unavailable", message, headers={"Retry-After": "60"})
        return message, 503, {"Retry-After": "60"}
