"""Passkeys in the office: one's own on the account page, and a user's on their page, where
an administrator revokes one ("lost phone")."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import permissions
from ..auth.scope import parse_id
from ..errors import not_found
from ..models import User
from ..pages import office_page
from . import operations as ops

bp = Blueprint("passkeys", __name__, url_prefix="/office")


@bp.route("/account")
@office_page
def account():
    """The office user's own account: their passkeys (added and managed by a small script over
    the JSON API, since a passkey is made by the browser)."""
    return render_template("passkeys/account.html")


@bp.route("/users/<user_id>/passkeys/<passkey_id>/revoke", methods=["POST"])
@office_page
def revoke(user_id, passkey_id):
    """Revoke one passkey of a user ("lost phone"): it signs nobody in any more. Administrators
    only (auth/permissions.py); the operation checks again."""
    permissions.require(current_user, "passkey", "revoke")
    user = User.get_or_none(User.id == parse_id(user_id))
    if user is None:
        raise not_found()
    revoked = ops.remove_passkey(
        actor=current_user._get_current_object(),
        passkey=ops.get_passkey_of(user, parse_id(passkey_id)),
    )
    flash(_("Passkey revoked.") if revoked else _("That passkey was already revoked."))
    return redirect(url_for("office.edit", key="users", record_id=user.id))
