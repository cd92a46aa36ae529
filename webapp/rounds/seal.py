"""The seal: the SHA-256 of a round's canonical content (docs/checklists.md, "The seal").

`static/js/seal.js` writes the same bytes on the device; both must change together. The shared
cases in tests/seal_vectors.json run against both (tests/test_seal.py here, and
tests/browser/test_seal_vectors.py in Chromium).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ..models import Answer, Attachment, Round

VERSION = 1
SAFE_INTEGER = 2**53  # beyond this a JSON number is a double on the device: written as one


class SealError(ValueError):
    """The round refers to something the server has not got (a photo never announced)."""


def _number(value: float | int) -> str:
    """The shortest digits that read back as the same double, never with an exponent.

    Every number is what a browser holds: an IEEE double. An integer beyond 2**53 is written as
    the double it becomes there (2**64 -> 18446744073709552000)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and -SAFE_INTEGER <= value <= SAFE_INTEGER:
        return str(value)
    try:
        number = float(value)
    except OverflowError:
        raise ValueError("not a finite number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    if number == 0:
        return "0"  # -0 too, as JSON.stringify writes it
    text = format(Decimal(repr(number)), "f")  # repr: the shortest round-trip digits
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _string(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a lone surrogate cannot be written in UTF-8") from None
    return json.dumps(value, ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """Keys sorted by code point, no spaces, characters as themselves, numbers as the shortest
    form without an exponent; NaN, infinities and lone surrogates are refused (ValueError)."""
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float)):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{_string(k)}:{canonical_json(v)}" for k, v in items) + "}"
    raise TypeError(f"cannot seal a {type(value).__name__}")


def _id(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def equipment_of(item_key: str) -> str | None:
    """The device an answer is about, read from its item key ("look@<equipment id>").

    The key is the one source on both sides: the device stores answers without the id, the
    server fills its column from the same key (checklists.content.expand)."""
    _item, at, equipment = item_key.partition("@")
    return equipment if at else None


def build_content(
    record: Mapping[str, Any],
    answers: Iterable[Mapping[str, Any]],
    *,
    digests: Mapping[str, str],
    acceptance: Any,
    signature_id: Any,
) -> dict[str, Any]:
    """What the seal covers, from plain values (`sealedContent` in static/js/seal.js).

    `record` holds the round's fields by their names in the contract, `answers` each answer's
    item_key, status, value, note and photos (attachment ids), `digests` the SHA-256 of every
    attachment by id."""

    def digest(attachment_id: Any) -> str:
        value = digests.get(str(attachment_id))
        if not value:
            raise SealError([str(attachment_id)])
        return value

    content = {
        "v": VERSION,
        "round": {
            "id": str(record["id"]),
            "template_version_id": _id(record.get("template_version_id")),
            "site_id": _id(record.get("site_id")),
            "location_id": _id(record.get("location_id")),
            "equipment_id": _id(record.get("equipment_id")),
            "equipment_ids": [str(e) for e in record.get("equipment_ids") or []],
            "period": record.get("period") or "",
            "started_at": record.get("started_at"),
            "submitted_at": record.get("submitted_at") or "",
            "header": record.get("header") or {},
            "summary": record.get("summary") or "",
            "responsible": record.get("responsible") or "",
            "revision_of": _id(record.get("revision_of")),
        },
        "answers": sorted(
            (
                {
                    "item_key": a["item_key"],
                    "equipment_id": equipment_of(a["item_key"]),
                    "status": a.get("status"),
                    "value": a.get("value"),
                    "note": a.get("note") or "",
                    "photos": [digest(p) for p in a.get("photos") or []],
                }
                for a in answers
            ),
            key=lambda a: a["item_key"],
        ),
        "acceptance": acceptance,
        "signature": digest(signature_id),
    }
    # A contact form started from a fault: the client's signature confirms that fault, so the
    # seal covers which one. Only when set, so the seals of every other round read as before.
    if _id(record.get("fault_id")) is not None:
        content["round"]["fault_id"] = _id(record.get("fault_id"))
    return content


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
    values = {
        "id": record.id,
        "template_version_id": record.template_version_id,
        "site_id": record.site_id,
        "location_id": record.location_id,
        "equipment_id": record.equipment_id,
        "equipment_ids": record.equipment_ids,
        "period": record.period,
        "started_at": record.started_at,
        "submitted_at": record.submitted_at,
        "header": record.header,
        "summary": record.summary,
        "responsible": record.responsible,
        "revision_of": record.revision_of_id,
        "fault_id": record.fault_id,
    }
    held = [
        {
            "item_key": a.item_key,
            "status": a.status,
            "value": a.value,
            "note": a.note,
            "photos": a.photos,
        }
        for a in answers
    ]
    return build_content(
        values, held, digests=digests, acceptance=acceptance, signature_id=signature_id
    )


def seal_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
