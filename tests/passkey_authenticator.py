"""A software authenticator: real WebAuthn attestations and assertions, made with `cryptography`
(ECDSA P-256, COSE ES256), so the server's ceremonies are tested with what a browser sends.

Each knob breaks one rule a server must check: the origin and rp id written into the answer,
user presence and verification flags, the sign count (stuck at 0 like a synced passkey), and
the signing key."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftPasskey:
    """One credential held by the authenticator."""

    rp_id: str
    user_handle: bytes
    credential_id: bytes = field(default_factory=lambda: os.urandom(16))
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    sign_count: int = 0

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )


@dataclass
class SoftAuthenticator:
    origin: str
    counting: bool = True  # False: sign count stays 0, as synced passkeys send it
    passkeys: list[SoftPasskey] = field(default_factory=list)

    def create(
        self,
        options: dict,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
        user_present: bool = True,
        challenge: str | None = None,
        credential_id: bytes | None = None,
    ) -> dict:
        """Answer `navigator.credentials.create(options)` (options as the server sent them)."""
        passkey = SoftPasskey(
            rp_id=options["rp"]["id"], user_handle=unb64url(options["user"]["id"])
        )
        if credential_id is not None:
            passkey.credential_id = credential_id
        self.passkeys.append(passkey)
        client = self._client_data("webauthn.create", challenge or options["challenge"], origin)
        flags = AT | (UP if user_present else 0) | (UV if user_verified else 0)
        cid = passkey.credential_id
        auth_data = (
            hashlib.sha256((rp_id or passkey.rp_id).encode()).digest()
            + bytes([flags])
            + struct.pack(">I", 0)
            + bytes(16)  # aaguid
            + struct.pack(">H", len(cid))
            + cid
            + passkey.cose_public_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(cid),
            "rawId": b64url(cid),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(
        self,
        options: dict,
        *,
        passkey: SoftPasskey | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
        user_present: bool = True,
        challenge: str | None = None,
        sign_count: int | None = None,
        signing_key: ec.EllipticCurvePrivateKey | None = None,
    ) -> dict:
        """Answer `navigator.credentials.get(options)` with a discoverable passkey."""
        passkey = passkey or self.passkeys[-1]
        if self.counting:
            passkey.sign_count += 1
        count = passkey.sign_count if sign_count is None else sign_count
        client = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        flags = (UP if user_present else 0) | (UV if user_verified else 0)
        auth_data = (
            hashlib.sha256((rp_id or passkey.rp_id).encode()).digest()
            + bytes([flags])
            + struct.pack(">I", count)
        )
        signed = auth_data + hashlib.sha256(client).digest()
        signature = (signing_key or passkey.key).sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(passkey.credential_id),
            "rawId": b64url(passkey.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(passkey.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {
                "type": kind,
                "challenge": challenge,
                "origin": origin or self.origin,
                "crossOrigin": False,
            },
            separators=(",", ":"),
        ).encode()
