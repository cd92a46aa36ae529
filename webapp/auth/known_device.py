"""A browser where an account signed in before: its password attempts skip the account's delay.

Without it, someone guessing from many addresses could keep taking the account's next allowed
attempt as soon as its delay ends, and the owner would keep getting "try again in a minute". A
successful sign-in leaves a signed cookie naming this browser (a random id) and the accounts
that signed in here; an attempt for one of those accounts is then throttled by its own failures
(the pair account + this browser) and the address limit, never by failures from elsewhere. The
cookie cannot be forged without the secret key, and outlives sign-out (it signs nobody in).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import Flask, Request, Response
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "rounds_device"
MAX_AGE = 365 * 86400
MAX_ACCOUNTS = 5


@dataclass(frozen=True)
class KnownDevice:
    id: str
    usernames: tuple[str, ...]


def _serializer(app: Flask) -> URLSafeSerializer:
    return URLSafeSerializer(app.secret_key, salt="rounds-known-device")


def read_known_device(app: Flask, request: Request) -> KnownDevice | None:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 2000:
        return None
    try:
        data = _serializer(app).loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return None
    names = data.get("u")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    return KnownDevice(data["d"][:32], tuple(names[-MAX_ACCOUNTS:]))


def device_for(known: KnownDevice | None, username: str) -> str | None:
    """This browser's id when the account signed in here before, else None."""
    name = username.strip().lower()
    return known.id if known is not None and name in known.usernames else None


def remember_known_device(
    app: Flask, response: Response, known: KnownDevice | None, username: str
) -> Response:
    """After a successful sign-in: this browser now knows this account."""
    name = username.strip().lower()
    device_id = known.id if known is not None else secrets.token_urlsafe(12)
    names = [n for n in (known.usernames if known else ()) if n != name] + [name]
    value = _serializer(app).dumps({"d": device_id, "u": names[-MAX_ACCOUNTS:]})
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response
