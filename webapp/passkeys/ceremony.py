"""The two WebAuthn ceremonies, checked one rule at a time so that each refusal says which rule.

Nothing here knows about requests, sessions or the database: it takes what the browser sent and
what the server expects, and returns what was verified or raises `Refused(code)`. The check-ins
the phone signs offline reuse `verify_assertion` with the SHA-256 of a record as the challenge.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    bytes_to_base64url,
    options_to_json_dict,
    parse_authentication_credential_json,
    parse_authenticator_data,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .relying_party import RelyingParty

CHALLENGE_BYTES = 32
TIMEOUT_MS = 120_000

# Why a ceremony was refused (the API's error codes; messages in operations.py).
MALFORMED = "passkey_malformed"
WRONG_CHALLENGE = "passkey_wrong_challenge"
WRONG_ORIGIN = "passkey_wrong_origin"
WRONG_RP_ID = "passkey_wrong_rp_id"
NOT_PRESENT = "passkey_user_not_present"
NOT_VERIFIED = "passkey_user_not_verified"
BAD_SIGNATURE = "passkey_bad_signature"
COUNTER_REGRESSION = "passkey_counter_regression"
WRONG_CREDENTIAL = "passkey_wrong_credential"


class Refused(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class StoredCredential:
    """What the server keeps of a passkey, as the check needs it."""

    credential_id: str  # base64url
    public_key: bytes  # COSE
    sign_count: int


@dataclass(frozen=True)
class Registered:
    credential_id: str
    public_key: bytes
    sign_count: int
    aaguid: str
    backed_up: bool


@dataclass(frozen=True)
class Asserted:
    credential_id: str
    sign_count: int
    user_handle: bytes | None
    backed_up: bool


def new_challenge() -> bytes:
    return secrets.token_bytes(CHALLENGE_BYTES)


def registration_options(
    *,
    rp: RelyingParty,
    challenge: bytes,
    user_handle: bytes,
    user_name: str,
    display_name: str,
    exclude: list[str],
) -> dict[str, Any]:
    """Options for `navigator.credentials.create()`: a discoverable credential (a passkey),
    user verification required, no attestation (we trust the key, not the maker)."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle,
        user_name=user_name,
        user_display_name=display_name or user_name,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=_b64decode(cid)) for cid in exclude],
    )
    return options_to_json_dict(options)


def authentication_options(*, rp: RelyingParty, challenge: bytes) -> dict[str, Any]:
    """Options for `navigator.credentials.get()`: no credential list, so the browser offers the
    passkeys it holds for this site (discoverable), and the user must be verified."""
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json_dict(options)


def verify_attestation(
    response: dict[str, Any], *, challenge: bytes, origin: str, rp_id: str
) -> Registered:
    """Check a new passkey (the answer of `navigator.credentials.create()`)."""
    try:
        credential = parse_registration_credential_json(response)
        client = parse_client_data_json(bytes(credential.response.client_data_json))
    except (InvalidJSONStructure, InvalidRegistrationResponse, ValueError, TypeError) as exc:
        raise Refused(MALFORMED, str(exc)) from None
    if client.type != "webauthn.create":
        raise Refused(MALFORMED, f"client data type {client.type}")
    _check_client(client, challenge=challenge, origin=origin)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_presence=True,
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, ValueError, TypeError) as exc:
        raise Refused(_registration_code(str(exc)), str(exc)) from None
    return Registered(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes(verified.credential_public_key),
        sign_count=verified.sign_count,
        aaguid=str(verified.aaguid or ""),
        backed_up=bool(verified.credential_backed_up),
    )


def credential_id_of(response: Any) -> str:
    """The credential an assertion claims to come from (to find its stored key)."""
    try:
        return bytes_to_base64url(parse_authentication_credential_json(response).raw_id)
    except (InvalidJSONStructure, InvalidAuthenticationResponse, ValueError, TypeError) as exc:
        raise Refused(MALFORMED, str(exc)) from None


def verify_assertion(
    stored: StoredCredential,
    response: Any,
    *,
    challenge: bytes,
    origin: str,
    rp_id: str,
    check_counter: bool = True,
) -> Asserted:
    """Check an assertion (the answer of `navigator.credentials.get()`) made by `stored` over
    `challenge` at `origin` for `rp_id`, with the user present and verified.

    `check_counter=False` leaves out the sign count (assertions made offline arrive out of
    order; their replay guard is the record's unique id).
    """
    try:
        credential = parse_authentication_credential_json(response)
        client = parse_client_data_json(bytes(credential.response.client_data_json))
        auth = parse_authenticator_data(bytes(credential.response.authenticator_data))
    except (InvalidJSONStructure, InvalidAuthenticationResponse, ValueError, TypeError) as exc:
        raise Refused(MALFORMED, str(exc)) from None
    if bytes_to_base64url(credential.raw_id) != stored.credential_id:
        raise Refused(WRONG_CREDENTIAL)
    if client.type != "webauthn.get":
        raise Refused(MALFORMED, f"client data type {client.type}")
    _check_client(client, challenge=challenge, origin=origin)
    if auth.rp_id_hash != hashlib.sha256(rp_id.encode()).digest():
        raise Refused(WRONG_RP_ID)
    if not auth.flags.up:
        raise Refused(NOT_PRESENT)
    if not auth.flags.uv:
        raise Refused(NOT_VERIFIED)
    known = stored.sign_count if check_counter else 0
    if (auth.sign_count > 0 or known > 0) and auth.sign_count <= known:
        # A count that does not move forward: a copy of the key, or a replayed answer.
        raise Refused(COUNTER_REGRESSION, f"{auth.sign_count} <= {known}")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=stored.public_key,
            credential_current_sign_count=known,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, ValueError, TypeError) as exc:
        # Every other rule was checked above: what is left is the signature itself.
        raise Refused(BAD_SIGNATURE, str(exc)) from None
    handle = credential.response.user_handle
    return Asserted(
        credential_id=stored.credential_id,
        sign_count=verified.new_sign_count,
        user_handle=bytes(handle) if handle else None,
        backed_up=bool(verified.credential_backed_up),
    )


def _check_client(client, *, challenge: bytes, origin: str) -> None:
    if client.challenge != challenge:
        raise Refused(WRONG_CHALLENGE)
    if client.origin != origin:
        raise Refused(WRONG_ORIGIN, f"{client.origin} != {origin}")


def _registration_code(detail: str) -> str:
    lowered = detail.lower()
    if "rp id" in lowered:
        return WRONG_RP_ID
    if "verification" in lowered:
        return NOT_VERIFIED
    if "present" in lowered:
        return NOT_PRESENT
    return MALFORMED


def _b64decode(value: str) -> bytes:
    from webauthn.helpers import base64url_to_bytes

    return base64url_to_bytes(value)
