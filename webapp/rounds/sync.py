"""The rounds' sync adapter: rounds, answers and faults from devices (docs/checklists.md, "Sync
operations"), and what a device needs to do rounds in the pull: checklists, schedules, rounds,
answers, faults. Registered by the app factory (webapp/sync/registry.py)."""

from __future__ import annotations

from typing import Any

from ..models import Answer, ChecklistTemplate, Round, Schedule, TemplateVersion
from ..sync.registry import GLOBAL, Feed
from ..sync.registry import applied as _applied
from ..sync.registry import load as _load
from . import operations as ops
from .schemas import (
    AnswerIn,
    AnswerOut,
    AnswerUpdate,
    FaultIn,
    RoundCreate,
    RoundOut,
    RoundSign,
    RoundSubmit,
    RoundUpdate,
    ScheduleOut,
    TemplateOut,
    TemplateVersionOut,
)

ROUND_CREATE = RoundCreate()
ROUND_UPDATE = RoundUpdate()
ROUND_SUBMIT = RoundSubmit()
ROUND_SIGN = RoundSign()
ANSWER_IN = AnswerIn()
ANSWER_UPDATE = AnswerUpdate()
FAULT_IN = FaultIn()


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
FEEDS = [
    # Checklists are the same for everyone; drafts stay in the office until published.
    Feed("template", ChecklistTemplate, TemplateOut().dump, GLOBAL),
    Feed(
        "template_version",
        TemplateVersion,
        TemplateVersionOut().dump,
        GLOBAL,
        only=TemplateVersion.status == "published",
    ),
    Feed("schedule", Schedule, ScheduleOut().dump, Schedule.site),
    Feed("round", Round, RoundOut().dump, Round.site),
    # An answer's dump is its own row: the phone keeps its own clean writes from the push's
    # answer and the pull does not echo them (a round's dozens of answers, on every sync).
    Feed("answer", Answer, AnswerOut().dump, Answer.site, self_contained=True),
]
