"""The office's list of all faults: filters, pages and the CSV/XLSX export with the clock
figures (limit, minutes used, met or breached), written by the one shared writer
(webapp/spreadsheets.py). The board (board.py) shows open faults by urgency; this list shows
every fault, newest first, a page at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from flask_babel import lazy_gettext as _l
from peewee import JOIN

from ..auth import scope
from ..clock import now as server_now
from ..models import Client, Equipment, Fault, Site, User
from ..models.choices import FAULT_KINDS, FAULT_STATUSES, SEVERITIES
from ..spreadsheets import column_widths, from_columns, write_csv, write_xlsx
from .board import Clock, row_of

PER_PAGE = 50
EXPORT_MAX = 50_000
CHUNK = 500

COLUMNS = [
    ("number", _l("Fault number")),
    ("kind", _l("Kind")),
    ("status", _l("Status")),
    ("severity", _l("Severity")),
    ("client", _l("Client")),
    ("site", _l("Site")),
    ("equipment", _l("Equipment")),
    ("description", _l("Description")),
    ("reported", _l("Reported")),
    ("assignee", _l("Assigned to")),
    ("respond_limit", _l("Respond limit (min)")),
    ("respond_used", _l("Respond used (min)")),
    ("respond_result", _l("Respond")),
    ("resolve_limit", _l("Resolve limit (min)")),
    ("resolve_used", _l("Resolve used (min)")),
    ("resolve_result", _l("Resolve")),
]
XLSX_WIDTHS = {"number": 16, "description": 40, "client": 20, "site": 20, "reported": 18}


def find_faults(user: User, filters: dict[str, Any], now: datetime | None = None):
    """Live faults in the user's scope matching the filters, newest report first."""
    now = (now or server_now()).replace(tzinfo=None)
    query = (
        Fault.select(Fault, Site, Client, Equipment, User)
        .join(Site, on=(Fault.site == Site.id))
        .join(Client, on=(Site.client == Client.id))
        .switch(Fault)
        .join(Equipment, JOIN.LEFT_OUTER, on=(Fault.equipment == Equipment.id))
        .switch(Fault)
        .join(User, JOIN.LEFT_OUTER, on=(Fault.assignee == User.id))
        .where(
            Fault.deleted_at.is_null() & Fault.site.in_(scope.visible_sites(user).select(Site.id))
        )
    )
    if filters.get("site_id"):
        query = query.where(Fault.site == filters["site_id"])
    if filters.get("client_id"):
        query = query.where(Site.client == filters["client_id"])
    if filters.get("status"):
        query = query.where(Fault.status == filters["status"])
    if filters.get("kind"):
        query = query.where(Fault.kind == filters["kind"])
    if filters.get("assignee_id"):
        query = query.where(Fault.assignee == filters["assignee_id"])
    # Device times are ISO 8601 on the device's clock, so their text sorts like the dates.
    if filters.get("date_from"):
        query = query.where(Fault.reported_at >= filters["date_from"].isoformat())
    if filters.get("date_to"):
        query = query.where(Fault.reported_at < (filters["date_to"] + timedelta(1)).isoformat())
    if filters.get("breached"):
        # A stopped clock keeps its verdict; a running one is breached once its due time passed.
        query = query.where(
            (Fault.respond_breached == True)  # noqa: E712
            | (Fault.resolve_breached == True)  # noqa: E712
            | (Fault.respond_used.is_null() & (Fault.respond_due < now))
            | (Fault.resolve_used.is_null() & (Fault.resolve_due < now))
        )
    return query.order_by(Fault.reported_at.desc(), Fault.number.desc())


def _minutes(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds() // 60)


def _result(c: Clock) -> str:
    if c.stopped:
        return str(_l("Breached") if c.breached else _l("Met"))
    if c.paused:
        return str(_l("Paused while waiting"))
    if c.breached:
        return str(_l("Breached"))
    return str(_l("Running")) if c.due is not None else ""


def rows(faults: Iterable[Fault], now: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One plain row per fault for the list and the exports, its clocks read now."""
    now = now or server_now()
    policies: dict = {}
    iterator = iter(faults)
    while chunk := list(islice(iterator, CHUNK)):
        for fault in chunk:
            row = row_of(fault, now, policies)
            yield {
                "id": str(fault.id),
                "row": row,
                "number": fault.number,
                "kind": str(FAULT_KINDS.get(fault.kind, fault.kind)),
                "status": str(FAULT_STATUSES.get(fault.status, fault.status)),
                "severity": str(SEVERITIES.get(fault.severity, fault.severity)),
                "client": fault.site.client.name,
                "site": fault.site.name,
                "equipment": fault.equipment.name if fault.equipment_id else "",
                "description": fault.description,
                "reported": fault.reported_at[:16].replace("T", " "),
                "assignee": fault.assignee.name if fault.assignee_id else "",
                "respond_limit": _minutes(row.respond.limit),
                "respond_used": _minutes(row.respond.used),
                "respond_result": _result(row.respond),
                "resolve_limit": _minutes(row.resolve.limit),
                "resolve_used": _minutes(row.resolve.used),
                "resolve_result": _result(row.resolve),
            }


def page_of(query, page: int) -> dict[str, Any]:
    """One page of the list with the numbers its navigation needs."""
    total = query.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    return {
        "rows": list(rows(query.paginate(page, PER_PAGE))),
        "total": total,
        "page": page,
        "pages": pages,
    }


def export_csv(records: Iterable[dict[str, Any]]) -> bytes:
    return write_csv(*from_columns(COLUMNS, records, limit=EXPORT_MAX))


def export_xlsx(records: Iterable[dict[str, Any]], *, sheet_title: str) -> bytes:
    headers, rows = from_columns(COLUMNS, records, limit=EXPORT_MAX)
    widths = column_widths(COLUMNS, XLSX_WIDTHS)
    return write_xlsx(headers, rows, title=sheet_title or "Faults", widths=widths)
