"""A fault's case report (case报告, domain §5): the fault, both clocks with met or breached,
every step with its time, who took it, its note and whether it had effect, the diagnosis, what
was done and the parts used (the resolution that counted), and the case analysis — root cause,
improvement, lessons — from the fault's latest "reviewed" step. An A4 PDF in the reader's
language, with the Chinese font embedded; the fault's photos are printed as thumbnails."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf.enums import Align, XPos, YPos

from ..clock import now as clock_now
from ..faults import operations as faults
from ..models import Client, Equipment, Fault, Site, User
from ..models.choices import (
    FAULT_CHANNELS,
    FAULT_EFFECTS,
    FAULT_ESCALATIONS,
    FAULT_KINDS,
    FAULT_STATUSES,
    FAULT_STEPS,
    FAULT_WAITING,
    SEVERITIES,
)
from .pdf import BLACK, GREY, LINE, MUTED, RED, PhotoBytes, Renderer, ReportPdf

STEP_COLUMNS = (28.0, 28.0, 26.0, 76.0, 28.0)  # time | step | who | what | effect; 186 mm


def _local(text: str) -> str:
    """A device time as its writer read it: date and minutes, offset dropped."""
    return (text or "")[:16].replace("T", " ")


def _minutes(seconds: int | None) -> int | None:
    return None if seconds is None else seconds // 60


def _clock(figure: dict[str, Any], name: str) -> dict[str, Any]:
    if figure["stopped"]:
        verdict = _("Breached") if figure["breached"] else _("Met")
    elif figure["due"] is None:
        verdict = _("Paused while waiting")
    else:
        verdict = _("Breached") if figure["breached"] else _("Running")
    return {
        "name": name,
        "limit": _minutes(figure["limit_s"]),
        "used": _minutes(figure["used_s"]),
        "verdict": verdict,
        "breached": bool(figure["breached"]),
    }


def _what(details: dict[str, Any], names: dict[str, str]) -> list[str]:
    """A step's own fields as lines of text, in the reader's language."""
    lines = []
    if details.get("channel"):
        lines.append(str(FAULT_CHANNELS.get(details["channel"], details["channel"])))
    if details.get("waiting_for"):
        lines.append(str(FAULT_WAITING.get(details["waiting_for"], details["waiting_for"])))
    for key, label in (
        ("diagnosis", _("Diagnosis")),
        ("action", _("What was done")),
        ("parts", _("Parts used")),
        ("reason", _("Reason")),
        ("root_cause", _("Root cause")),
        ("improvement", _("Improvement")),
        ("lessons", _("Lessons")),
    ):
        if details.get(key):
            lines.append(f"{label}: {details[key]}")
    if details.get("to"):
        to = str(FAULT_ESCALATIONS.get(details["to"], details["to"]))
        lines.append(f"{to} {details.get('contact', '')}".strip())
    if details.get("assignee_id"):
        name = names.get(details["assignee_id"], details["assignee_id"])
        lines.append(f"{_('Assigned to')}: {name}")
    return lines


def case_report(fault: Fault, *, now: datetime | None = None) -> dict[str, Any]:
    """What the case report prints, in the current locale (read under `force_locale`)."""
    now = now or clock_now()
    site = Site.get_by_id(fault.site_id)
    client = Client.get_by_id(site.client_id)
    equipment = Equipment.get_or_none(Equipment.id == fault.equipment_id)
    state = faults.read(fault, now)
    events = faults.events_of(fault)
    faults.attach_authors(events)
    effects = {e["id"]: e for e in state["events"]}
    ids = {(e.details or {}).get("assignee_id") for e in events} - {None, ""}
    names = {str(u.id): u.name for u in User.select().where(User.id.in_(ids))} if ids else {}
    steps, resolution, review = [], None, None
    for event in events:
        effect = effects.get(str(event.id), {"applied": True, "why": None})
        applied = effect["applied"]
        if event.kind == "resolved" and applied and resolution is None:
            resolution = event.details or {}
        if event.kind == "reviewed":
            review = {"details": event.details or {}, "by": event.by.name, "at": _local(event.at)}
        steps.append(
            {
                "at": _local(event.at),
                "kind": str(FAULT_STEPS.get(event.kind, event.kind)),
                "by": event.by.name,
                "what": "\n".join(_what(event.details or {}, names)),
                "note": event.note,
                "applied": applied,
                "effect": _("Had effect")
                if applied
                else str(FAULT_EFFECTS.get(effect["why"], effect["why"])),
            }
        )
    reporter = User.get_or_none(User.id == fault.reported_by_id)
    assignee = User.get_or_none(User.id == fault.assignee_id) if fault.assignee_id else None
    device = ""
    if equipment is not None:
        model = " ".join(p for p in (equipment.brand, equipment.model) if p)
        device = f"{equipment.name} ({model})" if model else equipment.name
    resolution = resolution or {}
    review_details = (review or {}).get("details", {})
    photos = [str(a.id) for a in faults.photos_of(fault) if a.status == "complete"]
    printed = now.astimezone(ZoneInfo(site.timezone)).strftime("%Y-%m-%d %H:%M")
    return {
        "title": _("Case report"),
        "number": fault.number,
        "engineer": assignee.name if assignee else "",
        "client": client.name,
        "site": site.name,
        "device": device,
        "kind": str(FAULT_KINDS.get(fault.kind, fault.kind)),
        "severity": str(SEVERITIES.get(fault.severity, fault.severity)),
        "status": str(FAULT_STATUSES.get(state["status"], state["status"])),
        "description": fault.description,
        "reported_at": _local(faults.reported_at(fault)),
        "reported_by": reporter.name if reporter else "",
        "assignee": assignee.name if assignee else "",
        "printed_at": printed,
        "clocks": [
            _clock(state["respond"], _("Respond")),
            _clock(state["resolve"], _("Resolve")),
        ],
        "steps": steps,
        "diagnosis": resolution.get("diagnosis", ""),
        "action": resolution.get("action", ""),
        "parts": resolution.get("parts", ""),
        "root_cause": review_details.get("root_cause", ""),
        "improvement": review_details.get("improvement", ""),
        "lessons": review_details.get("lessons", ""),
        "reviewed": f"{review['by']} · {review['at']}" if review else "",
        "photos": photos,
    }


class CasePdf(ReportPdf):
    """The round report's page and text helpers; a footer with the fault's number."""

    def __init__(self, report: dict[str, Any], locale: str) -> None:
        super().__init__({**report, "seal_hash": ""}, locale)

    def footer(self) -> None:
        self.set_y(-12)
        self.font(7, MUTED)
        self.cell(150, 3.6, f"{self.report['number']}  {self.report['printed_at']}")
        self.cell(
            0,
            3.6,
            _("Page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}"),
            align=Align.R,
        )


class CaseRenderer(Renderer):
    def __init__(self, report: dict[str, Any], locale: str, photo_bytes: PhotoBytes) -> None:
        self.report = report
        self.photo_bytes = photo_bytes
        self.pdf = CasePdf(report, locale)
        self.thumbs: dict[str, bytes | None] = {}

    def render(self) -> bytes:
        pdf, report = self.pdf, self.report
        pdf.add_page()
        pdf.font(15)
        with pdf.bold():
            pdf.multi_cell(0, 8, report["title"], align=Align.C, new_x=XPos.LMARGIN)
        pdf.font(10)
        with pdf.bold():
            pdf.cell(
                0,
                7,
                _("Fault number: %(number)s", number=report["number"] or "—"),
                align=Align.R,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        widths = (26.0, 67.0, 26.0, 67.0)
        colours = [MUTED, None, MUTED, None]
        for row in (
            (_("Client"), report["client"], _("Site"), report["site"]),
            (_("Device"), report["device"], _("Kind"), f"{report['kind']} · {report['severity']}"),
            (_("Reported"), report["reported_at"], _("Reported by"), report["reported_by"]),
            (_("Assigned to"), report["assignee"], _("Status"), report["status"]),
            (_("Report time"), report["printed_at"], "", ""),
        ):
            pdf.grid_row(list(zip(widths, [v or "—" for v in row], strict=True)), colours=colours)
        pdf.ln(1)
        pdf.pair(_("Description:"), report["description"])

        pdf.heading(_("Service-level clocks"))
        for c in report["clocks"]:
            used = "—" if c["used"] is None else str(c["used"])
            text = _(
                "%(verdict)s · %(used)s of %(limit)s min",
                verdict=c["verdict"],
                used=used,
                limit=c["limit"],
            )
            pdf.pair(f"{c['name']}:", text, colour=RED if c["breached"] else BLACK)

        pdf.heading(_("Steps and results"), keep=2 * LINE + 12)
        heads = [_("Time"), _("Step"), _("By"), _("What and note"), _("Effect")]
        pdf.grid_row(list(zip(STEP_COLUMNS, heads, strict=True)), fill=GREY, size=8.5)
        for step in report["steps"]:
            what = "\n".join(p for p in (step["what"], step["note"]) if p) or "—"
            cells = [step["at"], step["kind"], step["by"], what, step["effect"]]
            pdf.grid_row(
                list(zip(STEP_COLUMNS, cells, strict=True)),
                colours=[None, None, None, None, None if step["applied"] else RED],
                size=8.5,
            )
        if not report["steps"]:
            pdf.paragraph(_("No steps yet."), colour=MUTED)

        pdf.heading(_("Diagnosis and handling"))
        pdf.pair(_("Diagnosis:"), report["diagnosis"])
        pdf.pair(_("What was done:"), report["action"])
        pdf.pair(_("Parts used:"), report["parts"])

        pdf.heading(_("Case analysis"))
        pdf.pair(_("Root cause:"), report["root_cause"])
        pdf.pair(_("Improvement:"), report["improvement"])
        pdf.pair(_("Lessons:"), report["lessons"])
        if report["reviewed"]:
            pdf.pair(_("Written by:"), report["reviewed"])

        if report["photos"]:
            pdf.heading(_("Photos"), keep=30)
            self.photos([{"id": p} for p in report["photos"]])
        return bytes(pdf.output())


def render_case_pdf(fault: Fault, *, locale: str, photo_bytes: PhotoBytes) -> bytes:
    """The fault's case report as PDF bytes in `locale`."""
    with force_locale(locale):
        return CaseRenderer(case_report(fault), locale, photo_bytes).render()
