"""Sync handlers of rounds, answers and faults (docs/checklists.md, "Sync operations").
They are registered in webapp/sync/handlers.py beside the others."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from ..errors import validation_error
from ..validation import translate_messages
from . import operations as ops
from .schemas import (
    AnswerIn,
    AnswerUpdate,
    FaultIn,
    RoundCreate,
    RoundSign,
    RoundSubmit,
    RoundUpdate,
)

ROUND_CREATE = RoundCreate()
ROUND_UPDATE = RoundUpdate()
ROUND_SUBMIT = RoundSubmit()
ROUND_SIGN = RoundSign()
ANSWER_IN = AnswerIn()
ANSWER_UPDATE = AnswerUpdate()
FAULT_IN = FaultIn()


def _load(schema, data: dict) -> dict:
    try:
        return schema.load(data)
    except ValidationError as err:
        raise validation_error(translate_messages(err.normalized_messages())) from None


def _applied(record) -> dict[str, Any]:
    return {"status": "applied", "version": record.version, "server_seq": record.server_seq}


def create_round(m, *, ctx) -> dict[str, Any]:
    data = _load(ROUND_CREATE, m["changes"])
    record = ops.create_round(actor=ctx.user, id=m["id"], data=data, site_ids=ctx.site_ids)
    return {**_applied(record), "number": record.number}


def update_round(m, *, ctx) -> dict[str, Any]:
    record = ops.round_in_scope(m["id"], ctx.site_ids)
    changes = _load(ROUND_UPDATE, m["changes"])
    return _applied(ops.update_round(record, actor=ctx.user, changes=changes))


def submit_round(m, *, ctx) -> dict[str, Any]:
    record = ops.round_in_scope(m["id"], ctx.site_ids)
    data = _load(ROUND_SUBMIT, m["changes"])
    return _applied(ops.submit_round(record, actor=ctx.user, data=data, cache=ctx.memo))


def sign_round(m, *, ctx) -> dict[str, Any]:
    record = ops.round_in_scope(m["id"], ctx.site_ids)
    data = _load(ROUND_SIGN, m["changes"])
    record = ops.sign_round(record, actor=ctx.user, data=data)
    return {**_applied(record), "seal_hash": record.seal_hash}


def create_answer(m, *, ctx) -> dict[str, Any]:
    data = _load(ANSWER_IN, m["changes"])
    record = ops.round_in_scope(data["round_id"], ctx.site_ids)
    answer = ops.save_answer(
        actor=ctx.user, id=m["id"], record=record, data=data, cache=ctx.memo, create=True
    )
    return _applied(answer)


def update_answer(m, *, ctx) -> dict[str, Any]:
    data = _load(ANSWER_UPDATE, m["changes"])
    existing = ops.answer_in_scope(m["id"], ctx.site_ids)
    answer = ops.save_answer(
        actor=ctx.user,
        id=m["id"],
        record=existing.round,
        data=data,
        cache=ctx.memo,
        create=False,
    )
    return _applied(answer)


def create_fault(m, *, ctx) -> dict[str, Any]:
    data = _load(FAULT_IN, m["changes"])
    fault = ops.create_fault(actor=ctx.user, id=m["id"], data=data, site_ids=ctx.site_ids)
    return {**_applied(fault), "number": fault.number}


HANDLERS = {
    ("round", "create"): create_round,
    ("round", "update"): update_round,
    ("round", "submit"): submit_round,
    ("round", "sign"): sign_round,
    ("answer", "create"): create_answer,
    ("answer", "update"): update_answer,
    ("fault", "create"): create_fault,
}
