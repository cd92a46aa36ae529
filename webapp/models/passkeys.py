"""Passkeys (WebAuthn credentials) and the challenges of their ceremonies. Rules in
`webapp/passkeys/`."""

from __future__ import annotations

import json
import uuid

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    TextField,
    UUIDField,
)

from .base import BaseModel, utcnow
from .people import User


class Passkey(BaseModel):
    """A passkey a user registered: its credential id and public key, never a secret. Removing
    or revoking one keeps the row (revoked_at), so that what it signed stays explainable and a
    revoked credential is refused by name rather than as unknown."""

    id = UUIDField(primary_key=True, default=uuid.uuid4)
    user = ForeignKeyField(User, backref="passkeys", on_delete="CASCADE")
    credential_id = CharField(max_length=1400, unique=True)  # base64url, at most 1023 bytes
    public_key = TextField()  # COSE key, base64url
    sign_count = BigIntegerField(default=0)
    name = CharField(max_length=80)
    transports = TextField(default="[]")  # JSON list the browser reported ("internal", ...)
    aaguid = CharField(max_length=36, default="")
    backed_up = BooleanField(default=False)  # a synced passkey
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    @property
    def transport_list(self) -> list[str]:
        try:
            value = json.loads(self.transports or "[]")
        except ValueError:
            return []
        return [str(v) for v in value] if isinstance(value, list) else []

    @classmethod
    def live(cls):
        return cls.select().where(cls.revoked_at.is_null())


class PasskeyChallenge(BaseModel):
    """One ceremony's challenge, kept on the server: used once, then never again, and only
    until it expires. Its id is the ceremony the browser names when it answers."""

    id = UUIDField(primary_key=True, default=uuid.uuid4)
    purpose = CharField(max_length=16)  # "register" or "sign_in"
    challenge = CharField(max_length=64)  # base64url of 32 random bytes
    user = ForeignKeyField(User, null=True, backref="+", on_delete="CASCADE")  # who registers
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(index=True)
    used_at = DateTimeField(null=True)
