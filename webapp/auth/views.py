"""Signing in and out: a page for people, JSON for scripts and the PWA."""

from __future__ import annotations

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
from flask_login import current_user, logout_user
from peewee import DatabaseError

from ..accounts.operations import change_own_password
from ..accounts.schemas import CsrfOut, MeOut, PasswordChange, SignInBody
from ..api import endpoint, run_write
from ..db import write_transaction
from ..errors import ApiError, envelope
from ..i18n import LANG_COOKIE
from ..pages import safe_next
from . import sessions
from .csrf import csrf_token
from .known_device import device_for, read_known_device
from .login import client_address, current_session
from .operations import bad_credentials, check_password
from .schemas import SessionOut, SignedOutOut
from .signin import begin_session, signed_in_user
from .throttle import ThrottleRules, forgive_attempt, prune_throttle, reserve_attempt

bp = Blueprint("auth", __name__)
api = Blueprint("auth_api", __name__, url_prefix="/api/auth")
TAGS = ["auth"]


def _sign_in(username: str, password: str) -> ApiError | None:
    """Sign in with a password, or return why not. Commits in two steps of its own: the
    throttle counts the attempt (and commits, so parallel attempts see it) before the slow
    password check; a right password then takes the count back and starts the session."""
    rules = ThrottleRules.from_config(current_app.config)
    address = client_address()
    known = read_known_device(current_app, request)
    with write_transaction():
        reservation = reserve_attempt(
            username=username,
            address=address,
            rules=rules,
            device=device_for(known, username),
        )
    user = check_password(username=username, password=password)
    if user is None:
        return bad_credentials()  # the reservation stays: it was a failure
    begin_session(user, also=lambda: forgive_attempt(reservation), known=known)
    try:
        prune_throttle(rules=rules)
    except DatabaseError:  # housekeeping; the next sign-in tries again
        current_app.logger.warning("could not prune the sign-in throttle", exc_info=True)
    return None


def _sign_out() -> None:
    row = current_session()
    if row is not None:
        sessions.revoke_session(row, actor=row.user, reason=sessions.SIGNED_OUT)
    logout_user()
    session.clear()


def _me():
    return signed_in_user()


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    error = None
    status = 200
    if request.method == "POST":
        try:
            failed = _sign_in(request.form.get("username", ""), request.form.get("password", ""))
        except ApiError as err:
            failed = err
        if failed is None:
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        error, status = failed.message, failed.status
    next_url = safe_next(request.args.get("next")) or url_for("home.index")
    return render_template("auth/sign_in.html", error=error, next_url=next_url), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    with write_transaction():
        _sign_out()
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
    return {"csrf_token": csrf_token(), "signed_in": current_user.is_authenticated}


@endpoint(
    api,
    "/sign-in",
    ["POST"],
    summary="Sign in with username and password",
    body=SignInBody,
    response=MeOut,
    public=True,
    transaction=False,
    tags=TAGS,
)
def api_sign_in(body):
    failed = _sign_in(body["username"], body["password"])
    if failed is not None:
        return envelope(failed.status, failed.code, failed.message)
    return _me()


@endpoint(api, "/sign-out", ["POST"], summary="Sign out", public=True, tags=TAGS)
def api_sign_out():
    _sign_out()
    return "", 204


@endpoint(api, "/me", ["GET"], summary="Who is signed in", response=MeOut, tags=TAGS)
def get_me():
    return _me()


def _marked_current(rows):
    here = current_session()
    rows = list(rows)
    for row in rows:
        row.is_current = here is not None and row.id == here.id
    return rows


@endpoint(
    api,
    "/sessions",
    ["GET"],
    summary="My signed-in devices",
    response=SessionOut,
    many=True,
    tags=TAGS,
)
def my_sessions():
    user = current_user._get_current_object()
    return _marked_current(
        sessions.sessions_of(user, lifetime=current_app.permanent_session_lifetime)
    )


@endpoint(
    api,
    "/sessions/sign-out-others",
    ["POST"],
    summary="Sign out my other devices",
    response=SignedOutOut,
    tags=TAGS,
)
def sign_out_my_other_sessions():
    user = current_user._get_current_object()
    ended = sessions.revoke_user_sessions(
        user, actor=user, reason=sessions.SIGNED_OUT_ELSEWHERE, keep=current_session()
    )
    return {"signed_out": ended}


@endpoint(
    api,
    "/password",
    ["POST"],
    summary="Change my password (signs out my other devices)",
    body=PasswordChange,
    transaction=False,
    response=SignedOutOut,
    tags=TAGS,
)
def change_my_password(body):
    """The current password is a password check like a sign-in, so it is throttled like one: a
    session taken from an unlocked phone must not try passwords without limit. The pair is (this
    account, this session), so the owner's other devices are never held up; the address counts
    as well. The attempt is counted and committed first, and taken back when the current
    password was right (a refused new password is not a guess)."""
    user = current_user._get_current_object()
    row = current_session()
    with write_transaction():
        reservation = reserve_attempt(
            username=user.username,
            address=client_address(),
            rules=ThrottleRules.from_config(current_app.config),
            device=f"session:{row.id}" if row is not None else None,
        )

    def change() -> int:
        ended = change_own_password(
            user, current=body["current_password"], new=body["new_password"], session=row
        )
        forgive_attempt(reservation)
        return ended

    try:
        return {"signed_out": run_write(change)}
    except ApiError as refused:
        if "current_password" not in (refused.fields or {}):  # right password, refused new one
            with write_transaction():
                forgive_attempt(reservation)
        raise
