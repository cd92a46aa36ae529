"""Server-rendered forms, the HTML edge's half of the contract: form strings loaded with the
same schemas as the JSON API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from .validation import Schema, translate_messages


@dataclass
class Field:
    name: str
    label: Any
    kind: str = "text"  # text, textarea, number, date, select, checkbox, password
    choices: Callable[[], list[tuple[str, Any]]] | None = None
    required: bool = False
    help: Any = ""
    nullable: bool = False
    attrs: dict[str, Any] = field(default_factory=dict)


def form_to_data(form, fields: list[Field], *, editing: bool) -> dict[str, Any]:
    """Turn posted form values into the JSON-like dict the schema expects."""
    data: dict[str, Any] = {}
    for f in fields:
        if f.kind == "checkbox":
            data[f.name] = f.name in form
            continue
        if f.name not in form:
            continue
        value = form.get(f.name, "").strip()
        if f.kind == "password" and editing and not value:
            continue  # an empty password box keeps the current password
        if value == "" and (
            f.nullable or f.kind in ("number", "date", "select") and not f.required
        ):
            data[f.name] = None if f.nullable else value
            if data[f.name] == "":
                del data[f.name]
            continue
        if f.kind == "number":
            try:
                data[f.name] = int(value)
                continue
            except ValueError:
                pass  # the schema names the problem in the user's language
        data[f.name] = value
    return data


def load_form(schema: Schema, data: dict[str, Any]) -> tuple[dict[str, Any] | None, dict]:
    try:
        return schema.load(data), {}
    except ValidationError as err:
        return None, translate_messages(err.normalized_messages())


def values_of(record: Any, fields: list[Field]) -> dict[str, Any]:
    values = {}
    for f in fields:
        if f.kind == "password":
            continue
        value = getattr(record, f.name, None)
        values[f.name] = "" if value is None else value
    return values


SAVE = _l("Save")
