"""Where attachment bytes live: a directory (instance/attachments by default)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import current_app


def root() -> Path:
    configured = current_app.config.get("ATTACHMENTS_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _dir_for(attachment_id: str) -> Path:
    folder = root() / attachment_id[:2]
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def part_path(attachment_id: str) -> Path:
    return _dir_for(attachment_id) / f"{attachment_id}.part"


def final_path(attachment_id: str) -> Path:
    return _dir_for(attachment_id) / attachment_id


def append_chunk(attachment_id: str, offset: int, data: bytes) -> None:
    """Write bytes at `offset`, dropping anything after it that no commit acknowledged."""
    path = part_path(attachment_id)
    with open(path, "ab+") as fh:
        fh.truncate(offset)
        fh.seek(offset)
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def finish(attachment_id: str, expected_sha256: str) -> bool:
    """Check the digest; on success move the file in place, else throw the bytes away."""
    path = part_path(attachment_id)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected_sha256:
        path.unlink(missing_ok=True)
        return False
    os.replace(path, final_path(attachment_id))
    return True
