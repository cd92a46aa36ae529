"""Who is signed in where, and recent failed password sign-ins. Rules in `webapp/auth/`."""

from __future__ import annotations

import json
import uuid

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField, UUIDField

from .base import BaseModel, utcnow
from .people import User


class UserSession(BaseModel):
    """One signed-in browser or app install. The cookie carries a random token; the row keeps
    only its SHA-256, so a copy of the database signs nobody in. A session ends by revocation
    (sign-out, password change, deactivation, the office) or by going unused too long."""

    id = UUIDField(primary_key=True, default=uuid.uuid4)
    token_hash = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)  # written at most once a minute
    address = CharField(max_length=64, default="")  # the client address last seen
    device = CharField(max_length=120, default="")  # "XiaoMi Redmi Note 12 · Android 13 · ..."
    client_ids = TextField(default="[]")  # the app installs (sync client ids) it synced for
    revoked_at = DateTimeField(null=True)
    revoked_reason = CharField(max_length=32, default="")
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    @property
    def sync_clients(self) -> list[str]:
        try:
            value = json.loads(self.client_ids or "[]")
        except ValueError:
            return []
        return [str(v) for v in value] if isinstance(value, list) else []


class LoginThrottle(BaseModel):
    """Recent failed password sign-ins under one key: an account, an address, or the pair.

    One row per key, read and changed under its row lock, so that parallel attempts cannot all
    pass one check (webapp/auth/throttle.py)."""

    key = CharField(max_length=160, primary_key=True)
    failures = IntegerField(default=0)
    last_failure_at = DateTimeField(default=utcnow, index=True)
