"""The rules of rounds, answers and faults. Each operation validates everything before it writes
anything (a rejected mutation leaves no trace), and flushes, never commits."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_babel import get_locale
from flask_babel import gettext as _

from .. import clock
from ..auth import permissions, scope
from ..checklists import content as rules
from ..errors import ApiError, forbidden, not_found, validation_error
from ..faults import operations as fault_life
from ..models import (
    Answer,
    Attachment,
    Equipment,
    Fault,
    Location,
    Round,
    Schedule,
    TemplateVersion,
    User,
    utcnow,
)
from ..records import create_record, lock, next_number, update_record
from . import seal


def _year() -> int:
    return clock.today().year


def _number(prefix: str) -> str:
    year = _year()
    return f"{prefix}-{year}-{next_number(f'{prefix.lower()}:{year}'):05d}"


def fault_number() -> str:
    """The next fault number (F-2026-00042), whoever reports the fault."""
    return _number("F")


def _may_do_rounds(user: User) -> None:
    permissions.require(user, "round", "create")


def _location_of_site(location_id, site_id) -> Location | None:
    if location_id is None:
        return None
    location = Location.live().where(Location.id == location_id).first()
    if location is None or location.site_id != site_id:
        raise validation_error({"location_id": [_("This location is not at the round's site.")]})
    return location


def _equipment_of_site(ids: list[UUID], site_id, field: str) -> None:
    if not ids:
        return
    found = {
        e.id
        for e in Equipment.live()
        .select(Equipment.id)
        .where(Equipment.id.in_(ids), Equipment.site == site_id)
    }
    if len(found) != len(set(ids)):
        raise validation_error({field: [_("This equipment is not at the round's site.")]})


def create_round(*, actor: User, id: UUID, data: dict[str, Any], site_ids: set) -> Round:
    _may_do_rounds(actor)
    if Round.select().where(Round.id == id).exists():
        raise ApiError(409, "exists", _("A record with this id already exists."))
    site_id = data["site_id"]
    if site_id not in site_ids:
        raise not_found()
    version = TemplateVersion.get_or_none(TemplateVersion.id == data["template_version_id"])
    if version is None or version.status != "published":
        raise validation_error(
            {"template_version_id": [_("This checklist version is not published.")]}
        )
    _location_of_site(data["location_id"], site_id)
    _equipment_of_site(
        [data["equipment_id"]] if data["equipment_id"] else [], site_id, "equipment_id"
    )
    _equipment_of_site(data["equipment_ids"], site_id, "equipment_ids")
    if data["schedule_id"] is not None:
        schedule = Schedule.get_or_none(Schedule.id == data["schedule_id"])
        if schedule is None or schedule.site_id != site_id:
            raise validation_error({"schedule_id": [_("This schedule is not for this site.")]})
    fault_id = _fault_of_site(data.get("fault_id"), site_id, version)
    number, revision, parent = _number("R"), 0, None
    if data["revision_of"] is not None:
        parent = Round.get_or_none(Round.id == data["revision_of"])
        if parent is None or parent.site_id != site_id:
            raise validation_error({"revision_of": [_("The round to correct was not found.")]})
        if parent.status != "sealed":
            raise validation_error(
                {"revision_of": [_("Only a signed round is corrected with a new revision.")]}
            )
        revision = parent.revision + 1
        base = parent.number.rsplit("-", 1)[0] if parent.revision else parent.number
        number = f"{base}-{revision}"
    return create_record(
        Round,
        actor=actor,
        id=id,
        number=number,
        template_version=version.id,
        schedule=data["schedule_id"],
        site=site_id,
        location=data["location_id"],
        equipment=data["equipment_id"],
        equipment_ids=[str(e) for e in data["equipment_ids"]],
        engineer=actor.id,
        period=data["period"],
        started_at=data["started_at"],
        header=data["header"],
        revision_of=parent.id if parent else None,
        revision=revision,
        fault_id=fault_id,
    )


def _fault_of_site(fault_id, site_id, version: TemplateVersion):
    """The fault a round is started from: one at the round's site, not yet ended, and only for
    a form the client signs (its signature is what confirms the fault)."""
    if fault_id is None:
        return None
    fault = Fault.live().where(Fault.id == fault_id).first()
    if fault is None or fault.site_id != site_id:
        raise validation_error({"fault_id": [_("This fault is not at the round's site.")]})
    if not rules.client_signs(version.content):
        raise validation_error(
            {"fault_id": [_("Only a form the client signs can be started from a fault.")]}
        )
    return fault.id


def round_in_scope(round_id, site_ids: set) -> Round:
    record = scope.require_in(Round.get_or_none(Round.id == round_id), site_ids)
    if record.deleted_at is not None:
        raise not_found()
    return record


def answer_in_scope(answer_id, site_ids: set) -> Answer:
    return scope.require_in(Answer.get_or_none(Answer.id == answer_id), site_ids)


def _open_for(record: Round, actor: User) -> None:
    """Only the round's engineer (or the office) changes it, and only until it is signed.
    Checked on the round's row locked until commit (every change to a round or its answers
    passes here first): a sign and an answer edit that overlap go one after the other."""
    lock(record)
    if record.status == "sealed":
        raise ApiError(
            409,
            "sealed",
            _(
                "This round was signed by the client and can no longer be changed. "
                "Start a correction instead."
            ),
        )
    permissions.require(actor, "round", "update")
    if not permissions.may(actor, "round", "update_any") and record.engineer_id != actor.id:
        raise forbidden()


def _items(record: Round, cache: dict) -> dict[str, dict]:
    key = ("items", record.id)
    if key not in cache:
        version = TemplateVersion.get_by_id(record.template_version_id)
        cache[("content", record.id)] = version.content
        cache[key] = {
            e["key"]: e for e in rules.expand(version.content, record.equipment_ids or [])
        }
    return cache[key]


def _photos_of_round(photos: list[UUID], record: Round) -> list[str]:
    ids = [str(p) for p in photos]
    if not ids:
        return []
    found = {
        str(a.id)
        for a in Attachment.select(Attachment.id).where(
            Attachment.id.in_(ids),
            Attachment.owner_id == str(record.id),
            Attachment.kind == "photo",
        )
    }
    if set(ids) - found:
        raise validation_error({"photos": [_("A photo of this answer was not sent first.")]})
    return ids


def _checked(entry: dict, data: dict[str, Any]) -> str:
    try:
        return rules.check_answer(entry["item"], data)
    except rules.AnswerError as err:
        raise validation_error(err.messages) from None


def save_answer(
    *, actor: User, id: UUID, record: Round, data: dict[str, Any], cache: dict, create: bool
) -> Answer:
    _open_for(record, actor)
    existing = Answer.get_or_none(Answer.id == id)
    if create:
        if existing is not None:
            raise ApiError(409, "exists", _("A record with this id already exists."))
        if (
            Answer.select()
            .where(Answer.round == record.id, Answer.item_key == data["item_key"])
            .exists()
        ):
            raise ApiError(409, "answered", _("This item already has an answer in this round."))
    elif existing is None or existing.round_id != record.id:
        raise not_found()
    item_key = data["item_key"] if create else existing.item_key
    entry = _items(record, cache).get(item_key)
    if entry is None:
        raise validation_error({"item_key": [_("This item is not in the round's checklist.")]})
    status = _checked(entry, {**data, "photos": [str(p) for p in data["photos"]]})
    values = {
        "status": status,
        "value": None if status == "na" else data["value"],
        "note": data["note"],
        "photos": _photos_of_round(data["photos"], record),
        "answered_at": data["answered_at"],
    }
    if create:
        return create_record(
            Answer,
            actor=actor,
            id=id,
            round=record.id,
            site=record.site_id,
            item_key=item_key,
            equipment=entry.get("equipment_id"),
            **values,
        )
    return update_record(existing, actor=actor, changes=values)


def update_round(record: Round, *, actor: User, changes: dict[str, Any]) -> Round:
    """Header, summary, responsible person: open until the client signs."""
    _open_for(record, actor)
    return update_record(record, actor=actor, changes=changes)


def _missing_message(missing: list[dict], locale: str) -> str:
    names = [rules.text(m["label"], locale) for m in missing[:10]]
    more = len(missing) - len(names)
    listed = "; ".join(names) + (_(" and %(n)d more", n=more) if more > 0 else "")
    return _("These items still need an answer: %(items)s.", items=listed)


def submit_round(record: Round, *, actor: User, data: dict[str, Any], cache: dict) -> Round:
    _open_for(record, actor)
    _items(record, cache)
    answers = {
        a.item_key: {"status": a.status, "value": a.value, "note": a.note, "photos": a.photos}
        for a in Answer.select().where(Answer.round == record.id, Answer.deleted_at.is_null())
    }
    missing = rules.missing(cache[("content", record.id)], record.equipment_ids or [], answers)
    if missing:
        raise ApiError(
            422,
            "incomplete",
            _missing_message(missing, str(get_locale() or "zh_Hans")),
            fields={"items": [m["key"] for m in missing]},
        )
    return update_record(
        record,
        actor=actor,
        changes={
            "status": "submitted",
            "summary": data["summary"],
            "responsible": data["responsible"],
            "submitted_at": data["submitted_at"],
        },
    )


def sign_round(record: Round, *, actor: User, data: dict[str, Any]) -> Round:
    _open_for(record, actor)
    if record.status != "submitted":
        raise ApiError(409, "not_submitted", _("The round is signed after it has been submitted."))
    if not rules.client_signs(TemplateVersion.get_by_id(record.template_version_id).content):
        raise ApiError(
            409,
            "not_signed",
            _("The client does not sign this checklist; submitting it closes it."),
        )
    signature = Attachment.get_or_none(Attachment.id == data["signature_id"])
    if signature is None or signature.owner_id != str(record.id) or signature.kind != "signature":
        raise validation_error({"signature_id": [_("The signature was not sent first.")]})
    acceptance = data["acceptance"]
    try:
        content = seal.sealed_content(
            record, acceptance=acceptance, signature_id=data["signature_id"]
        )
    except seal.SealError:
        raise validation_error(
            {"seal_hash": [_("A photo of this round was not sent first.")]}
        ) from None
    expected = seal.seal_hash(content)
    if expected != data["seal_hash"]:
        raise ApiError(
            422,
            "seal_mismatch",
            _("The seal does not match the round as the server holds it; it was not signed."),
            fields={"seal_hash": [_("Does not match the round's content.")]},
        )
    sealed = update_record(
        record,
        actor=actor,
        changes={
            "acceptance": acceptance,
            "signature_id": data["signature_id"],
            "seal_hash": expected,
            "sealed_at": utcnow(),
            "status": "sealed",
        },
    )
    if record.fault_id is not None and acceptance["accepted"]:
        fault_life.confirm_by_client(
            actor=actor, fault_id=record.fault_id, round_=sealed, acceptance=acceptance
        )
    return sealed


def _locked(query):
    """The query's rows locked until commit where the database locks rows (PostgreSQL); SQLite
    writes one transaction at a time anyway."""
    return query.for_update() if Round._meta.database.for_update else query


def _one_fault_per_item(record: Round, item_key: str) -> None:
    """A round's item raises at most one fault: a second one (a double tap, a second device)
    is refused and names the first. The round's row is locked by the caller, so two pushes
    for the same round check one after the other."""
    if not item_key:
        return
    first = (
        Fault.live()
        .where((Fault.round == record.id) & (Fault.item_key == item_key))
        .order_by(Fault.created_at)
        .first()
    )
    if first is not None:
        raise ApiError(
            409,
            "fault_exists",
            _("This item of the round already raised fault %(number)s.", number=first.number),
            fields={"item_key": [_("Already raised as %(number)s.", number=first.number)]},
        )


def create_fault(*, actor: User, id: UUID, data: dict[str, Any], site_ids: set) -> Fault:
    if not (actor.role == "client" and data["round_id"] is None):
        _may_do_rounds(actor)  # a client user reports (报修) faults of their sites, not rounds
    if Fault.select().where(Fault.id == id).exists():
        raise ApiError(409, "exists", _("A record with this id already exists."))
    site_id = data["site_id"]
    if site_id not in site_ids:
        raise not_found()
    _location_of_site(data["location_id"], site_id)
    if data["equipment_id"] is not None:
        _equipment_of_site([data["equipment_id"]], site_id, "equipment_id")
    owners = [str(id)]
    if data["round_id"] is not None:
        parent = _locked(Round.select().where(Round.id == data["round_id"])).first()
        if parent is None or parent.site_id != site_id:
            raise validation_error({"round_id": [_("The round was not found at this site.")]})
        owners.append(str(parent.id))
        _one_fault_per_item(parent, data["item_key"])
    photos = [str(p) for p in data["photos"]]
    if photos:
        found = Attachment.select().where(
            Attachment.id.in_(photos), Attachment.owner_id.in_(owners)
        )
        if found.count() != len(set(photos)):
            raise validation_error({"photos": [_("A photo of this fault was not sent first.")]})
    values = {
        "id": id,
        "number": _number("F"),
        "site": site_id,
        "location": data["location_id"],
        "equipment": data["equipment_id"],
        "round": data["round_id"],
        "item_key": data["item_key"],
        "description": data["description"],
        "severity": data["severity"],
        "photos": photos,
        "reported_at": data["reported_at"],
        "reported_by": actor.id,
        "kind": data["kind"],
    }
    # Its clocks start at the report: their due times are on the fault from the start.
    return create_record(Fault, actor=actor, **values, **fault_life.derived(Fault(**values)))
