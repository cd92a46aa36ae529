"""Contracts for passkeys: ceremonies (options out, the browser's answer in) and the list."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import ValidationError, fields

from ..auth.schemas import _utc
from ..validation import Name, Schema

MAX_ANSWER_FIELD = 16_384  # a passkey's answer is well under 4 KiB; anything near this is junk


def _answer_rules(value: dict) -> None:
    """The browser's answer, roughly: an object whose strings are of a sane size. The
    ceremony checks the rest and says which rule failed."""

    def walk(item, depth: int = 0) -> None:
        if depth > 4:
            raise ValidationError(_("The passkey's answer could not be read. Please try again."))
        if isinstance(item, dict):
            for part in item.values():
                walk(part, depth + 1)
        elif isinstance(item, list):
            for part in item:
                walk(part, depth + 1)
        elif isinstance(item, str) and len(item) > MAX_ANSWER_FIELD:
            raise ValidationError(_("The passkey's answer could not be read. Please try again."))

    walk(value)
    if not isinstance(value.get("response"), dict) or not isinstance(value.get("id"), str):
        raise ValidationError(_("The passkey's answer could not be read. Please try again."))


def Answer() -> fields.Dict:  # noqa: N802 - a field factory
    return fields.Dict(
        required=True,
        validate=_answer_rules,
        metadata={"description": "The PublicKeyCredential as JSON (its toJSON())"},
    )


class CeremonyOut(Schema):
    ceremony = fields.UUID(attribute="id", metadata={"description": "Name it when answering"})
    options = fields.Raw(
        metadata={"description": "PublicKeyCredentialCreation/RequestOptions as JSON"}
    )


class PasskeyRegisterBody(Schema):
    ceremony = fields.UUID(required=True)
    name = Name(80)
    credential = Answer()


class PasskeySignInBody(Schema):
    ceremony = fields.UUID(required=True)
    credential = Answer()


class PasskeyRename(Schema):
    name = Name(80)


class PasskeyOut(Schema):
    id = fields.UUID()
    name = fields.String()
    created_at = fields.Function(lambda p: _utc(p.created_at), metadata={"format": "date-time"})
    last_used_at = fields.Function(
        lambda p: _utc(p.last_used_at), metadata={"format": "date-time"}, allow_none=True
    )
    synced = fields.Boolean(
        attribute="backed_up", metadata={"description": "Kept in a cloud keychain"}
    )
