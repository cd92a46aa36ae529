"""Everything a round report shows, read once and written out as plain values in one language.

`round_report` is the only reader of the database for a report: the PDF, the office's page and
anything else print its dict and never query on their own. Texts of the template come from the
version the round was filled against, labels from the catalogues, both in the reader's language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from peewee import JOIN

from ..checklists.content import expand, text
from ..models import (
    Answer,
    Attachment,
    ChecklistTemplate,
    Client,
    Equipment,
    Fault,
    Location,
    Round,
    Site,
    TemplateVersion,
    User,
)
from ..models.choices import (
    ANSWER_STATUSES,
    HANDOVER,
    REASONS,
    ROUND_STATUSES,
    SATISFACTION,
    SENSES,
    SEVERITIES,
)


def label(mapping: dict[str, Any], key: str | None) -> str:
    """The translated label of a stored value; the value itself when it is unknown."""
    if not key:
        return ""
    return str(mapping.get(key, key))


def options(mapping: dict[str, Any], chosen) -> list[dict[str, Any]]:
    """Every choice of a vocabulary with whether it was chosen, to print like the paper form."""
    picked = set(chosen) if isinstance(chosen, (list, tuple, set)) else {chosen}
    return [{"key": k, "label": str(v), "chosen": k in picked} for k, v in mapping.items()]


def number(value: Any) -> str:
    """A number the shortest way that reads back the same: 220, 219.5, never 220.0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value) if value is not None else ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def clock(device_time: str | None) -> str:
    """A device time as the device's own wall clock: 2026-11-21 10:42."""
    if not device_time:
        return ""
    try:
        return datetime.fromisoformat(device_time).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return device_time


def site_clock(moment: datetime | None, timezone: str) -> str:
    """A server time (naive UTC) on the site's clock."""
    if moment is None:
        return ""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def round_query():
    """Rounds with their version, template, site, client, location, device and engineer."""
    return (
        Round.select(
            Round, TemplateVersion, ChecklistTemplate, Site, Client, Location, Equipment, User
        )
        .join(TemplateVersion)
        .join(ChecklistTemplate)
        .switch(Round)
        .join(Site)
        .join(Client)
        .switch(Round)
        .join(Location, JOIN.LEFT_OUTER)
        .switch(Round)
        .join(Equipment, JOIN.LEFT_OUTER)
        .switch(Round)
        .join(User, on=(Round.engineer == User.id))
    )


def _uuids(values) -> list[UUID]:
    found = []
    for value in values:
        try:
            found.append(value if isinstance(value, UUID) else UUID(str(value)))
        except ValueError:
            continue  # never stored by the server's rules; ignored rather than fatal
    return found


def _id(value) -> str:
    """An attachment id as the database writes it (lower case), whatever case the device used."""
    try:
        return str(UUID(str(value)))
    except ValueError:
        return str(value)


def _received(round_: Round, ids: set[str]) -> dict[str, bool]:
    """Which of these attachments of the round's site have fully arrived."""
    if not ids:
        return {}
    rows = Attachment.select(Attachment.id, Attachment.status).where(
        Attachment.id.in_(_uuids(ids)),
        Attachment.site == round_.site_id,
        Attachment.deleted_at.is_null(),
    )
    complete = {str(a.id) for a in rows if a.status == "complete"}
    return {i: i in complete for i in ids}


def _header(round_: Round) -> dict[str, str]:
    """The paper form's header: what the device wrote, else the site's and client's records."""
    given = round_.header if isinstance(round_.header, dict) else {}
    site, client = round_.site, round_.site.client
    service_time = clock(round_.started_at)
    if round_.submitted_at:
        service_time = f"{service_time} – {clock(round_.submitted_at)}"
    fallback = {
        "client_name": client.name,
        "contact": site.contact_name or client.contact_name,
        "phone": site.contact_phone or client.contact_phone,
        "address": site.address or client.address,
        "service_time": service_time,
    }
    return {key: (given.get(key) or "").strip() or value or "" for key, value in fallback.items()}


def _result(item: dict[str, Any], answer: Answer | None, locale: str) -> dict[str, Any]:
    """The answer as printed: status label, the value in words, and its parts."""
    kind = item["kind"]
    view: dict[str, Any] = {
        "answered": answer is not None,
        "status": answer.status if answer else "",
        "status_label": label(ANSWER_STATUSES, answer.status) if answer else _("Not answered"),
        "counts": [],
        "reading": None,
        "choice": None,
        "text": "",
        "summary": "—",
    }
    if answer is None:
        return view
    if answer.status == "na":
        view["summary"] = view["status_label"]
        return view
    value = answer.value
    if kind == "check":
        view["summary"] = view["status_label"]
    elif kind == "count_pair" and isinstance(value, dict):
        view["counts"] = [
            {"key": c["key"], "label": text(c["label"], locale), "value": value.get(c["key"])}
            for c in item.get("counts", [])
        ]
        view["summary"] = "\n".join(
            _("%(label)s: %(count)s", label=c["label"], count=number(c["value"]))
            for c in view["counts"]
        )
    elif kind == "measurement" and isinstance(value, dict):
        nominal = item.get("nominal")
        if nominal is None:
            nominal = value.get("nominal")
        reading = {
            "value": value.get("reading"),
            "nominal": nominal,
            "tolerance": item.get("tolerance", 0),
            "unit": item.get("unit", ""),
        }
        view["reading"] = reading
        view["summary"] = _(
            "%(reading)s %(unit)s (rated %(nominal)s %(unit)s ± %(tolerance)s)",
            reading=number(reading["value"]),
            nominal=number(reading["nominal"]),
            tolerance=number(reading["tolerance"]),
            unit=reading["unit"],
        )
    elif kind == "choice":
        picked = next((o for o in item.get("options", []) if o["key"] == value), None)
        chosen = text(picked["label"], locale) if picked else str(value or "")
        view["choice"] = {"key": value, "label": chosen}
        view["summary"] = chosen
    elif kind == "text":
        view["text"] = value if isinstance(value, str) else ""
        view["summary"] = view["text"] or "—"
    elif kind == "photo":
        count = len(answer.photos or [])
        view["summary"] = ngettext("%(num)d photo", "%(num)d photos", count)
    return view


def _sections(round_, content, answers, names, received, faults_by_key, locale):
    """Sections in template order; a repeated section once per device, with its name."""
    blocks: dict[tuple[str, str | None], dict[str, Any]] = {}
    for entry in expand(content, round_.equipment_ids or []):
        section, item, eid = entry["section"], entry["item"], entry["equipment_id"]
        block = blocks.get((section.get("key"), eid))
        if block is None:
            block = blocks[(section.get("key"), eid)] = {
                "key": section.get("key"),
                "title": text(section.get("title"), locale),
                "equipment_id": eid,
                "equipment_name": names.get(eid, "") if eid else "",
                "items": [],
            }
        answer = answers.get(entry["key"])
        photos = [_id(p) for p in (answer.photos or [])] if answer else []
        block["items"].append(
            {
                "key": entry["key"],
                "item_key": item["key"],
                "number": len(block["items"]) + 1,
                "kind": item["kind"],
                "label": text(item.get("label"), locale),
                "hint": text(item.get("hint"), locale) if item.get("hint") else "",
                "sense": item.get("sense", ""),
                "sense_label": label(SENSES, item.get("sense")),
                "required": item.get("required", True),
                "equipment_id": eid,
                "equipment_name": block["equipment_name"],
                "answer": _result(item, answer, locale),
                "note": answer.note if answer else "",
                "photos": [{"id": p, "received": received.get(p, False)} for p in photos],
                "abnormal": bool(answer and answer.status == "abnormal"),
                "faults": faults_by_key.get(entry["key"], []),
                "options": _choices(item, answer, locale),
            }
        )
    return list(blocks.values())


def _choices(item: dict[str, Any], answer: Answer | None, locale: str) -> list[dict[str, Any]]:
    """Every option of a choice item with whether it was chosen, printed as boxes like the
    paper form (the contact form's client type and result); empty for other kinds."""
    if item["kind"] != "choice":
        return []
    chosen = answer.value if answer and answer.status != "na" else None
    return [
        {"key": o["key"], "label": text(o["label"], locale), "chosen": o["key"] == chosen}
        for o in item.get("options", [])
    ]


def _acceptance(acceptance: Any) -> dict[str, Any] | None:
    if not isinstance(acceptance, dict):
        return None
    reasons = acceptance.get("reasons") or []
    return {
        "accepted": bool(acceptance.get("accepted")),
        "handover": acceptance.get("handover", ""),
        "handover_label": label(HANDOVER, acceptance.get("handover")),
        "handover_options": options(HANDOVER, acceptance.get("handover")),
        "satisfaction": acceptance.get("satisfaction", ""),
        "satisfaction_label": label(SATISFACTION, acceptance.get("satisfaction")),
        "satisfaction_options": options(SATISFACTION, acceptance.get("satisfaction")),
        "reasons": [label(REASONS, r) for r in reasons],
        "reason_options": options(REASONS, reasons),
        "comments": acceptance.get("comments", ""),
        "signer": acceptance.get("signer", ""),
        "signed_at": clock(acceptance.get("signed_at")),
    }


def round_report(round_: Round, locale: str) -> dict[str, Any]:
    """Everything the report of `round_` shows, as plain values in `locale`."""
    with force_locale(locale):
        return _build(round_, locale)


def _build(round_: Round, locale: str) -> dict[str, Any]:
    version = round_.template_version
    template = version.template
    content = version.content if isinstance(version.content, dict) else {}
    answers = {
        a.item_key: a
        for a in Answer.select().where(Answer.round == round_.id, Answer.deleted_at.is_null())
    }
    device_ids = {str(e) for e in round_.equipment_ids or []}
    device_ids |= {str(a.equipment_id) for a in answers.values() if a.equipment_id}
    names = {
        str(e.id): " ".join(p for p in (e.code, e.name) if p)
        for e in Equipment.select(Equipment.id, Equipment.code, Equipment.name).where(
            Equipment.id.in_(_uuids(device_ids))
        )
    }
    faults = list(
        Fault.select()
        .where(Fault.round == round_.id, Fault.deleted_at.is_null())
        .order_by(Fault.reported_at, Fault.number)
    )
    faults_by_key: dict[str, list[str]] = {}
    for fault in faults:
        faults_by_key.setdefault(fault.item_key, []).append(fault.number)
    signature_id = str(round_.signature_id) if round_.signature_id else None
    photo_ids = {_id(p) for a in answers.values() for p in (a.photos or [])}
    received = _received(round_, photo_ids | ({signature_id} if signature_id else set()))
    sections = _sections(round_, content, answers, names, received, faults_by_key, locale)
    items = [item for section in sections for item in section["items"]]
    revision_of = None
    if round_.revision_of_id:
        original = Round.select(Round.number).where(Round.id == round_.revision_of_id).first()
        revision_of = original.number if original else None
    site = round_.site
    started_from = None
    if round_.fault_id:
        origin = Fault.select(Fault.number).where(Fault.id == round_.fault_id).first()
        started_from = origin.number if origin else None
    return {
        "id": str(round_.id),
        "locale": locale,
        "number": round_.number,
        "revision": round_.revision,
        "revision_of": revision_of,
        "fault_number": started_from,  # the fault a contact form was started from
        "fault_id": str(round_.fault_id) if round_.fault_id else None,
        "title": text(content.get("title"), locale) or text(template.title, locale),
        "template": {
            "key": template.key,
            "form": template.form,
            "title": text(template.title, locale),
            "version": version.number,
        },
        "header": _header(round_),
        "site": site.name,
        "client": site.client.name,
        "location": round_.location.name if round_.location_id else "",
        "equipment": round_.equipment.name if round_.equipment_id else "",
        "engineer": round_.engineer.name,
        "status": round_.status,
        "status_label": label(ROUND_STATUSES, round_.status),
        "period": round_.period,
        "started_at": clock(round_.started_at),
        "submitted_at": clock(round_.submitted_at),
        "sections": sections,
        "item_count": len(items),
        "answered_count": sum(1 for i in items if i["answer"]["answered"]),
        "abnormal_count": sum(1 for i in items if i["abnormal"]),
        "summary": round_.summary,
        "responsible": round_.responsible,
        "acceptance": _acceptance(round_.acceptance),
        "signature": (
            {"id": signature_id, "received": received.get(signature_id, False)}
            if signature_id
            else None
        ),
        "seal_hash": round_.seal_hash,
        "sealed_at": site_clock(round_.sealed_at, site.timezone),
        "faults": [
            {
                "number": f.number,
                "item_key": f.item_key,
                "description": f.description,
                "severity": f.severity,
                "severity_label": label(SEVERITIES, f.severity),
            }
            for f in faults
        ],
    }
