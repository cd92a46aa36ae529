"""Session sign-in with flask-login: who is the current user, what happens when nobody is."""

from __future__ import annotations

import uuid

from flask import Flask, redirect, request, url_for

from ..errors import describe, envelope, wants_json
from ..extensions import login_manager
from ..models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        key = uuid.UUID(user_id)
    except ValueError:
        return None
    user = User.get_or_none(User.id == key)
    return user if user is not None and user.active else None


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        code, message = describe(401)
        return envelope(401, code, message)
    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
