"""Apply a batch of mutations from one device, exactly once, in its order."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_babel import gettext as _

from ..errors import ApiError
from ..models import Answer, Equipment, Round, SyncClient, SyncMutation, User, utcnow
from ..records import batched_writes, insert_rows, lock_rows
from .epoch import current_epoch
from .pull import keep_dump
from .registry import FEEDS, RECORD, Context, Mutation, handler_for


def claim_client(client_id: UUID, user: User) -> SyncClient:
    """The device's row, locked for this transaction; a device id is bound to one user."""
    SyncClient.insert(id=client_id, user=user, last_seq=0).on_conflict_ignore().execute()
    query = SyncClient.select().where(SyncClient.id == client_id)
    if SyncClient._meta.database.for_update:
        query = query.for_update()
    client = query.get()
    if client.user_id != user.id:
        raise ApiError(
            403,
            "client_taken",
            _("This device id belongs to another user. Sign out and in again."),
        )
    return client


def apply_push(*, user: User, client_id: UUID, mutations: list[dict[str, Any]]) -> dict:
    """Answer each mutation: applied, duplicate, conflict or rejected; stop at a gap.

    Runs inside the request's single transaction: a crash half-way leaves nothing behind.
    Everything is decided on rows locked first (`lock_batch`).
    """
    client = claim_client(client_id, user)
    results: list[dict[str, Any]] = []
    with batched_writes() as batch:
        ctx = Context(user, str(client_id), mutations, locked=lock_batch(mutations))
        known = {
            m.mutation_id: m
            for m in SyncMutation.select().where(
                SyncMutation.mutation_id.in_([m["mutation_id"] for m in mutations])
            )
        }
        _answer_all(mutations, client, ctx, known, results)
    results = batch.final(results)  # the change numbers taken when the batch ended
    sent = {str(m["mutation_id"]): m for m in mutations}
    for r in results:
        if "data" in r:  # the same dump the other devices' pulls of this version need
            m = sent[r["mutation_id"]]
            keep_dump(m["entity"], m["id"], r["data"])
    client.last_seen_at = utcnow()
    client.save()
    for r in results:  # answer repeats inside one batch with the stored first answer
        if r["status"] == "duplicate" and r["first"] is None:
            first = next(x for x in results if x["mutation_id"] == r["mutation_id"])
            r["first"] = {k: v for k, v in first.items() if k != "data"}
    return {"epoch": current_epoch(), "last_seq": client.last_seq, "results": results}


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None  # refused by its handler, with the reason


def lock_batch(mutations: list[dict[str, Any]]) -> dict[type, dict]:
    """Lock the rows the batch decides on before deciding anything, in one order: the rounds
    (a round's own changes, and every answer, fault or file of a round: an answer's round is
    locked, never the answer alone), then the equipment, each by id. A push that overlaps
    waits for this one's commit and then decides on what it wrote: a round signed meanwhile
    refuses the answer; a serial number changed meanwhile is a conflict, not a lost update.
    All before the first change number (records.lock_rows). The rows as read, by model and
    id: the adapters' `prepare` takes them rather than reading them again."""
    rounds: set[UUID | None] = set()
    answers: set[UUID] = set()
    equipment: set[UUID] = set()
    for m in mutations:
        entity, op = m["entity"], m["op"]
        changes = m["changes"] if isinstance(m["changes"], dict) else {}
        if entity == "round" and op != "create":
            rounds.add(m["id"])
        elif entity == "answer" and op == "create" or entity == "fault":
            rounds.add(_uuid(changes.get("round_id")))
        elif entity == "answer":
            answers.add(m["id"])
        elif entity == "attachment" and changes.get("owner_entity") == "round":
            rounds.add(_uuid(changes.get("owner_id")))
        elif entity == "equipment" and op != "create":
            equipment.add(m["id"])
    if answers:
        rounds.update(
            a.round_id for a in Answer.select(Answer.round).where(Answer.id.in_(list(answers)))
        )
    return {Round: lock_rows(Round, rounds), Equipment: lock_rows(Equipment, equipment)}


def _answer_all(mutations, client: SyncClient, ctx: Context, known: dict, results: list) -> None:
    user = ctx.user
    for raw in mutations:
        m = Mutation(raw)
        mid = m["mutation_id"]
        if mid in known:
            results.append(
                {"mutation_id": str(mid), "status": "duplicate", "first": known[mid].result}
            )
            continue
        if m["client_seq"] <= client.last_seq:
            results.append(
                _rejected(
                    mid,
                    ApiError(
                        409,
                        "seq_reused",
                        _("This change reused a sequence number and was not applied."),
                    ),
                )
            )
            continue
        if m["client_seq"] > client.last_seq + 1:
            break  # a gap: an earlier change has not arrived; the device sends again in order
        result = _apply_one(m, ctx)
        data = _exact_data(m, result, result.pop(RECORD, None))
        insert_rows(
            SyncMutation,
            [
                {
                    "mutation_id": mid,
                    "client": client.id,
                    "client_seq": m["client_seq"],
                    "user": user.id,
                    "entity": m["entity"],
                    "entity_id": str(m["id"]),
                    "op": m["op"],
                    "base_version": m["base_version"],
                    "changes": m["changes"],
                    "client_time": m["client_time"],
                    "status": result["status"],
                    "result": result,
                    "received_at": utcnow(),
                }
            ],
        )
        client.last_seq = m["client_seq"]
        known[mid] = None  # a repeat inside the same batch is a duplicate of this one
        results.append(result if data is None else {**result, "data": data})


def _apply_one(m: Mutation, ctx: Context) -> dict[str, Any]:
    """Handlers check everything before they write, so a rejection has written nothing."""
    if "invalid" in m:  # broke the contract (sync/schemas.read_mutations): rejected, nothing read
        return _rejected(m["mutation_id"], m["invalid"])
    try:
        outcome = handler_for(m["entity"], m["op"])(m, ctx=ctx)
    except ApiError as err:
        return _rejected(m["mutation_id"], err)
    return {"mutation_id": str(m["mutation_id"]), **outcome}


def _exact_data(m: Mutation, result: dict[str, Any], record: Any) -> dict[str, Any] | None:
    """The row as stored, when it is exactly this device's change on the version it edited
    (no one else's change merged in, no conflict, nothing removed): the device keeps it as
    its copy and the pull skips that change number (no echo). Otherwise None, and the pull
    delivers the row as usual. Not stored with the mutation: a repeat answers without it."""
    feed = FEEDS.get(m["entity"])
    if (
        feed is None
        or not feed.self_contained
        or result["status"] != "applied"
        or m["op"] not in ("create", "update")
        or not isinstance(record, feed.model)
        or record.version != m["base_version"] + 1
        or record.deleted_at is not None
    ):
        return None
    return feed.dump(record)


def _rejected(mutation_id: UUID, err: ApiError) -> dict[str, Any]:
    error: dict[str, Any] = {"code": err.code, "message": err.message}
    if err.fields:
        error["fields"] = err.fields
    return {"mutation_id": str(mutation_id), "status": "rejected", "error": error}
