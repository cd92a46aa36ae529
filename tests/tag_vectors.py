"""Make tests/tag_vectors.json: the shared cases of tag tokens and tag links.

The same file runs against the server (tests/test_tag_vectors.py, webapp/tags/signing.py and
/t/<token>) and in Chromium against the phone (tests/browser/test_tag_rules.py,
static/js/tags.js), so the two accept exactly the same tokens and links. The keys are fixed and
Ed25519 signatures are deterministic: running this again writes the same file, and a test fails
when the file and this script disagree.

    .venv/bin/python -m tests.tag_vectors      # rewrite tests/tag_vectors.json
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PATH = Path(__file__).with_name("tag_vectors.json")
ORIGIN = "http://localhost"  # the test client's origin; the browser test passes it explicitly
CONTEXT = b"rounds-tag"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# Fixed test keys and ids: the same bytes on every run.
KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"rounds tag vectors: key").digest())
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(
    hashlib.sha256(b"rounds tag vectors: another key").digest()
)
EQUIPMENT_TAG = uuid.UUID("2f0c6a7e-5b1d-4c2a-9e3f-0a1b2c3d4e5f")
LOCATION_TAG = uuid.UUID("7d3e9b10-8c4f-4a6b-b2d1-1f2e3d4c5b6a")
REVOKED_TAG = uuid.UUID("c1a2b3d4-e5f6-4789-8abc-def012345678")


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64(raw)


def private_pem(key: Ed25519PrivateKey = KEY) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def sign(payload: bytes, key: Ed25519PrivateKey = KEY) -> str:
    return b64(payload + key.sign(CONTEXT + payload))


def payload(tag_id: uuid.UUID, kind: int = 1, version: int = 1) -> bytes:
    return bytes([version, kind]) + tag_id.bytes


def flip_case(token: str, start: int) -> str:
    """The token with the case of its first letter at or after `start` changed."""
    at = next(i for i in range(start, len(token)) if token[i].isalpha())
    return token[:at] + token[at].swapcase() + token[at + 1 :]


def token_cases() -> list[dict[str, Any]]:
    good = sign(payload(EQUIPMENT_TAG))
    room = sign(payload(LOCATION_TAG, kind=2))
    raw = unb64(good)
    last = ALPHABET.index(good[-1])
    assert last % 16 == 0, "the last character of a canonical token has 4 zero bits"

    def ok(name, token, kind, tag_id, **extra):
        return {"name": name, "token": token, "ok": True, "kind": kind, "tag_id": str(tag_id)}

    def refused(name, token, reason):
        return {"name": name, "token": token, "ok": False, "reason": reason}

    cases = [
        ok("equipment tag", good, "equipment", EQUIPMENT_TAG),
        ok("location tag", room, "location", LOCATION_TAG),
        {
            **ok("revoked tag", sign(payload(REVOKED_TAG)), "equipment", REVOKED_TAG),
            "revoked": True,
        },
    ]
    # The same 82 bytes spelled with one of the last character's 4 unused bits set.
    for bits in range(1, 16):
        respelled = good[:-1] + ALPHABET[last | bits]
        assert unb64(respelled) == raw
        cases.append(
            refused(f"unused bits {bits:04b} set in the last character", respelled, "malformed")
        )
    cases += [
        refused("padded with =", good + "=", "malformed"),
        refused("padded with ==", good + "==", "malformed"),
        refused("a trailing character", good + "A", "malformed"),
        refused("two trailing characters", good + "AA", "malformed"),
        refused("a trailing space", good + " ", "malformed"),
        refused("a trailing newline", good + "\n", "malformed"),
        refused("a leading space", " " + good, "malformed"),
        refused("a trailing slash", good + "/", "malformed"),
        refused("cut short by one", good[:-1], "malformed"),
        refused("cut short by six", good[:-6], "malformed"),
        refused("empty", "", "malformed"),
        refused(
            "standard base64 alphabet", good.replace("-", "+").replace("_", "/") + "+/", "malformed"
        ),
        refused("a percent sign", good[:-3] + "%41", "malformed"),
        refused("a full-width letter", good[:-1] + "Ａ", "malformed"),
        refused("the last character replaced by a newline", good[:-1] + "\n", "malformed"),
        refused("case changed in the version byte", flip_case(good, 0), "malformed"),
        refused("case changed in the tag id", flip_case(good, 4), "signature"),
        refused("case changed in the signature", flip_case(good, 60), "signature"),
        refused(
            "case changed in the last character",
            good[:-1] + good[-1].swapcase(),
            "malformed" if ALPHABET.index(good[-1].swapcase()) % 16 else "signature",
        ),
        refused("unknown format version", sign(payload(EQUIPMENT_TAG, version=2)), "malformed"),
        refused("unknown kind", sign(payload(EQUIPMENT_TAG, kind=3)), "malformed"),
        refused("signed with another key", sign(payload(EQUIPMENT_TAG), OTHER_KEY), "signature"),
        refused(
            "signature of another tag", b64(payload(LOCATION_TAG, kind=1) + raw[18:]), "signature"
        ),
        refused("signature zeroed", b64(raw[:18] + bytes(64)), "signature"),
        refused(
            "kind changed, signature kept",
            b64(payload(EQUIPMENT_TAG, kind=2) + raw[18:]),
            "signature",
        ),
    ]
    names = [case["name"] for case in cases]
    assert len(names) == len(set(names))
    return cases


def link_cases() -> list[dict[str, Any]]:
    """What a QR code may hold, the path a browser asks the server for when a camera app opens
    it (null: the text is no link to this server), and whether it opens the tag."""
    good = sign(payload(EQUIPMENT_TAG))
    spelled = good[:-1] + ALPHABET[ALPHABET.index(good[-1]) | 1]
    encoded = "".join(
        f"%{ord(c):02X}" if c.isalpha() and i % 7 == 0 else c for i, c in enumerate(good)
    )
    host = ORIGIN.removeprefix("http://")

    def link(name, text, path, opens):
        return {"name": name, "text": text, "path": path, "opens": opens}

    return [
        link("the printed link", f"{ORIGIN}/t/{good}", f"/t/{good}", True),
        link("a bare token", good, None, True),
        link("a bare token with a newline after it", good + "\n", None, True),
        link("spaces around the link", f"  {ORIGIN}/t/{good}\n", f"/t/{good}", True),
        link("a query string", f"{ORIGIN}/t/{good}?from=wechat", f"/t/{good}?from=wechat", True),
        link("a fragment", f"{ORIGIN}/t/{good}#top", f"/t/{good}", True),
        link("the host in capitals", f"HTTP://{host.upper()}/t/{good}", f"/t/{good}", True),
        link("letters percent-encoded", f"{ORIGIN}/t/{encoded}", f"/t/{encoded}", True),
        link("a trailing slash", f"{ORIGIN}/t/{good}/", f"/t/{good}/", False),
        link("two trailing slashes", f"{ORIGIN}/t/{good}//", f"/t/{good}//", False),
        link("T in capitals", f"{ORIGIN}/T/{good}", f"/T/{good}", False),
        link("a second spelling", f"{ORIGIN}/t/{spelled}", f"/t/{spelled}", False),
        link("padded", f"{ORIGIN}/t/{good}==", f"/t/{good}==", False),
        link("a trailing encoded space", f"{ORIGIN}/t/{good}%20", f"/t/{good}%20", False),
        link("an extra path segment", f"{ORIGIN}/t/{good}/x", f"/t/{good}/x", False),
        link("a path before /t/", f"{ORIGIN}/app/t/{good}", f"/app/t/{good}", False),
        link("a bare token padded", good + "==", None, False),
        link("another origin", f"https://rounds.example.org/t/{good}", None, False),
        link("another port", f"http://{host}:8081/t/{good}", None, False),
        link("https instead of http", f"https://{host}/t/{good}", None, False),
        link("the office page", f"{ORIGIN}/office/tags", "/office/tags", False),
        link("a Wi-Fi code", "WIFI:T:WPA;S:guest;P:12345678;;", None, False),
    ]


def build() -> dict[str, Any]:
    return {
        "about": (
            "Shared cases for webapp/tags/signing.py and /t/<token> (tests/test_tag_vectors.py) "
            "and static/js/tags.js (tests/browser/test_tag_rules.py). Made by tests/tag_vectors.py "
            "with fixed keys; do not edit by hand. `key` is the raw public key (base64url) that "
            "signed the good tokens; a token case is accepted (kind, tag id) or refused with a "
            "reason: malformed (not exactly one canonical spelling of a known format) or "
            "signature. A link case says whether scanning or opening the text opens the tag; "
            "`path` is what a browser asks the server for (null: not a link to this server)."
        ),
        "origin": ORIGIN,
        "key": public_b64(KEY),
        "tokens": token_cases(),
        "links": link_cases(),
    }


def render() -> str:
    """The file's text: one case per line, so that a change reads well in a diff."""
    lines = []
    for key, value in build().items():
        if isinstance(value, list):
            cases = ",\n".join(f"  {json.dumps(case, ensure_ascii=False)}" for case in value)
            lines.append(f" {json.dumps(key)}: [\n{cases}\n ]")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


if __name__ == "__main__":
    PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {PATH}")
