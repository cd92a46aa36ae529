"""Signing in and out: a page for people, JSON for scripts and the PWA."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..accounts.schemas import CsrfOut, MeOut, SignInBody
from ..api import endpoint
from ..db import write_transaction
from ..errors import ApiError, envelope
from ..i18n import LANG_COOKIE
from .csrf import csrf_token
from .operations import Throttle, authenticate, bad_credentials

bp = Blueprint("auth", __name__)
api = Blueprint("auth_api", __name__, url_prefix="/api/auth")
TAGS = ["auth"]


def _throttle() -> Throttle:
    cfg = current_app.config
    return Throttle(
        cfg["LOGIN_WINDOW_SECONDS"],
        cfg["LOGIN_MAX_FAILURES_PER_USER"],
        cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"],
    )


def _sign_in(username: str, password: str):
    """Sign in, or raise. Runs inside the caller's transaction, which must commit on failure."""
    user = authenticate(
        username=username,
        password=password,
        address=request.remote_addr or "unknown",
        throttle=_throttle(),
    )
    if user is None:
        return bad_credentials()
    session.clear()  # a new session on sign-in: no fixation
    login_user(user, remember=False)
    session.permanent = True
    csrf_token()
    return None


def _me():
    user = current_user._get_current_object()
    user.csrf_token = csrf_token()
    return user


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    error = None
    status = 200
    if request.method == "POST":
        try:
            with write_transaction():
                failed = _sign_in(
                    request.form.get("username", ""), request.form.get("password", "")
                )
        except ApiError as err:
            failed = err
        if failed is None:
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        error, status = failed.message, failed.status
    return render_template("auth/sign_in.html", error=error), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    logout_user()
    session.clear()
    flash(_("You are signed out."))
    return redirect(url_for("auth.sign_in"))


@bp.route("/language", methods=["POST"])
def choose_language():
    """Remember a language choice: on the account when signed in, else in a cookie."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next")) or url_for("home.index")
    response = redirect(target)
    if lang in current_app.config["LANGUAGES"]:
        if current_user.is_authenticated:
            with write_transaction():
                current_user.locale = lang
                current_user.save()
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
    return response


@endpoint(
    api,
    "/csrf",
    ["GET"],
    summary="A CSRF token for this session",
    response=CsrfOut,
    public=True,
    tags=TAGS,
)
def get_csrf():
    return {"csrf_token": csrf_token()}


@endpoint(
    api,
    "/sign-in",
    ["POST"],
    summary="Sign in with username and password",
    body=SignInBody,
    response=MeOut,
    public=True,
    tags=TAGS,
)
def api_sign_in(body):
    failed = _sign_in(body["username"], body["password"])
    if failed is not None:
        return envelope(failed.status, failed.code, failed.message)
    return _me()


@endpoint(api, "/sign-out", ["POST"], summary="Sign out", public=True, tags=TAGS)
def api_sign_out():
    logout_user()
    session.clear()
    return "", 204


@endpoint(api, "/me", ["GET"], summary="Who is signed in", response=MeOut, tags=TAGS)
def get_me():
    return _me()
