"""The office's pages for leave requests and absence explanations: the lists (waiting first,
filtered by site, engineer and month) and a page per record to decide it. Views stay thin: the
rules live in operations.py."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from ..auth.scope import parse_id
from ..errors import ApiError, not_found
from ..models import AbsenceExplanation, Attachment, LeaveRequest, Site, User
from ..models.choices import EXPLANATION_STATUSES, LEAVE_KINDS, LEAVE_NOTICES, LEAVE_STATUSES
from ..pages import office_page, savepoint
from ..validation import translate_messages
from . import operations as ops
from .schemas import Decision, LeaveFilter

bp = Blueprint("leave", __name__, url_prefix="/office")
ORDER = {"waiting": 0}  # waiting first, then the rest by their first day, newest first


def _filters() -> tuple[dict, dict, dict]:
    typed = {k: request.args.get(k, "").strip() for k in ("site_id", "engineer_id", "month")}
    try:
        return LeaveFilter().load({k: v for k, v in typed.items() if v}), typed, {}
    except ValidationError as err:
        return LeaveFilter().load({}), typed, translate_messages(err.normalized_messages())


def _month_range(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _choices() -> dict:
    return {
        "sites": Site.live().order_by(Site.name),
        "engineers": User.select()
        .where(User.role == "engineer")
        .order_by(User.display_name, User.username),
    }


@bp.route("/leave")
@office_page
def leave_list():
    filters, typed, errors = _filters()
    query = LeaveRequest.live()
    if filters["site_id"]:
        query = query.where(LeaveRequest.site == filters["site_id"])
    if filters["engineer_id"]:
        query = query.where(LeaveRequest.engineer == filters["engineer_id"])
    if filters["month"]:
        first, last = _month_range(filters["month"])
        query = query.where((LeaveRequest.first_day <= last) & (LeaveRequest.last_day >= first))
    rows = sorted(
        query.order_by(LeaveRequest.first_day.desc()),
        key=lambda r: ORDER.get(r.status, 1),  # a stable sort keeps the date order inside
    )
    return render_template(
        "leave/list.html",
        rows=rows,
        typed=typed,
        errors=errors,
        kinds=LEAVE_KINDS,
        statuses=LEAVE_STATUSES,
        notices=LEAVE_NOTICES,
        **_choices(),
    ), (422 if errors else 200)


def _leave(record_id) -> LeaveRequest:
    record = LeaveRequest.get_or_none(LeaveRequest.id == parse_id(record_id))
    if record is None or record.deleted_at is not None:
        raise not_found()
    return record


def _decide(decide, record_id, load_record, back: str):
    """Load the posted decision, apply it in one transaction, say how it went."""
    try:
        data = Decision().load(
            {"decision": request.form.get("decision", ""), "note": request.form.get("note", "")}
        )
    except ValidationError as err:
        return None, translate_messages(err.normalized_messages())
    try:
        with savepoint():
            decide(
                load_record(record_id),
                actor=current_user._get_current_object(),
                decision=data["decision"],
                note=data["note"],
            )
    except ApiError as err:
        if err.fields:
            return None, err.fields
        flash(err.message, "error")
        return redirect(url_for(back, record_id=record_id)), {}
    flash(_("Decision saved; it reaches the engineer's phone on the next sync."))
    return redirect(url_for(back, record_id=record_id)), {}


@bp.route("/leave/<record_id>", methods=["GET", "POST"])
@office_page
def leave_detail(record_id):
    errors: dict = {}
    if request.method == "POST":
        done, errors = _decide(ops.decide_leave, record_id, _leave, "leave.leave_detail")
        if done is not None:
            return done
    record = _leave(record_id)
    others = ops.overlapping(
        record.engineer_id, record.first_day, record.last_day, exclude=record.id
    )
    return render_template(
        "leave/detail.html",
        r=record,
        days=(record.last_day - record.first_day).days + 1,
        others=list(others),
        errors=errors,
        typed=request.form,
        kinds=LEAVE_KINDS,
        statuses=LEAVE_STATUSES,
        notices=LEAVE_NOTICES,
    ), (422 if errors else 200)


@bp.route("/explanations")
@office_page
def explanation_list():
    filters, typed, errors = _filters()
    query = AbsenceExplanation.live()
    if filters["site_id"]:
        query = query.where(AbsenceExplanation.site == filters["site_id"])
    if filters["engineer_id"]:
        query = query.where(AbsenceExplanation.engineer == filters["engineer_id"])
    if filters["month"]:
        query = query.where(AbsenceExplanation.month == filters["month"])
    rows = sorted(
        query.order_by(AbsenceExplanation.month.desc(), AbsenceExplanation.created_at.desc()),
        key=lambda r: ORDER.get(r.status, 1),
    )
    return render_template(
        "leave/explanations.html",
        rows=rows,
        typed=typed,
        errors=errors,
        statuses=EXPLANATION_STATUSES,
        **_choices(),
    ), (422 if errors else 200)


def _explanation(record_id) -> AbsenceExplanation:
    record = AbsenceExplanation.get_or_none(AbsenceExplanation.id == parse_id(record_id))
    if record is None or record.deleted_at is not None:
        raise not_found()
    return record


@bp.route("/explanations/<record_id>", methods=["GET", "POST"])
@office_page
def explanation_detail(record_id):
    errors: dict = {}
    if request.method == "POST":
        done, errors = _decide(
            ops.decide_explanation, record_id, _explanation, "leave.explanation_detail"
        )
        if done is not None:
            return done
    record = _explanation(record_id)
    photos = Attachment.live().where(
        (Attachment.owner_entity == "explanation") & (Attachment.owner_id == str(record.id))
    )
    return render_template(
        "leave/explanation.html",
        r=record,
        photos=list(photos),
        errors=errors,
        typed=request.form,
        statuses=EXPLANATION_STATUSES,
    ), (422 if errors else 200)
