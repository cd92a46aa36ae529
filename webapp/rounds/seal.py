"""The seal: the SHA-256 of a round's canonical content (docs/checklists.md, "The seal").

`static/js/seal.js` writes the same bytes on the device; both must change together.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from ..models import Answer, Attachment, Round

VERSION = 1


class SealError(ValueError):
    """The round refers to something the server has not got (a photo never announced)."""


def _number(value: float | int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")  # shortest round-trip digits, never an exponent


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, characters as themselves, numbers as the shortest form."""
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float)):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{json.dumps(k)}:{canonical_json(v)}" for k, v in items) + "}"
    raise TypeError(f"cannot seal a {type(value).__name__}")


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def sealed_content(record: Round, *, acceptance: dict, signature_id) -> dict[str, Any]:
    """What the seal covers, read from the database as the server holds it."""
    answers = list(Answer.select().where(Answer.round == record.id, Answer.deleted_at.is_null()))
    wanted = {str(p) for a in answers for p in (a.photos or [])} | {str(signature_id)}
    digests = {
        str(a.id): a.sha256
        for a in Attachment.select(Attachment.id, Attachment.sha256).where(
            Attachment.id.in_(list(wanted)), Attachment.owner_id == str(record.id)
        )
    }
    missing = sorted(wanted - set(digests))
    if missing:
        raise SealError(missing)
    return {
        "v": VERSION,
        "round": {
            "id": str(record.id),
            "template_version_id": _id(record.template_version_id),
            "site_id": _id(record.site_id),
            "location_id": _id(record.location_id),
            "equipment_id": _id(record.equipment_id),
            "equipment_ids": [str(e) for e in record.equipment_ids or []],
            "period": record.period,
            "started_at": record.started_at,
            "submitted_at": record.submitted_at,
            "header": record.header or {},
            "summary": record.summary,
            "responsible": record.responsible,
            "revision_of": _id(record.revision_of_id),
        },
        "answers": sorted(
            (
                {
                    "item_key": a.item_key,
                    "equipment_id": _id(a.equipment_id),
                    "status": a.status,
                    "value": a.value,
                    "note": a.note,
                    "photos": [digests[str(p)] for p in a.photos or []],
                }
                for a in answers
            ),
            key=lambda a: a["item_key"],
        ),
        "acceptance": acceptance,
        "signature": digests[str(signature_id)],
    }


def seal_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
