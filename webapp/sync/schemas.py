"""The sync contract (docs/sync-protocol.md), also published in the OpenAPI document."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_babel import gettext as _
from marshmallow import INCLUDE, ValidationError, fields

from ..errors import validation_error
from ..schemas import SyncedOut
from ..validation import Int, Schema, at_least, in_range, max_items, max_length, one_of
from .conflicts import sides_of

MAX_BATCH = 500
NO_ID = UUID(int=0)  # the record id stored for a mutation refused before its id could be read
MAX_PAGE = 1000
OPS = {"create": 1, "update": 1, "delete": 1, "submit": 1, "sign": 1, "withdraw": 1}


class MutationIn(Schema):
    mutation_id = fields.UUID(required=True)
    client_seq = Int(required=True, validate=at_least(1))
    entity = fields.String(required=True, validate=max_length(32))
    id = fields.UUID(required=True)
    op = fields.String(required=True, validate=one_of(OPS))
    base_version = Int(load_default=0, validate=at_least(0))
    changes = fields.Dict(keys=fields.String(), load_default=dict)
    client_time = fields.String(load_default="", validate=max_length(40))


class MutationHead(Schema):
    """What the push needs to answer a mutation and keep the device's order; the rest is checked
    one mutation at a time (`read_mutations`), so one bad mutation is rejected, not the batch."""

    class Meta:
        unknown = INCLUDE

    mutation_id = fields.UUID(required=True)
    client_seq = Int(required=True, validate=at_least(1))


class PushIn(Schema):
    client_id = fields.UUID(required=True)
    mutations = fields.List(
        fields.Nested(MutationHead), required=True, validate=max_items(MAX_BATCH)
    )


MUTATION_IN = MutationIn()
# What a mutation that breaks the contract is stored with: nothing of what it sent can be kept.
REFUSED = {"entity": "", "op": "", "base_version": 0, "changes": {}, "client_time": ""}


def _by_field(errors: dict[str, Any]) -> dict[str, Any]:
    """Reasons about the changed fields named by those fields, as a handler's own check names
    them, so the phone shows "Notes: ..." beside the field it knows."""
    inner = errors.pop("changes", None)
    if isinstance(inner, dict):
        return {**inner, **errors}
    if inner is not None:
        errors["changes"] = inner
    return errors


def read_mutations(heads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each mutation loaded with the full contract. One that breaks it (text that cannot be
    saved, a number no column holds, a missing field) keeps only its head and carries the
    reasons in `invalid` (an ApiError): the push answers it `rejected` and goes on."""
    loaded = []
    for head in heads:
        try:
            loaded.append(MUTATION_IN.load(head))
        except ValidationError as err:
            loaded.append(
                {
                    **REFUSED,
                    "id": NO_ID,
                    "mutation_id": head["mutation_id"],
                    "client_seq": head["client_seq"],
                    "invalid": validation_error(_by_field(err.normalized_messages())),
                }
            )
    return loaded


class ConflictNote(Schema):
    id = fields.UUID()
    field = fields.String()
    kept = fields.Raw()
    yours = fields.Raw()


class ResultOut(Schema):
    mutation_id = fields.UUID()
    status = fields.String(metadata={"enum": ["applied", "duplicate", "conflict", "rejected"]})
    version = fields.Integer()
    server_seq = fields.Integer()
    conflicts = fields.List(fields.Nested(ConflictNote))
    error = fields.Dict()
    first = fields.Dict(metadata={"description": "for a duplicate: the first answer"})
    data = fields.Dict(
        metadata={
            "description": "the record as the server now holds it, when it is exactly your "
            "change on the version you edited: keep it, and send `server_seq` back in the "
            "pull's `held` so the pull does not echo it"
        }
    )
    verification = fields.String(metadata={"description": "checkin: verified or unsigned"})
    flags = fields.List(fields.String(), metadata={"description": "checkin: what the office sees"})


class PushOut(Schema):
    epoch = fields.String()
    last_seq = fields.Integer()
    results = fields.List(fields.Nested(ResultOut))


MAX_HELD_RANGES = 200


class HeldRanges(fields.String):
    """Change numbers the device already holds exactly (answers to its own pushes that carried
    `data`), as ranges: `"1001-1500,1503"`. Loaded as sorted (first, last) pairs."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 8000:
            raise ValidationError(_("At most %(limit)d characters.", limit=8000))
        ranges = []
        try:
            for part in text.split(",") if text else []:
                first, _dash, last = part.partition("-")
                pair = (int(first), int(last or first))
                if not 0 < pair[0] <= pair[1] < 2**63 or not first.isdigit():
                    raise ValueError
                if last and not last.isdigit():
                    raise ValueError
                ranges.append(pair)
        except ValueError:
            raise ValidationError(_("Invalid value.")) from None
        if len(ranges) > MAX_HELD_RANGES:
            raise ValidationError(_("At most %(limit)d items.", limit=MAX_HELD_RANGES))
        return sorted(ranges)


class PullQuery(Schema):
    cursor = fields.String(load_default=None, validate=max_length(20_000))
    limit = fields.Integer(load_default=500, validate=in_range(1, MAX_PAGE))
    client_id = fields.UUID(load_default=None)
    held = HeldRanges(
        load_default=(),
        metadata={
            "description": "change numbers of your own pushes answered with `data`, as ranges "
            "(`1001-1500,1503`): the pull skips those changes (no echo)"
        },
    )


class ChangeOut(Schema):
    entity = fields.String()
    id = fields.String()
    version = fields.Integer()
    server_seq = fields.Integer()
    deleted = fields.Boolean()
    # Present and true when the record left a site this device holds: drop the copy.
    moved = fields.Boolean(
        metadata={"description": "The record left your sites: drop it (never the outbox)."}
    )
    data = fields.Dict()


class PullOut(Schema):
    epoch = fields.String()
    cursor = fields.String()
    has_more = fields.Boolean()
    last_seq = fields.Integer(allow_none=True)
    removed_sites = fields.List(fields.String())
    changes = fields.List(fields.Nested(ChangeOut))
    server_time = fields.String(
        metadata={"description": "the server's clock, signed (docs/checkins.md, Time)"}
    )


class ResolveIn(Schema):
    choice = fields.String(
        required=True,
        validate=one_of({"server": 1, "client": 1}),
        metadata={
            "description": "server: keep the value on the server; client: write the value "
            "the device that raised the conflict proposed"
        },
    )
    value = fields.String(  # every field that can conflict holds text or an id, or nothing
        allow_none=True,
        validate=max_length(4000),
        metadata={
            "description": "the value the person chose on screen; when given and not the "
            "chosen side's value, nothing changes (409)"
        },
    )


class ConflictSideOut(Schema):
    value = fields.Raw()
    by_id = fields.String(allow_none=True, metadata={"description": "the user who wrote it"})
    by_name = fields.String()
    at = fields.DateTime(allow_none=True, metadata={"description": "when it was written (UTC)"})


class ConflictOut(SyncedOut):
    entity = fields.String()
    entity_id = fields.String()
    site_id = fields.UUID()
    field = fields.String()
    base_version = fields.Integer()
    server_value = fields.Raw()
    client_value = fields.Raw()
    server = fields.Function(
        lambda c: ConflictSideOut().dump(sides_of(c).server_side),
        metadata={"description": "the value the server kept, who wrote it and when"},
    )
    client = fields.Function(
        lambda c: ConflictSideOut().dump(sides_of(c).client_side),
        metadata={"description": "the value the raising device proposed, who wrote it and when"},
    )
    mutation_id = fields.UUID(allow_none=True, metadata={"description": "the raising change"})
    status = fields.String()
    resolution = fields.String()
    raised_by_id = fields.UUID(allow_none=True)
    raised_by_name = fields.Function(lambda c: sides_of(c).client_side.by_name)
    resolved_by_id = fields.UUID(allow_none=True)
    resolved_by_name = fields.Function(
        lambda c: sides_of(c).resolver.name if sides_of(c).resolver else ""
    )
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
