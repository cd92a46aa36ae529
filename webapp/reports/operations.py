"""The rules of round reports: who may read which round, the PDF, the office list and exports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from itertools import islice
from typing import Any

from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from ..attachments import storage
from ..auth import scope
from ..checklists.content import text
from ..errors import not_found
from ..faults import operations as fault_ops
from ..models import (
    Answer,
    ChecklistTemplate,
    Fault,
    Location,
    Round,
    Site,
    TemplateVersion,
    User,
)
from ..models.choices import ROUND_STATUSES, SATISFACTION
from ..spreadsheets import column_widths, from_columns, write_csv, write_xlsx
from .case_report import render_case_pdf
from .pdf import PhotoBytes, render_round_pdf
from .view_model import clock, label, round_query, round_report

PER_PAGE = 50
EXPORT_MAX = 50_000
CHUNK = 500

COLUMNS = [
    ("number", _l("Report number")),
    ("template", _l("Template")),
    ("site", _l("Site")),
    ("location", _l("Location")),
    ("engineer", _l("Engineer")),
    ("started", _l("Started")),
    ("submitted", _l("Submitted")),
    ("status_label", _l("Status")),
    ("abnormal", _l("Abnormal items")),
    ("faults", _l("Faults")),
    ("satisfaction", _l("Satisfaction")),
    ("signer", _l("Signed by")),
    ("seal_hash", _l("Seal hash")),
]


# -- one round -----------------------------------------------------------------------------


def get_round(user: User, round_id) -> Round:
    """A live round at a site the user may see, with what its report needs; else 404."""
    found = (
        round_query()
        .where(
            (Round.id == scope.parse_id(round_id))
            & Round.deleted_at.is_null()
            & Round.site.in_(scope.visible_sites(user).select(Site.id))
        )
        .first()
    )
    if found is None:
        raise not_found()
    return found


def stored_bytes(received: set[str]) -> PhotoBytes:
    """Read attachments of the report that have fully arrived; None for any other id."""

    def read(attachment_id: str) -> bytes | None:
        if attachment_id not in received:
            return None
        return storage.current().read(attachment_id)  # an unreachable store answers 503

    return read


def received_ids(report: dict[str, Any]) -> set[str]:
    ids = {
        photo["id"]
        for section in report["sections"]
        for item in section["items"]
        for photo in item["photos"]
        if photo["received"]
    }
    signature = report["signature"]
    if signature and signature["received"]:
        ids.add(signature["id"])
    return ids


def report_filename(round_: Round) -> str:
    return f"{round_.number or round_.id}.pdf"


def report_pdf(round_: Round, *, locale: str) -> bytes:
    """The round's report as a PDF in the reader's language."""
    report = round_report(round_, locale)
    return render_round_pdf(report, locale=locale, photo_bytes=stored_bytes(received_ids(report)))


def case_report_pdf(user: User, fault_id, *, locale: str) -> tuple[bytes, str]:
    """A fault's case report (in the user's scope, or assigned to them) and its file name."""
    fault = fault_ops.get_fault(user, fault_id)
    received = {str(a.id) for a in fault_ops.photos_of(fault) if a.status == "complete"}
    data = render_case_pdf(fault, locale=locale, photo_bytes=stored_bytes(received))
    return data, f"{fault.number or fault.id}.pdf"


# -- the office list -------------------------------------------------------------------------


def find_rounds(user: User, filters: dict[str, Any]):
    """Rounds in the user's scope matching the filters, newest first."""
    query = (
        Round.select(Round, TemplateVersion, ChecklistTemplate, Site, Location, User)
        .join(TemplateVersion)
        .join(ChecklistTemplate)
        .switch(Round)
        .join(Site)
        .switch(Round)
        .join(Location, JOIN.LEFT_OUTER)
        .switch(Round)
        .join(User, on=(Round.engineer == User.id))
        .where(
            Round.deleted_at.is_null() & Round.site.in_(scope.visible_sites(user).select(Site.id))
        )
    )
    if filters.get("site_id"):
        query = query.where(Round.site == filters["site_id"])
    # Device times are ISO 8601 on the device's clock, so their text sorts like the dates.
    if filters.get("date_from"):
        query = query.where(Round.started_at >= filters["date_from"].isoformat())
    if filters.get("date_to"):
        query = query.where(Round.started_at < (filters["date_to"] + timedelta(1)).isoformat())
    if filters.get("status"):
        query = query.where(Round.status == filters["status"])
    if filters.get("abnormal"):
        query = query.where(
            Round.id.in_(
                Answer.select(Answer.round).where(
                    (Answer.status == "abnormal") & Answer.deleted_at.is_null()
                )
            )
        )
    return query.order_by(Round.started_at.desc(), Round.number.desc())


def _chunks(rounds: Iterable[Round], size: int) -> Iterator[list[Round]]:
    iterator = iter(rounds)
    while chunk := list(islice(iterator, size)):
        yield chunk


def rows(rounds: Iterable[Round], locale: str) -> Iterator[dict[str, Any]]:
    """One plain row per round for the list and exports; counts are read a chunk at a time."""
    for chunk in _chunks(rounds, CHUNK):
        ids = [r.id for r in chunk]
        abnormal = dict(
            Answer.select(Answer.round, fn.COUNT(Answer.id))
            .where(
                Answer.round.in_(ids) & (Answer.status == "abnormal") & Answer.deleted_at.is_null()
            )
            .group_by(Answer.round)
            .tuples()
        )
        faults: dict[Any, list[str]] = {}
        for round_id, number in (
            Fault.select(Fault.round, Fault.number)
            .where(Fault.round.in_(ids) & Fault.deleted_at.is_null())
            .order_by(Fault.number)
            .tuples()
        ):
            faults.setdefault(round_id, []).append(number)
        for r in chunk:
            acceptance = r.acceptance if isinstance(r.acceptance, dict) else {}
            version = r.template_version
            yield {
                "id": str(r.id),
                "number": r.number,
                "template": f"{text(version.template.title, locale)} v{version.number}",
                "site": r.site.name,
                "location": r.location.name if r.location_id else "",
                "engineer": r.engineer.name,
                "started": clock(r.started_at),
                "submitted": clock(r.submitted_at),
                "status": r.status,
                "status_label": label(ROUND_STATUSES, r.status),
                "abnormal": abnormal.get(r.id, 0),
                "faults": ", ".join(faults.get(r.id, [])),
                "satisfaction": label(SATISFACTION, acceptance.get("satisfaction")),
                "signer": acceptance.get("signer", ""),
                "seal_hash": r.seal_hash,
            }


def page_of(query, page: int, locale: str) -> dict[str, Any]:
    """One page of the list with the numbers its navigation needs."""
    total = query.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    return {
        "rows": list(rows(query.paginate(page, PER_PAGE), locale)),
        "total": total,
        "page": page,
        "pages": pages,
    }


# -- exports ---------------------------------------------------------------------------------


def export_csv(records: Iterable[dict[str, Any]]) -> bytes:
    return write_csv(*from_columns(COLUMNS, records, limit=EXPORT_MAX))


XLSX_WIDTHS = {"number": 16, "template": 28, "seal_hash": 66, "faults": 24}


def export_xlsx(records: Iterable[dict[str, Any]], *, sheet_title: str) -> bytes:
    headers, rows = from_columns(COLUMNS, records, limit=EXPORT_MAX)
    widths = column_widths(COLUMNS, XLSX_WIDTHS)
    return write_xlsx(headers, rows, title=sheet_title or "Rounds", widths=widths)
