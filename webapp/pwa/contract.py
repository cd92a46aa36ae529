"""The phone–server contract: every vocabulary and the rules of the fields the phone edits, as
the server holds them, served to the phone as /app/contract.json (docs/pwa.md).

Nothing here is written twice: vocabularies come from models/choices.py, field rules from the
schemas the server validates with (their `max_length`, `one_of` and `in_range` validators say
what they check). Labels travel as English msgids; the phone translates them with its catalogue,
so the three languages work offline. The file is precached and part of the shell's version, so a
change here reaches the phone as an app update.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from marshmallow.utils import missing

from ..accounts.schemas import PasswordChange
from ..checkins.schemas import CheckInAccess
from ..faults.schemas import FaultEventIn
from ..inventory.schemas import EquipmentIn
from ..leave.schemas import ExplanationCreate, LeaveCreate
from ..models.choices import SHORT_LABELS, VOCABULARIES
from ..parts.schemas import PartRequestIn, PartUseIn
from ..passkeys.schemas import PasskeyRename
from ..rounds.schemas import Acceptance, AnswerIn, FaultIn, Header, RoundSubmit
from ..validation import not_blank

# The forms the phone fills in, by the name it asks for.
FORMS: dict[str, type[Schema]] = {
    "equipment": EquipmentIn,
    "answer": AnswerIn,
    "round_submit": RoundSubmit,
    "round_header": Header,
    "acceptance": Acceptance,
    "password": PasswordChange,
    "passkey": PasskeyRename,
    "fault_step": FaultEventIn,
    "fault": FaultIn,
    "leave": LeaveCreate,
    "explanation": ExplanationCreate,
    "part_use": PartUseIn,
    "part_request": PartRequestIn,
    "checkin_access": CheckInAccess,
}

_TYPES = (
    (fields.UUID, "id"),
    (fields.Date, "date"),
    (fields.Integer, "integer"),
    (fields.Boolean, "boolean"),
    (fields.String, "text"),
    (fields.List, "list"),
    (fields.Nested, "object"),
    (fields.Field, "any"),
)


def vocabulary(name: str) -> list[dict[str, str]]:
    """A vocabulary in its order, each value with its msgid (and a shorter one where it has one)."""
    short = SHORT_LABELS.get(name, {})
    return [
        {"value": value, "label": label.msgid}
        | ({"short": short[value].msgid} if value in short else {})
        for value, label in VOCABULARIES[name].items()
    ]


def _vocabulary_name(choices: dict) -> str:
    for name, known in VOCABULARIES.items():
        if known is choices:
            return name
    raise LookupError(f"a choice list that is not a vocabulary: {sorted(choices)}")


def field_rules(name: str, field: fields.Field) -> dict[str, Any]:
    """What the server checks of one field, in the terms a form needs."""
    rule: dict[str, Any] = {
        "name": name,
        "type": next(kind for cls, kind in _TYPES if isinstance(field, cls)),
        "required": field.required,
        "nullable": field.allow_none,
    }
    if isinstance(field, fields.List):  # a list of choices: the vocabulary of its items
        inner = field_rules(name, field.inner)
        rule.update({k: v for k, v in inner.items() if k == "choices"})
        if "max_length" in inner:  # a list of texts: how long each may be
            rule["item_max_length"] = inner["max_length"]
    for check in field.validators:
        if check is not_blank:
            rule["required"] = True
        if hasattr(check, "max_length"):
            rule["max_length"] = check.max_length
        if hasattr(check, "choices"):
            rule["choices"] = _vocabulary_name(check.choices)
            rule["required"] = rule["required"] or not field.allow_none  # a choice is never empty
        if hasattr(check, "max_items"):
            rule["max_items"] = check.max_items
        if hasattr(check, "minimum"):
            rule["min"], rule["max"] = check.minimum, check.maximum
    default = field.load_default
    if default is not missing and not callable(default):
        rule["default"] = default
    return rule


def contract() -> dict[str, Any]:
    return {
        "vocabularies": {name: vocabulary(name) for name in VOCABULARIES},
        "fields": {
            form: [field_rules(name, field) for name, field in schema().fields.items()]
            for form, schema in FORMS.items()
        },
    }
