"""The office's fault board and a fault's page, where the dispatcher assigns, reassigns,
escalates, confirms on the client's word, closes and cancels (steps timed by the server)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from .. import clock as server_clock
from ..errors import ApiError
from ..models import Client, Site, User
from ..models.choices import SEVERITIES
from ..pages import office_page, savepoint
from ..validation import translate_messages
from . import board as board_ops
from . import listing
from . import operations as ops
from .schemas import (
    CHANNELS,
    DETAILS,
    ESCALATE_BY_HAND,
    ESCALATE_TO,
    FAULT_KINDS,
    KIND_LABELS,
    REQUIRED,
    STATUS_LABELS,
    WAITING_FOR,
    WHY_LABELS,
    BoardFilter,
    FaultEventIn,
    FaultFilter,
    FaultReport,
    details_of,
)

bp = Blueprint("faults", __name__)
OFFICE_STEPS = ("assigned", "escalated", "confirmed", "closed", "cancelled", "reviewed")
LABELS = {
    "kinds": KIND_LABELS,
    "statuses": STATUS_LABELS,
    "channels": CHANNELS,
    "escalate_to": ESCALATE_BY_HAND,
    "escalated_to": ESCALATE_TO,
    "waiting_for": WAITING_FOR,
    "why": WHY_LABELS,
    "fault_kinds": FAULT_KINDS,
    "severities": SEVERITIES,
}


def _engineers():
    return User.select().where(User.role == "engineer", User.active).order_by(User.username)


@bp.route("/office/faults")
@office_page
def board():
    """Open faults, the one with the least time left on its clock first."""
    typed = {k: v.strip() for k, v in request.args.items() if v.strip()}
    try:
        chosen, errors = BoardFilter().load(typed), {}
    except ValidationError as err:
        chosen, errors = None, translate_messages(err.normalized_messages())
    rows = (
        board_ops.board(
            view=chosen["view"],
            site_id=str(chosen["site_id"] or ""),
            severity=chosen["severity"] or "",
        )
        if chosen is not None
        else []
    )
    return render_template(
        "faults/board.html",
        rows=rows,
        view=typed.get("view", "open"),
        site_id=typed.get("site_id", ""),
        severity=typed.get("severity", ""),
        errors=errors,
        sites=Site.live().order_by(Site.name),
        labels=LABELS,
    ), (422 if errors else 200)


def _list_filters() -> tuple[dict, dict, dict]:
    """The list's filters as loaded values, as typed (to refill the form), and any errors."""
    typed = {k: v.strip() for k, v in request.args.items() if v.strip()}
    try:
        return FaultFilter().load(typed), typed, {}
    except ValidationError as err:
        return FaultFilter().load({}), typed, translate_messages(err.normalized_messages())


@bp.route("/office/faults/list")
@office_page
def all_faults():
    """Every fault, newest first, filtered and a page at a time, with its clocks' figures."""
    filters, typed, errors = _list_filters()
    page = listing.page_of(listing.find_faults(current_user, filters), filters["page"])
    return render_template(
        "faults/list.html",
        page=page,
        typed=typed,
        links={k: v for k, v in typed.items() if k != "page"},
        errors=errors,
        sites=Site.live().order_by(Site.name),
        clients=Client.live().order_by(Client.name),
        engineers=_engineers(),
        labels=LABELS,
    ), (422 if errors else 200)


def _export_rows():
    filters, _typed, errors = _list_filters()
    if errors:
        message = " ".join(m for messages in errors.values() for m in messages)
        raise ApiError(422, "invalid", message)
    return listing.rows(listing.find_faults(current_user, filters).iterator())


def _download(data: bytes, mimetype: str, extension: str) -> Response:
    response = Response(data, mimetype=mimetype)
    name = f"faults-{server_clock.today():%Y%m%d}.{extension}"
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/office/faults/export.csv")
@office_page
def export_csv():
    return _download(listing.export_csv(_export_rows()), "text/csv; charset=utf-8", "csv")


@bp.route("/office/faults/export.xlsx")
@office_page
def export_xlsx():
    data = listing.export_xlsx(_export_rows(), sheet_title=_("Faults"))
    return _download(
        data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    )


@bp.route("/office/faults/new", methods=["GET", "POST"])
@office_page
def new():
    """Log a fault from a phone call: it gets its number and its clocks start now."""
    typed = request.form.to_dict() if request.method == "POST" else {}
    errors: dict = {}
    if request.method == "POST":
        try:
            data = FaultReport().load(
                {k: v for k, v in typed.items() if k != "csrf_token" and v != ""}
            )
            with savepoint():
                fault = ops.report_fault(actor=current_user._get_current_object(), data=data)
        except ValidationError as err:
            errors = translate_messages(err.normalized_messages())
        except ApiError as err:
            errors = err.fields or {"_": [err.message]}
        else:
            flash(_("Fault %(number)s logged.", number=fault.number))
            return redirect(url_for("faults.page", fault_id=fault.id))
    return render_template(
        "faults/new.html",
        typed=typed,
        errors=errors,
        sites=Site.live().order_by(Site.name),
        labels=LABELS,
    ), (422 if errors else 200)


@bp.route("/office/faults/<fault_id>")
@office_page
def page(fault_id):
    """The fault, its clocks and its whole history."""
    fault = ops.get_fault(current_user, fault_id)
    now = server_clock.now()
    engineers = list(_engineers())
    events = ops.events_of(fault)
    review = next((e.details or {} for e in reversed(events) if e.kind == "reviewed"), {})
    return render_template(
        "faults/page.html",
        row=board_ops.row_of(fault, now),
        state=ops.read(fault, now),
        events=events,
        review=review,
        photos=ops.photos_of(fault),
        engineers=engineers,
        names={str(u.id): u.name for u in engineers},
        labels=LABELS,
    )


def _step_form(kind: str) -> dict:
    """The step's own fields as typed; a blank optional field is left out."""
    data = {"note": request.form.get("note", "")}
    for name in DETAILS.get(kind, ()):
        value = request.form.get(name, "").strip()
        if value or name in REQUIRED.get(kind, ()):
            data[name] = value or None if name == "assignee_id" else value
    return data


@bp.route("/office/faults/<fault_id>/steps", methods=["POST"])
@office_page
def take_step(fault_id):
    fault = ops.get_fault(current_user, fault_id)
    kind = request.form.get("kind", "")
    if kind not in OFFICE_STEPS:
        flash(_("This step is taken on the phone."), "error")
        return redirect(url_for("faults.page", fault_id=fault.id))
    data = {"fault_id": str(fault.id), "kind": kind, "at": ops.server_time(), **_step_form(kind)}
    try:
        loaded = FaultEventIn().load(data)
        with savepoint():
            ops.office_step(
                current_user._get_current_object(),
                fault,
                kind,
                details_of(loaded),
                note=loaded["note"],
            )
    except ValidationError as err:
        messages = translate_messages(err.normalized_messages())
        flash(" ".join(m for v in messages.values() for m in v), "error")
    except ApiError as err:
        flash(err.message, "error")
    else:
        flash(_("%(step)s: saved.", step=KIND_LABELS[kind]))
    return redirect(url_for("faults.page", fault_id=fault.id))
