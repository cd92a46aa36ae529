"""Round reports: the PDF for anyone in scope, and the office's list, page and exports."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from .. import clock
from ..api import endpoint
from ..errors import ApiError
from ..models import Site
from ..models.choices import ROUND_STATUSES
from ..pages import office_page
from ..validation import translate_messages
from . import operations as ops
from .schemas import RoundFilter, filter_args
from .view_model import round_report

bp = Blueprint("reports", __name__)
TAGS = ["rounds"]


def reader_locale() -> str:
    """The reader's language as webapp/i18n.py chose it for this request."""
    return str(get_locale() or "zh_Hans")


def _download(data: bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    response = Response(data, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers.set("Content-Disposition", disposition, filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@endpoint(
    bp,
    "/api/rounds/<round_id>/report.pdf",
    ["GET"],
    summary="The round's report as a PDF (application/pdf), in the reader's language",
    tags=TAGS,
)
def report_pdf(round_id):
    round_ = ops.get_round(current_user, round_id)
    data = ops.report_pdf(round_, locale=reader_locale())
    return _download(data, "application/pdf", ops.report_filename(round_), inline=True)


@endpoint(
    bp,
    "/api/faults/<fault_id>/report.pdf",
    ["GET"],
    summary="A fault's case report as a PDF (application/pdf), in the reader's language",
    tags=["faults"],
)
def case_report_pdf(fault_id):
    data, filename = ops.case_report_pdf(current_user, fault_id, locale=reader_locale())
    return _download(data, "application/pdf", filename, inline=True)


def _filters() -> tuple[dict, dict, dict]:
    """The list's filters as loaded values, as typed (to refill the form), and any errors."""
    typed = filter_args(request.args)
    try:
        return RoundFilter().load(typed), typed, {}
    except ValidationError as err:
        return RoundFilter().load({}), typed, translate_messages(err.normalized_messages())


@bp.route("/office/rounds")
@office_page
def rounds():
    filters, typed, errors = _filters()
    page = ops.page_of(ops.find_rounds(current_user, filters), filters["page"], reader_locale())
    links = {k: v for k, v in typed.items() if k != "page"}
    return render_template(
        "reports/rounds.html",
        page=page,
        typed=typed,
        links=links,
        errors=errors,
        sites=Site.live().order_by(Site.name),
        statuses=ROUND_STATUSES,
    ), (422 if errors else 200)


def _export_rows():
    filters, _typed, errors = _filters()
    if errors:
        message = " ".join(m for messages in errors.values() for m in messages)
        raise ApiError(422, "invalid", message)
    return ops.rows(ops.find_rounds(current_user, filters).iterator(), reader_locale())


def _export_name(extension: str) -> str:
    return f"rounds-{clock.today():%Y%m%d}.{extension}"


@bp.route("/office/rounds/export.csv")
@office_page
def export_csv():
    data = ops.export_csv(_export_rows())
    return _download(data, "text/csv; charset=utf-8", _export_name("csv"))


@bp.route("/office/rounds/export.xlsx")
@office_page
def export_xlsx():
    data = ops.export_xlsx(_export_rows(), sheet_title=_("Round reports"))
    return _download(
        data,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _export_name("xlsx"),
    )


@bp.route("/office/rounds/<round_id>")
@office_page
def round_detail(round_id):
    round_ = ops.get_round(current_user, round_id)
    report = round_report(round_, reader_locale())
    return render_template(
        "reports/round.html",
        report=report,
        pdf_url=url_for("reports.report_pdf", round_id=round_.id),
    )
