"""Shared pieces of the API contract: fields and validators whose messages speak the user's
language, and translation of marshmallow's own messages."""

from __future__ import annotations

import re
from typing import Any

import marshmallow
from flask_babel import LazyString
from flask_babel import gettext as _
from marshmallow import ValidationError, fields, pre_load


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "extract, don't translate"
    return message


# marshmallow's built-in messages, marked for extraction and translated when an error is sent.
BUILTIN_MESSAGES = [
    N_("Missing data for required field."),
    N_("Unknown field."),
    N_("Field may not be null."),
    N_("Invalid input type."),
    N_("Invalid type."),
    N_("Invalid value."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid UUID."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
]


def translate_messages(messages: Any) -> Any:
    """Translate every message string in a marshmallow error tree."""
    if isinstance(messages, dict):
        return {key: translate_messages(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translate_messages(m) for m in messages]
    if isinstance(messages, str):
        return _(messages)
    return messages


# Characters no store keeps and no spreadsheet opens: NUL (PostgreSQL refuses it in text), the
# other C0 controls but tab, line feed and carriage return (XML, so XLSX, refuses them), halves of
# a UTF-16 pair without the other half (a broken emoji: not encodable as UTF-8), and U+FFFE/FFFF.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The largest whole number a column holds on every store (a 32-bit INTEGER on PostgreSQL).
MAX_INT = 2**31 - 1


def unstorable_message() -> str:
    return _(
        "Contains a character that cannot be saved (a control character or a broken emoji). "
        "Remove it and try again."
    )


def unstorable_text(data: Any, names: set[str] | None = None) -> dict[str, Any]:
    """Where `data` holds text that cannot be saved, as a marshmallow error tree
    ({"notes": [...], "changes": {"note": [...]}}). Walks without recursion, so no depth of
    nesting can overflow the stack; with `names`, only those top-level keys are looked at."""
    errors: dict[str, Any] = {}
    if not isinstance(data, dict):
        return errors
    stack: list[tuple[tuple, Any]] = []
    for key, value in data.items():
        if isinstance(key, str) and UNSTORABLE.search(key):
            _mark(errors, (key,))
        elif names is None or key in names:
            stack.append(((key,), value))
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                _mark(errors, path)
        elif isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(key, str) and UNSTORABLE.search(key):
                    _mark(errors, (*path, key))
                else:
                    stack.append(((*path, key), inner))
        elif isinstance(value, list):
            stack.extend(((*path, i), inner) for i, inner in enumerate(value))
    return errors


def _mark(errors: dict, path: tuple) -> None:
    """Put the message at `path`; a key that is itself unsaveable is named with U+FFFD in place
    of the bad characters, so the answer can be sent."""
    path = tuple(UNSTORABLE.sub("\ufffd", p) if isinstance(p, str) else p for p in path)
    node = errors
    for step in path[:-1]:
        inner = node.get(step)
        if not isinstance(inner, dict):
            inner = node[step] = {}
        node = inner
    node[path[-1]] = [unstorable_message()]


class Schema(marshmallow.Schema):
    """Every contract's base: text that cannot be saved is refused at the edge, field by field,
    before any field is read (one rule for bodies, query strings, forms and sync changes).
    Nested contracts check their own part, so a push can refuse one mutation and keep the rest."""

    @pre_load
    def _refuse_unstorable_text(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        keys = {f.data_key or name: f for name, f in self.load_fields.items()}
        # Unknown fields are refused (their names must be sendable back), taken as they are
        # (INCLUDE: the part a later contract reads) or dropped (EXCLUDE).
        names = {k for k in data if k in keys and not _nested(keys[k])}
        if self.unknown == marshmallow.RAISE:
            names |= set(data) - set(keys)
        errors = unstorable_text(data, names)
        if errors:
            raise ValidationError(errors)
        return data


def _nested(field: fields.Field) -> bool:
    if isinstance(field, fields.List):
        field = field.inner
    return isinstance(field, fields.Nested)


class Int(fields.Integer):
    """A whole number, strictly: "12", 1.5 and true are not numbers here, and none larger than
    a column holds (`maximum`, by default what a 32-bit column keeps)."""

    def __init__(self, maximum: int = MAX_INT, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)
        self.maximum = maximum

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        number = super()._validated(value)
        if number is not None and not -self.maximum - 1 <= number <= self.maximum:
            raise ValidationError(_("Enter a number of at most %(high)d.", high=self.maximum))
        return number


def max_length(limit: int):
    def check(value: str) -> None:
        if len(value) > limit:
            raise ValidationError(_("At most %(limit)d characters.", limit=limit))

    check.max_length = limit  # read by the phone's contract (webapp/pwa/contract.py)
    return check


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError(_("This field may not be empty."))


def one_of(choices: dict[str, Any]):
    def check(value: str) -> None:
        if value not in choices:
            # A person reads this: the vocabulary's labels in their language where it has them.
            names = [
                str(label) if isinstance(label, str | LazyString) else key
                for key, label in choices.items()
            ]
            raise ValidationError(_("Choose one of: %(allowed)s.", allowed=_(", ").join(names)))

    check.choices = choices
    return check


def at_least(low: int):
    def check(value: int) -> None:
        if value < low:
            raise ValidationError(_("Enter a number of at least %(low)d.", low=low))

    return check


def max_items(limit: int):
    def check(value: list) -> None:
        if len(value) > limit:
            raise ValidationError(_("At most %(limit)d items.", limit=limit))

    check.max_items = limit
    return check


def sha256_hex(value: str) -> None:
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise ValidationError(_("Not a SHA-256 digest (64 lowercase hex digits)."))


def in_range(low: int, high: int):
    def check(value: int) -> None:
        if not low <= value <= high:
            raise ValidationError(_("Enter a number from %(low)d to %(high)d.", low=low, high=high))

    check.minimum, check.maximum = low, high
    return check


class Day(fields.Date):
    """A calendar day spelled one way, YYYY-MM-DD, as a date input writes it. The phone compares
    such days as text (static/js/equipment-fields.js), so "20261205" or a week date
    ("2026-W49-3"), which Python would also read, are refused rather than understood by one side
    only (tests/equipment_vectors.json)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def Name(limit: int = 200, **kw: Any) -> fields.String:  # noqa: N802 - a field factory
    """A required, non-blank, bounded text."""
    return fields.String(required=True, validate=[not_blank, max_length(limit)], **kw)


def Text(limit: int = 2000, **kw: Any) -> fields.String:  # noqa: N802
    """Optional free text, stored as '' when absent."""
    return fields.String(validate=max_length(limit), load_default="", **kw)


def Choice(choices: dict[str, Any], **kw: Any) -> fields.String:  # noqa: N802
    return fields.String(validate=one_of(choices), **kw)


def partial(schema: type[marshmallow.Schema]) -> type[marshmallow.Schema]:
    """The same contract with every field optional (PATCH) and no defaults filled in."""

    class Partial(schema):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(partial=True, **kwargs)

    Partial.__name__ = schema.__name__.removesuffix("In") + "Patch"
    return Partial
