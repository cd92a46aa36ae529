"""Contracts for users and signing in."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validates_schema

from ..auth.passwords import MIN_LENGTH
from ..models.choices import LANGUAGES, ROLES
from ..validation import Choice, Name, Schema, Text, max_length, partial


def password_rules(value: str) -> None:
    if len(value) < MIN_LENGTH:
        raise ValidationError(_("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(value) > 128:
        raise ValidationError(_("At most %(limit)d characters.", limit=128))


def username_rules(value: str) -> None:
    if not value or len(value) > 64 or not all(c.isalnum() or c in "._-" for c in value):
        raise ValidationError(_("Use up to 64 letters, digits, dots, dashes or underscores."))


class UserIn(Schema):
    username = fields.String(required=True, validate=username_rules)
    display_name = Text(100)
    password = fields.String(required=True, load_only=True, validate=password_rules)
    role = Choice(ROLES, required=True)
    client_id = fields.UUID(allow_none=True, load_default=None)
    phone = Text(50)
    locale = Choice(LANGUAGES, allow_none=True, load_default=None)
    active = fields.Boolean(load_default=True)

    @validates_schema
    def _client_users_have_a_client(self, data, partial=False, **kwargs):
        role = data.get("role")
        if role == "client" and not data.get("client_id") and not partial:
            raise ValidationError(_("A client user belongs to one client."), "client_id")
        if role in ("engineer", "dispatcher", "admin") and data.get("client_id"):
            raise ValidationError(_("Only client users belong to a client."), "client_id")


UserPatch = partial(UserIn)


class UserOut(Schema):
    id = fields.UUID()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    client_id = fields.UUID(allow_none=True)
    phone = fields.String()
    locale = fields.String(allow_none=True)
    active = fields.Boolean()


class SignInBody(Schema):
    username = fields.String(required=True, validate=max_length(64))
    password = fields.String(required=True, load_only=True, validate=max_length(128))


class MeOut(UserOut):
    csrf_token = fields.String()


class PasswordChange(Schema):
    """A person changing their own password: the current one proves it is them."""

    current_password = fields.String(required=True, load_only=True, validate=max_length(128))
    new_password = fields.String(required=True, load_only=True, validate=password_rules)


class MePrefs(Schema):
    display_name = Name(100)
    locale = Choice(LANGUAGES, allow_none=True)


class CsrfOut(Schema):
    csrf_token = fields.String()
    # Whether this session is signed in: the app asks here first when nobody is remembered on
    # the device, so that a first start does not ask /api/auth/me for a 401.
    signed_in = fields.Boolean()


MePatch = partial(MePrefs)
