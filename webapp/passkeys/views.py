"""Passkeys over JSON: add, list, rename and remove one's own; sign in with one.

The office's pages (a user's passkeys, revoking one) are in `pages.py`.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app
from flask_login import current_user

from .. import clock
from ..accounts.schemas import MeOut
from ..api import endpoint
from ..auth import throttle
from ..auth.login import client_address
from ..auth.scope import parse_id
from ..auth.signin import begin_session, signed_in_user
from ..db import write_transaction
from ..models import User
from . import operations as ops
from .relying_party import current_rp
from .schemas import (
    CeremonyOut,
    PasskeyOut,
    PasskeyRegisterBody,
    PasskeyRename,
    PasskeySignInBody,
)

api = Blueprint("passkeys_api", __name__, url_prefix="/api/passkeys")
TAGS = ["passkeys"]


def _lifetime() -> timedelta:
    return timedelta(seconds=int(current_app.config["PASSKEY_CHALLENGE_SECONDS"]))


def _actor() -> User:
    return current_user._get_current_object()


@endpoint(api, "", ["GET"], summary="My passkeys", response=PasskeyOut, many=True, tags=TAGS)
def my_passkeys():
    return list(ops.passkeys_of(_actor()))


@endpoint(
    api,
    "/register/options",
    ["POST"],
    summary="Start adding a passkey: options for navigator.credentials.create()",
    response=CeremonyOut,
    tags=TAGS,
)
def registration_options():
    actor = _actor()
    challenge = ops.new_challenge(purpose=ops.REGISTER, user=actor, lifetime=_lifetime())
    challenge.options = ops.registration_options(actor=actor, rp=current_rp(), challenge=challenge)
    return challenge


@endpoint(
    api,
    "/register",
    ["POST"],
    summary="Add a passkey: the answer of navigator.credentials.create()",
    body=PasskeyRegisterBody,
    response=PasskeyOut,
    status=201,
    transaction=False,
    tags=TAGS,
)
def register(body):
    actor = _actor()
    with write_transaction():  # spent even when the answer is refused: used once, either way
        challenge = ops.take_challenge(body["ceremony"], purpose=ops.REGISTER, user=actor)
    with write_transaction():
        return ops.register_passkey(
            actor=actor,
            rp=current_rp(),
            challenge=challenge,
            name=body["name"],
            credential=body["credential"],
        )


@endpoint(
    api,
    "/<passkey_id>",
    ["PATCH"],
    summary="Rename one of my passkeys",
    body=PasskeyRename,
    response=PasskeyOut,
    tags=TAGS,
)
def rename(passkey_id, body):
    actor = _actor()
    passkey = ops.get_own_passkey(actor, parse_id(passkey_id))
    return ops.rename_passkey(actor=actor, passkey=passkey, name=body["name"])


@endpoint(api, "/<passkey_id>", ["DELETE"], summary="Remove one of my passkeys", tags=TAGS)
def remove(passkey_id):
    actor = _actor()
    ops.remove_passkey(actor=actor, passkey=ops.get_own_passkey(actor, parse_id(passkey_id)))
    return "", 204


@endpoint(
    api,
    "/sign-in/options",
    ["POST"],
    summary="Start signing in with a passkey: options for navigator.credentials.get()",
    response=CeremonyOut,
    public=True,
    tags=TAGS,
)
def sign_in_options():
    # Anyone may ask, so each address gets a limited number (auth/throttle.py, docs/security.md).
    config = current_app.config
    throttle.count_request(
        key=f"passkey:challenge:{client_address()}",
        limit=int(config["PASSKEY_CHALLENGES_PER_ADDRESS"]),
        window_seconds=int(config["PASSKEY_CHALLENGE_WINDOW_SECONDS"]),
        now=clock.now().replace(tzinfo=None),
    )
    challenge = ops.new_challenge(purpose=ops.SIGN_IN, user=None, lifetime=_lifetime())
    challenge.options = ops.authentication_options(rp=current_rp(), challenge=challenge)
    return challenge


@endpoint(
    api,
    "/sign-in",
    ["POST"],
    summary="Sign in with a passkey: the answer of navigator.credentials.get()",
    body=PasskeySignInBody,
    response=MeOut,
    public=True,
    transaction=False,
    tags=TAGS,
)
def sign_in(body):
    with write_transaction():  # spent even when the answer is refused: used once, either way
        challenge = ops.take_challenge(body["ceremony"], purpose=ops.SIGN_IN)
    passkey, asserted = ops.check_passkey_sign_in(
        rp=current_rp(), challenge=challenge, credential=body["credential"]
    )
    begin_session(passkey.user, also=lambda: ops.note_passkey_used(passkey, asserted))
    return signed_in_user()
