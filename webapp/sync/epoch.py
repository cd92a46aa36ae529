"""The server's epoch: the identity of its history, renewed after a restore from backup."""

from __future__ import annotations

import uuid

from ..models import ServerMeta

EPOCH = "epoch"


def current_epoch() -> str:
    row = ServerMeta.get_or_none(ServerMeta.key == EPOCH)
    if row is not None:
        return row.value  # the usual case: a read, so a pull never waits for the write lock
    ServerMeta.insert(key=EPOCH, value=str(uuid.uuid4())).on_conflict_ignore().execute()
    return ServerMeta.get_by_id(EPOCH).value


def renew_epoch() -> str:
    """Start a new history: devices re-send what this server may have lost."""
    value = str(uuid.uuid4())
    current_epoch()
    ServerMeta.update(value=value).where(ServerMeta.key == EPOCH).execute()
    return value
