"""Starting a signed-in session once a person has proved who they are, by a password
(`auth/views.py`) or a passkey (`passkeys/views.py`): one way, whatever the proof."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import after_this_request, current_app, g, request, session
from flask_login import current_user, login_user

from ..db import write_transaction
from ..models import User
from . import sessions
from .csrf import csrf_token
from .devices import describe_device
from .known_device import read_known_device, remember_known_device
from .login import SESSION_KEY, client_address, current_session

_UNREAD = object()


def begin_session(
    user: User, *, also: Callable[[], None] | None = None, known: Any = _UNREAD
) -> None:
    """Start the database session of a user who just proved who they are (a right password, a
    verified passkey) on this browser: its previous session ends, a new cookie is set (no
    fixation). `also` runs in the same transaction (the password's forgiven attempt, the
    passkey's new sign count); if it raises, no session starts."""
    if known is _UNREAD:
        known = read_known_device(current_app, request)
    previous = current_session()  # this browser's session, if it had one
    agent = request.headers.get("User-Agent", "")
    describe_device(agent)  # parsed (and cached) before the transaction takes its locks
    with write_transaction():
        if also is not None:
            also()
        if previous is not None:
            sessions.revoke_session(previous, actor=previous.user, reason=sessions.REPLACED)
        row, token = sessions.start_session(user=user, address=client_address(), user_agent=agent)
    after_this_request(
        lambda response: remember_known_device(current_app, response, known, user.username)
    )
    session.clear()
    login_user(user, remember=False)
    session[SESSION_KEY] = token
    session.permanent = True
    g.user_session = row
    csrf_token()


def signed_in_user():
    """The signed-in user with this session's CSRF token (the answer to a sign-in)."""
    user = current_user._get_current_object()
    user.csrf_token = csrf_token()
    return user
