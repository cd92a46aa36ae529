"""Sessions kept in the database, so that any app server can end one (docs/security.md).

The browser's cookie carries a random token; the `UserSession` row keeps only its SHA-256. A
request is signed in only while its row is live: not revoked, not unused for longer than the
session lifetime, its user still active. Sign-out, a password change, deactivating an account
and the office ("lost phone") revoke rows; a revoked row never comes back.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from ..models import User, UserSession, utcnow
from ..records import audit
from .devices import describe_device

TOUCH_EVERY = timedelta(minutes=1)
KEEP_ENDED = timedelta(days=30)  # ended sessions stay visible in the audit, rows go after this
MAX_CLIENT_IDS = 5

# Why a session ended (stored; shown translated by the pages that list them).
SIGNED_OUT = "signed_out"
REPLACED = "replaced"  # the same browser signed in again
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a secret
DEACTIVATED = "deactivated"
SIGNED_OUT_ELSEWHERE = "signed_out_elsewhere"  # the user's "sign out other devices"
SIGNED_OUT_BY_OFFICE = "signed_out_by_office"  # a dispatcher or admin ("lost phone")
RESTORED = "restored"  # a backup was restored: sessions ended since then came back with it


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(*, user: User, address: str, user_agent: str) -> tuple[UserSession, str]:
    """A new session for a user who just proved who they are; returns the row and the token
    for the cookie (the only place the token is kept)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession.create(
        token_hash=hash_token(token),
        user=user,
        created_at=now,
        last_seen_at=now,
        address=(address or "")[:64],
        device=describe_device(user_agent),
    )
    # The user's sessions that ended long ago: nothing reads them any more.
    UserSession.delete().where(
        (UserSession.user == user)
        & (
            (UserSession.revoked_at < now - KEEP_ENDED)
            | (UserSession.last_seen_at < now - KEEP_ENDED)
        )
    ).execute()
    return row, token


def live_sessions():
    """Sessions that have not been revoked (callers also check the lifetime: `is_live`)."""
    return UserSession.select().where(UserSession.revoked_at.is_null())


def is_live(row: UserSession, *, lifetime: timedelta, now: datetime | None = None) -> bool:
    return row.revoked_at is None and (now or utcnow()) - row.last_seen_at < lifetime


def find_session(token: str | None, *, lifetime: timedelta) -> UserSession | None:
    """The live session this token belongs to, with its (active) user; else None."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    row = (
        UserSession.select(UserSession, User)
        .join(User, on=(UserSession.user == User.id))
        .where(UserSession.token_hash == hash_token(token))
        .first()
    )
    if row is None or not is_live(row, lifetime=lifetime) or not row.user.active:
        return None
    return row


def touch_session(
    row: UserSession, *, address: str, client_id: str | None = None, now: datetime | None = None
) -> bool:
    """Note that the session was used: at most once a minute, or when a new app install syncs
    with it. Returns whether a row was written."""
    now = now or utcnow()
    clients = row.sync_clients
    new_client = client_id is not None and client_id not in clients
    if not new_client and now - row.last_seen_at < TOUCH_EVERY:
        return False
    changes = {UserSession.last_seen_at: now, UserSession.address: (address or "")[:64]}
    if new_client:
        clients = [*clients, client_id][-MAX_CLIENT_IDS:]
        changes[UserSession.client_ids] = json.dumps(clients)
    query = UserSession.update(changes).where(
        (UserSession.id == row.id) & UserSession.revoked_at.is_null()
    )
    if not new_client:  # another request of this session may have just done it
        query = query.where(UserSession.last_seen_at <= now - TOUCH_EVERY)
    return query.execute() > 0


def sessions_of(user: User, *, lifetime: timedelta):
    """The user's live sessions, most recently used first."""
    return (
        live_sessions()
        .where((UserSession.user == user) & (UserSession.last_seen_at > utcnow() - lifetime))
        .order_by(UserSession.last_seen_at.desc())
    )


def revoke_session(row: UserSession, *, actor: User | None, reason: str) -> bool:
    """End one session. Returns whether it was still going."""
    ended = (
        UserSession.update(revoked_at=utcnow(), revoked_reason=reason, revoked_by=actor)
        .where((UserSession.id == row.id) & UserSession.revoked_at.is_null())
        .execute()
    )
    if ended and reason != SIGNED_OUT and reason != REPLACED:
        audit(actor, "sign_out", row.user, {"session": str(row.id), "reason": reason})
    return ended > 0


def revoke_user_sessions(
    user: User, *, actor: User | None, reason: str, keep: UserSession | None = None
) -> int:
    """End every session of a user but `keep`. Returns how many were still going."""
    query = UserSession.update(revoked_at=utcnow(), revoked_reason=reason, revoked_by=actor).where(
        (UserSession.user == user) & UserSession.revoked_at.is_null()
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    ended = query.execute()
    if ended:
        audit(actor, "sign_out", user, {"sessions": ended, "reason": reason})
    return ended


def revoke_all_sessions(*, reason: str) -> int:
    """End every session (after restoring a backup, which brings back sessions that had been
    ended since it was taken). Returns how many were still going."""
    return (
        UserSession.update(revoked_at=utcnow(), revoked_reason=reason)
        .where(UserSession.revoked_at.is_null())
        .execute()
    )
