"""Passkey rules: register, sign in, rename, remove, revoke; challenges used once, then spent.

Operations flush and never commit; the views decide the transactions. Every refusal is an
`ApiError` with a code of its own and a message in the user's language.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from peewee import IntegrityError
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from ..auth import permissions
from ..db import savepoint
from ..errors import ApiError, forbidden, not_found
from ..models import Passkey, PasskeyChallenge, User, utcnow
from ..records import audit
from . import ceremony
from .ceremony import Asserted, Refused, StoredCredential
from .relying_party import RelyingParty

REGISTER = "register"
SIGN_IN = "sign_in"
MAX_PASSKEYS = 20  # per user: more is a script, not a person

# Refused ceremonies, and what the person should do about each.
UNKNOWN_CEREMONY = "passkey_unknown_request"
EXPIRED = "passkey_expired"
REPLAYED = "passkey_replayed"
UNKNOWN_PASSKEY = "passkey_unknown"
REVOKED = "passkey_revoked"
DEACTIVATED = "account_deactivated"
ALREADY_REGISTERED = "passkey_already_registered"
TOO_MANY = "passkey_too_many"


def refusal_message(code: str) -> str:
    messages = {
        UNKNOWN_CEREMONY: _("This passkey request is not known here. Please try again."),
        EXPIRED: _("The passkey request took too long and has expired. Please try again."),
        REPLAYED: _("This passkey request was already used. Please try again."),
        UNKNOWN_PASSKEY: _(
            "This passkey is not registered for any account here. Sign in with your password, "
            "then add a passkey in Settings."
        ),
        REVOKED: _(
            "This passkey was removed or revoked. Sign in with your password, or ask the office."
        ),
        DEACTIVATED: _("This account is deactivated. Ask the office."),
        ALREADY_REGISTERED: _("This passkey is already registered."),
        TOO_MANY: _("You have too many passkeys. Remove one you no longer use first."),
        ceremony.MALFORMED: _("The passkey's answer could not be read. Please try again."),
        ceremony.WRONG_CHALLENGE: _("The passkey answered a different request. Please try again."),
        ceremony.WRONG_ORIGIN: _(
            "The passkey answered for another web address. Open Rounds at its usual address "
            "and try again."
        ),
        ceremony.WRONG_RP_ID: _("This passkey belongs to another site."),
        ceremony.NOT_PRESENT: _("The passkey did not confirm that you were there. Try again."),
        ceremony.NOT_VERIFIED: _(
            "The passkey did not check it was you (screen lock, fingerprint or face). "
            "Try again with the check switched on."
        ),
        ceremony.BAD_SIGNATURE: _(
            "The passkey's signature does not match. Try again, or sign in with your password."
        ),
        ceremony.COUNTER_REGRESSION: _(
            "This passkey's use counter went backwards, as a copied passkey's would. Sign in "
            "with your password and tell the office."
        ),
        ceremony.WRONG_CREDENTIAL: _("The passkey's answer could not be read. Please try again."),
    }
    return messages.get(code, _("The passkey was not accepted. Please try again."))


def refuse(code: str, status: int = 401) -> ApiError:
    return ApiError(status, code, refusal_message(code))


def user_handle(user: User) -> bytes:
    """The id the passkey stores for its user: the account's UUID, no name or secret in it."""
    return user.id.bytes if isinstance(user.id, uuid.UUID) else uuid.UUID(str(user.id)).bytes


# Challenges ---------------------------------------------------------------------------------


def new_challenge(*, purpose: str, user: User | None, lifetime: timedelta) -> PasskeyChallenge:
    """A fresh challenge for one ceremony, kept on the server until used or expired."""
    now = utcnow()
    PasskeyChallenge.delete().where(
        PasskeyChallenge.expires_at < now - timedelta(hours=1)
    ).execute()
    return PasskeyChallenge.create(
        purpose=purpose,
        challenge=bytes_to_base64url(ceremony.new_challenge()),
        user=user,
        created_at=now,
        expires_at=now + lifetime,
    )


def take_challenge(ceremony_id: Any, *, purpose: str, user: User | None = None) -> bytes:
    """Spend a ceremony's challenge: once, before its expiry, by the user it was made for.
    The caller commits the spending before it checks the answer, so a failed answer spends it
    too. Returns the challenge's bytes."""
    row = PasskeyChallenge.get_or_none(
        (PasskeyChallenge.id == ceremony_id) & (PasskeyChallenge.purpose == purpose)
    )
    if row is None or (user is not None and row.user_id != user.id):
        raise refuse(UNKNOWN_CEREMONY, 400)
    now = utcnow()
    if row.used_at is not None:
        raise refuse(REPLAYED, 400)
    if row.expires_at <= now:
        raise refuse(EXPIRED, 400)
    spent = (
        PasskeyChallenge.update(used_at=now)
        .where((PasskeyChallenge.id == row.id) & PasskeyChallenge.used_at.is_null())
        .execute()
    )
    if not spent:  # another request spent it between our read and our write
        raise refuse(REPLAYED, 400)
    return base64url_to_bytes(row.challenge)


def authentication_options(*, rp: RelyingParty, challenge: PasskeyChallenge) -> dict:
    return ceremony.authentication_options(rp=rp, challenge=base64url_to_bytes(challenge.challenge))


# Registration -------------------------------------------------------------------------------


def registration_options(*, actor: User, rp: RelyingParty, challenge: PasskeyChallenge) -> dict:
    return ceremony.registration_options(
        rp=rp,
        challenge=base64url_to_bytes(challenge.challenge),
        user_handle=user_handle(actor),
        user_name=actor.username,
        display_name=actor.display_name,
        exclude=[p.credential_id for p in Passkey.live().where(Passkey.user == actor)],
    )


def register_passkey(
    *, actor: User, rp: RelyingParty, challenge: bytes, name: str, credential: dict
) -> Passkey:
    """Keep a new passkey of the actor's, once its attestation checks out."""
    try:
        made = ceremony.verify_attestation(
            credential, challenge=challenge, origin=rp.origin, rp_id=rp.id
        )
    except Refused as refused:
        raise refuse(refused.code, 422) from None
    if Passkey.select().where(Passkey.credential_id == made.credential_id).exists():
        raise refuse(ALREADY_REGISTERED, 409)
    if Passkey.live().where(Passkey.user == actor).count() >= MAX_PASSKEYS:
        raise refuse(TOO_MANY, 422)
    try:
        with savepoint():
            passkey = _keep(actor, made, name, credential)
    except IntegrityError:  # the same passkey, registered by a request running beside this one
        raise refuse(ALREADY_REGISTERED, 409) from None
    audit(actor, "passkey_added", actor, {"passkey": str(passkey.id), "name": passkey.name})
    return passkey


def _keep(actor: User, made, name: str, credential: dict) -> Passkey:
    transports = credential.get("response", {}).get("transports") or []
    return Passkey.create(
        user=actor,
        credential_id=made.credential_id,
        public_key=bytes_to_base64url(made.public_key),
        sign_count=made.sign_count,
        name=name.strip(),
        transports=json.dumps([str(t)[:32] for t in transports if isinstance(t, str)][:8]),
        aaguid=made.aaguid,
        backed_up=made.backed_up,
        created_at=utcnow(),
    )


# Sign-in ------------------------------------------------------------------------------------


def stored_credential(passkey: Passkey) -> StoredCredential:
    return StoredCredential(
        credential_id=passkey.credential_id,
        public_key=base64url_to_bytes(passkey.public_key),
        sign_count=int(passkey.sign_count),
    )


def verify_passkey_assertion(
    passkey: Passkey,
    response: Any,
    *,
    challenge: bytes,
    rp: RelyingParty,
    check_counter: bool = True,
) -> Asserted:
    """The one check of an assertion by a stored passkey (sign-in now, signed check-ins later):
    refused when the passkey is revoked or the assertion breaks any rule of `ceremony`."""
    if passkey.revoked_at is not None:
        raise refuse(REVOKED)
    try:
        return ceremony.verify_assertion(
            stored_credential(passkey),
            response,
            challenge=challenge,
            origin=rp.origin,
            rp_id=rp.id,
            check_counter=check_counter,
        )
    except Refused as refused:
        raise refuse(refused.code) from None


def check_passkey_sign_in(
    *, rp: RelyingParty, challenge: bytes, credential: dict
) -> tuple[Passkey, Asserted]:
    """The active user an assertion signs in, with what it proved; refused with a reason."""
    try:
        credential_id = ceremony.credential_id_of(credential)
    except Refused as refused:
        raise refuse(refused.code) from None
    passkey = (
        Passkey.select(Passkey, User)
        .join(User, on=(Passkey.user == User.id))
        .where(Passkey.credential_id == credential_id)
        .first()
    )
    if passkey is None:
        raise refuse(UNKNOWN_PASSKEY)
    asserted = verify_passkey_assertion(passkey, credential, challenge=challenge, rp=rp)
    if asserted.user_handle is not None and asserted.user_handle != user_handle(passkey.user):
        raise refuse(ceremony.WRONG_CREDENTIAL)
    if not passkey.user.active:
        raise refuse(DEACTIVATED, 403)
    return passkey, asserted


def note_passkey_used(passkey: Passkey, asserted: Asserted) -> None:
    """Move the sign count and last use on, unless another sign-in with a count as high got
    there first or the passkey was revoked meanwhile (then refused: a replay or a copy)."""
    query = Passkey.update(
        sign_count=asserted.sign_count, last_used_at=utcnow(), backed_up=asserted.backed_up
    ).where((Passkey.id == passkey.id) & Passkey.revoked_at.is_null())
    if asserted.sign_count > 0:
        query = query.where(Passkey.sign_count < asserted.sign_count)
    if not query.execute():
        gone = Passkey.get_by_id(passkey.id).revoked_at is not None
        raise refuse(REVOKED if gone else ceremony.COUNTER_REGRESSION)


# Managing passkeys --------------------------------------------------------------------------


def passkeys_of(user: User, *, include_revoked: bool = False):
    query = Passkey.select() if include_revoked else Passkey.live()
    return query.where(Passkey.user == user).order_by(Passkey.created_at)


def get_own_passkey(actor: User, passkey_id: Any) -> Passkey:
    passkey = Passkey.live().where((Passkey.id == passkey_id) & (Passkey.user == actor)).first()
    if passkey is None:
        raise not_found()
    return passkey


def get_passkey_of(user: User, passkey_id: Any) -> Passkey:
    passkey = Passkey.get_or_none((Passkey.id == passkey_id) & (Passkey.user == user))
    if passkey is None:
        raise not_found()
    return passkey


def rename_passkey(*, actor: User, passkey: Passkey, name: str) -> Passkey:
    if passkey.user_id != actor.id:
        raise forbidden()
    passkey.name = name.strip()
    passkey.save()
    return passkey


def remove_passkey(*, actor: User, passkey: Passkey) -> bool:
    """The owner removes a passkey, or the office revokes one ("lost phone"): it can no longer
    sign anything. The row stays, marked. Returns whether it was still live. Someone else's
    passkey is revoked by an administrator only (auth/permissions.py)."""
    if actor.id != passkey.user_id:
        permissions.require(actor, "passkey", "revoke")
    revoked = (
        Passkey.update(revoked_at=utcnow(), revoked_by=actor)
        .where((Passkey.id == passkey.id) & Passkey.revoked_at.is_null())
        .execute()
    )
    if revoked:
        action = "passkey_removed" if actor.id == passkey.user_id else "passkey_revoked"
        audit(actor, action, passkey.user, {"passkey": str(passkey.id), "name": passkey.name})
    return revoked > 0


def for_office_page(user: User, viewer: User) -> dict:
    """What the office's user page shows of the user's passkeys (revoked ones too), and whether
    the viewer may revoke them (administrators only)."""
    return {
        "user_passkeys": list(passkeys_of(user, include_revoked=True)),
        "can_revoke_passkeys": permissions.may(viewer, "passkey", "revoke"),
    }
