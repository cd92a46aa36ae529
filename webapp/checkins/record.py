"""What a check-in's passkey signs: the canonical bytes of its record (docs/checkins.md).

`static/js/checkins.js` writes the same bytes on the phone; both must change together. The shared
cases in tests/checkin_vectors.json run against both (tests/test_checkin_vectors.py here, and
tests/browser/test_checkin_vectors.py in Chromium). The JSON is the seal's canonical form
(`rounds/seal.canonical_json`), not a third one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ..rounds.seal import canonical_json

VERSION = 2  # 2: with the access fields (purpose, people, escorts); 1: before them
LEGACY_VERSION = 1  # still read: a phone may hold v1 records made before its app was updated
TYPE = "rounds-checkin"  # no other signed thing of ours has these bytes


def _id(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def content(record: Mapping[str, Any], version: int = VERSION) -> dict[str, Any]:
    """The signed fields, from the record's fields by their names in the contract. The passkey's
    credential id is not among them: the assertion names it itself. Version 1 had no access
    fields; version 2 always has them (empty away from a restricted room)."""
    signed = {
        "type": TYPE,
        "v": version,
        "id": str(record["id"]),
        "user_id": str(record["user_id"]),
        "site_id": str(record["site_id"]),
        "location_id": _id(record.get("location_id")),
        "tag_token": record.get("tag_token") or "",
        "kind": record["kind"],
        "device_time": record["device_time"],
        "server_time": record.get("server_time") or "",
    }
    if version >= 2:
        people = record.get("people")
        signed["purpose"] = record.get("purpose") or ""
        signed["people"] = None if people is None else int(people)
        signed["escorts"] = [str(name) for name in record.get("escorts") or ()]
    return signed


def canonical_bytes(record: Mapping[str, Any], version: int = VERSION) -> bytes:
    return canonical_json(content(record, version)).encode("utf-8")


def has_access_fields(record: Mapping[str, Any]) -> bool:
    return bool(record.get("purpose") or record.get("people") is not None or record.get("escorts"))


def challenge_of(data: bytes) -> bytes:
    """The WebAuthn challenge the phone asked the passkey to sign: SHA-256 of the bytes."""
    return hashlib.sha256(data).digest()
