"""Rules for user accounts."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ..auth import sessions
from ..auth.passwords import hash_password, verify_password
from ..errors import ApiError, forbidden, validation_error
from ..models import Client, User, UserSession
from ..records import audit


def _check_client(client_id) -> Client | None:
    if client_id is None:
        return None
    client = Client.live().where(Client.id == client_id).first()
    if client is None:
        raise validation_error({"client_id": [_("No such client.")]})
    return client


def _may_grant(actor: User | None, role: str) -> None:
    if actor is not None and role == "admin" and actor.role != "admin":
        raise forbidden()


def create_user(*, actor: User | None, data: dict[str, Any]) -> User:
    data = dict(data)
    _may_grant(actor, data["role"])
    username = data.pop("username").strip().lower()
    if User.select().where(User.username == username).exists():
        raise ApiError(
            409,
            "taken",
            _("This username is taken."),
            fields={"username": [_("This username is taken.")]},
        )
    client = _check_client(data.pop("client_id", None))
    user = User.create(
        username=username,
        password_hash=hash_password(data.pop("password")),
        client=client,
        **data,
    )
    audit(actor, "create", user, {"username": username, "role": user.role})
    return user


def update_user(
    user: User, *, actor: User, changes: dict[str, Any], keep_session: UserSession | None = None
) -> User:
    """Change an account. A new password ends the user's sessions but `keep_session` (the one
    the change is made from, when people change their own); deactivating ends them all, so
    reactivating revives none."""
    changes = dict(changes)
    if "role" in changes:
        _may_grant(actor, changes["role"])
    if user.role == "admin" and actor.role != "admin":
        raise forbidden()
    if user.id == actor.id and (
        changes.get("active") is False or changes.get("role", user.role) != user.role
    ):
        raise ApiError(409, "self", _("You cannot disable yourself or change your own role."))
    if "username" in changes:
        username = changes.pop("username").strip().lower()
        if username != user.username and User.select().where(User.username == username).exists():
            raise ApiError(
                409,
                "taken",
                _("This username is taken."),
                fields={"username": [_("This username is taken.")]},
            )
        user.username = username
    password_changed = "password" in changes
    if password_changed:
        user.password_hash = hash_password(changes.pop("password"))
    if "client_id" in changes:
        user.client = _check_client(changes.pop("client_id"))
    role = changes.get("role", user.role)
    if role == "client" and user.client_id is None:
        raise validation_error({"client_id": [_("A client user belongs to one client.")]})
    if role != "client" and user.client_id is not None:
        user.client = None
    for key, value in changes.items():
        setattr(user, key, value)
    user.save()
    if not user.active:
        sessions.revoke_user_sessions(user, actor=actor, reason=sessions.DEACTIVATED)
    elif password_changed:
        mine = keep_session is not None and keep_session.user_id == user.id
        sessions.revoke_user_sessions(
            user, actor=actor, reason=sessions.PASSWORD_CHANGED, keep=keep_session if mine else None
        )
    logged = {k: v for k, v in changes.items()}
    logged.update(username=user.username, client_id=user.client_id)
    if password_changed:
        logged["password"] = "changed"  # noqa: S105 - a note, not a secret
    audit(actor, "update", user, logged)
    return user


def set_preferences(user: User, *, changes: dict[str, Any]) -> User:
    for key, value in changes.items():
        setattr(user, key, value)
    user.save()
    return user


def change_own_password(user: User, *, current: str, new: str, session: UserSession | None) -> int:
    """A person changes their own password: the current one must be right and the new one
    different. Every other device of theirs is signed out (a phone left somewhere must not keep
    syncing); the one the change is made from stays. Returns how many were signed out."""
    if not verify_password(user.password_hash, current):
        raise validation_error({"current_password": [_("This is not your current password.")]})
    if new == current:
        raise validation_error(
            {"new_password": [_("Choose a password different from the current one.")]}
        )
    others = sessions.live_sessions().where(UserSession.user == user)
    if session is not None:
        others = others.where(UserSession.id != session.id)
    signed_out = others.count()
    update_user(user, actor=user, changes={"password": new}, keep_session=session)
    return signed_out
