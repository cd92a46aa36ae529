"""Office pages for check-ins: the list with its filters, and the attendance month sheet per site
or per engineer. Server-rendered, usable at phone width. Office roles only."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from .. import clock, spreadsheets
from ..api import endpoint
from ..attendance import rules
from ..auth.scope import parse_id
from ..errors import ApiError, not_found
from ..models import Location, Site, User
from ..models.choices import EXPLANATION_STATUSES, LEAVE_KINDS
from ..pages import office_page
from . import access, attendance
from . import operations as ops
from .schemas import FlagOut

bp = Blueprint("checkins", __name__, url_prefix="/office/checkins")
api = Blueprint("attendance_api", __name__, url_prefix="/api/attendance")

# A cell's mark; the legend under the sheet names each.
MARKS = {
    rules.PRESENT: "✓",
    rules.ABSENT: "✗",
    rules.REST: "·",
    rules.INCOMPLETE: "◐",
    rules.LEAVE: "⊘",
    rules.NOT_STATIONED: "–",
}
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def flag_labels() -> dict[str, str]:
    return {
        ops.CLOCK_OUTSIDE: _("Phone clock outside the trusted window"),
        ops.NO_SERVER_TIME: _("No signed server time on the phone"),
        ops.COUNTER_REPEATED: _("Passkey counter repeated: a copied passkey?"),
        ops.SYNCED_PASSKEY: _("Synced passkey: proves the person, not the phone"),
        ops.NO_TAG: _("Site picked, no room label scanned"),
    }


def status_labels() -> dict[str, str]:
    return {
        rules.REST: _("Rest day"),
        rules.LEAVE: _("Leave"),
        rules.ABSENT: _("Absent"),
        rules.INCOMPLETE: _("No check-out"),
        rules.PRESENT: _("Present"),
        rules.NOT_STATIONED: _("Not stationed here"),
    }


def reason_label(reason: str) -> str:
    name, _sep, value = reason.partition(":")
    sources = {
        "national": _("national calendar"),
        "site": _("this site's own calendar"),
        "assumed": _("Monday to Friday assumed: this year's national calendar is not known yet"),
    }
    labels = {
        "rest_day": _("Not a working day (%(source)s)", source=sources.get(value, value)),
        "working_day": _("A working day (%(source)s)", source=sources.get(value, value)),
        "approved_leave": _("Approved leave"),
        "no_check_in": _("No check-in on a working day"),
        "not_stationed": _("Not stationed at this site that day: no absence"),
        "no_check_out": _("Checked in, never out"),
        "late": _(
            "Late: first check-in more than %(minutes)s minutes after the start", minutes=value
        ),
        "early_leave": _(
            "Early leave: last check-out more than %(minutes)s minutes before the end",
            minutes=value,
        ),
    }
    return labels.get(name, reason)


def _month() -> tuple[int, int]:
    text = request.args.get("month", "")
    match = _MONTH.fullmatch(text)
    if not text:
        today = clock.today()
        return today.year, today.month
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ApiError(400, "bad_month", _("Write the month as YYYY-MM, e.g. 2026-12."))
    return int(match.group(1)), int(match.group(2))


def _optional(model, name):
    value = request.args.get(name, "")
    if not value:
        return None
    found = model.get_or_none(model.id == parse_id(value))
    if found is None:
        raise not_found()
    return found


def _choices():
    sites = list(Site.live().order_by(Site.name))
    engineers = list(User.select().where(User.role == "engineer").order_by(User.username))
    return sites, engineers


@bp.route("")
@office_page
def index():
    year, month = _month()
    site = _optional(Site, "site_id")
    user = _optional(User, "user_id")
    first_day = date(year, month, 1)
    last_day = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    day = request.args.get("day", "")
    if day:
        try:
            first_day = last_day = date.fromisoformat(day)
        except ValueError:
            raise ApiError(400, "bad_day", _("Write the day as YYYY-MM-DD.")) from None
    rows = ops.checkins_for(
        _actor(),
        site_id=site.id if site else None,
        user_id=user.id if user else None,
        first_day=first_day,
        last_day=last_day,
        flagged=request.args.get("flagged") == "1",
    )
    sites, engineers = _choices()
    return render_template(
        "checkins/list.html",
        rows=rows,
        sites=sites,
        engineers=engineers,
        site=site,
        user=user,
        month=f"{year:04d}-{month:02d}",
        flagged=request.args.get("flagged") == "1",
        flags=flag_labels(),
    )


def _sheet_rows():
    """The sheet asked for: (year, month, site, user, rows, days)."""
    year, month = _month()
    site = _optional(Site, "site_id")
    user = _optional(User, "user_id")
    now = clock.now()  # each site's today is read in its own time zone
    if site is not None:
        rows = attendance.site_sheet(site, year, month, now)
    elif user is not None:
        rows = attendance.engineer_sheet(user, year, month, now)
    else:
        rows = []
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    days = [first + timedelta(days=n) for n in range((following - first).days)]
    return year, month, site, user, rows, days


def explanation_labels() -> dict[str, str]:
    return {"missing": _("Not yet filed"), **{k: str(v) for k, v in EXPLANATION_STATUSES.items()}}


@bp.route("/sheet")
@office_page
def sheet():
    year, month, site, user, rows, days = _sheet_rows()
    sites, engineers = _choices()
    return render_template(
        "checkins/sheet.html",
        rows=rows,
        days=days,
        sites=sites,
        engineers=engineers,
        site=site,
        user=user,
        month=f"{year:04d}-{month:02d}",
        statuses=status_labels(),
        marks=MARKS,
        reason_label=reason_label,
        leave_kinds=LEAVE_KINDS,
        explanation_labels=explanation_labels(),
        absences_allowed=rules.MONTHLY_ABSENCES_ALLOWED,
        late_allowed=rules.MONTHLY_LATE_MINUTES_ALLOWED,
    )


# The machine-room access log (机房出入登记) ----------------------------------------------------


def _day(name: str) -> date | None:
    text = request.args.get(name, "")
    if not text:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "bad_day", _("Write the day as YYYY-MM-DD.")) from None


def _access_filters() -> dict:
    site = _optional(Site, "site_id")
    room = _optional(Location, "location_id")
    first_day, last_day = _day("from"), _day("to")
    if first_day is None and last_day is None:  # this month so far, by default
        today = clock.today()
        first_day = today.replace(day=1)
    if first_day and last_day and last_day < first_day:
        raise ApiError(400, "bad_period", _("The last day is before the first day."))
    return {"site": site, "room": room, "first_day": first_day, "last_day": last_day}


def _access_entries(filters: dict) -> list:
    return access.access_log(
        _actor(),
        site_id=filters["site"].id if filters["site"] else None,
        location_id=filters["room"].id if filters["room"] else None,
        first_day=filters["first_day"],
        last_day=filters["last_day"],
    )


def verification_labels() -> dict[str, str]:
    return {ops.VERIFIED: _("Verified"), ops.UNSIGNED: _("Unsigned")}


def access_titles() -> dict[str, str]:
    return {
        "site": _("Site"),
        "room": _("Room"),
        "engineer": _("Engineer"),
        "in": _("In"),
        "out": _("Out"),
        "purpose": _("Purpose"),
        "people": _("People"),
        "escorts": _("Escorted"),
        "verification": _("Check-in"),
        "out_verification": _("Check-out"),
        "open": _("Not checked out"),
    }


ACCESS_PER_PAGE = 100  # a month of a busy site is thousands of entries; the exports take all


def _page_number() -> int:
    text = request.args.get("page", "")
    if not text:
        return 1
    if not re.fullmatch(r"[1-9]\d{0,5}", text):
        raise ApiError(400, "bad_page", _("The page number is not valid."))
    return int(text)


@bp.route("/access")
@office_page
def access_log():
    filters = _access_filters()
    number = _page_number()
    entries = _access_entries(filters)
    pages = max(1, -(-len(entries) // ACCESS_PER_PAGE))
    number = min(number, pages)
    rooms = list(
        Location.live()
        .join(Site)
        .where(Location.restricted == True)  # noqa: E712
        .order_by(Site.name, Location.name)
    )
    args = {
        "site_id": filters["site"].id if filters["site"] else None,
        "location_id": filters["room"].id if filters["room"] else None,
        "from": filters["first_day"].isoformat() if filters["first_day"] else None,
        "to": filters["last_day"].isoformat() if filters["last_day"] else None,
    }
    return render_template(
        "checkins/access.html",
        entries=entries[(number - 1) * ACCESS_PER_PAGE : number * ACCESS_PER_PAGE],
        page={"page": number, "pages": pages, "total": len(entries)},
        sites=list(Site.live().order_by(Site.name)),
        rooms=rooms,
        args={k: v for k, v in args.items() if v},
        statuses=verification_labels(),
        **filters,
    )


def _download(data: bytes, mimetype: str, extension: str) -> Response:
    response = Response(data, mimetype=mimetype)
    today = clock.today()
    response.headers.set(
        "Content-Disposition", "attachment", filename=f"access-log-{today:%Y%m%d}.{extension}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def cell_text(row: attendance.Row, day: rules.Day) -> str:
    """A cell of the export: the status in words, minutes late or early, the leave's type."""
    parts = [str(status_labels()[day.status])]
    if day.status == rules.LEAVE and day.day in row.leave:
        parts.append(str(LEAVE_KINDS.get(row.leave[day.day].kind, row.leave[day.day].kind)))
    if day.late:
        parts.append(_("%(n)s min late", n=day.late_minutes))
    if day.left_early:
        parts.append(_("%(n)s min early", n=day.early_minutes))
    if day.day in row.site_days:
        parts.append(row.site_days[day.day].note)
    return " · ".join(parts)


def _export(kind: str):
    year, month, site, user, rows, days = _sheet_rows()
    if site is None and user is None:
        raise ApiError(400, "bad_sheet", _("Choose a site or an engineer."))
    labels = explanation_labels()
    headers = [
        _("Site") if user is not None and site is None else _("Engineer"),
        *(d.isoformat() for d in days),
        _("Absences"),
        _("Minutes late"),
        _("Monthly flag"),
        _("Written explanation"),
    ]
    table = []
    for row in rows:
        cells = {d.day: cell_text(row, d) for d in row.month.days}
        flagged = row.month.explanation_required
        table.append(
            [
                row.label,
                *(cells.get(d, "") for d in days),
                row.month.absences,
                row.month.late_minutes,
                _("Written absence explanation required") if flagged else "",
                labels[row.explanation.status] if row.explanation else "",
            ]
        )
    who = (site.name if site is not None else user.name) or "sheet"
    name = f"attendance-{year:04d}-{month:02d}-{who}.{kind}"
    if kind == "csv":
        data, mimetype = spreadsheets.write_csv(headers, table), "text/csv; charset=utf-8"
    else:
        title = f"{year:04d}-{month:02d} {who}"
        data = spreadsheets.write_xlsx(headers, table, title=title, widths=[18], frozen="B2")
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(data, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/access/export.csv")
@office_page
def access_csv():
    entries = _access_entries(_access_filters())
    data = access.export_csv(entries, access_titles(), verification_labels())
    return _download(data, "text/csv; charset=utf-8", "csv")


@bp.route("/access/export.xlsx")
@office_page
def access_xlsx():
    entries = _access_entries(_access_filters())
    data = access.export_xlsx(
        entries, access_titles(), verification_labels(), title=_("Machine-room access log")
    )
    return _download(
        data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    )


@bp.route("/sheet.csv")
@office_page
def sheet_csv():
    return _export("csv")


@bp.route("/sheet.xlsx")
@office_page
def sheet_xlsx():
    return _export("xlsx")


def _actor():
    from flask_login import current_user

    return current_user._get_current_object()


@endpoint(
    api,
    "/flags",
    ["GET"],
    summary="My months that ask for a written absence explanation (the last month and this one)",
    response=FlagOut,
    many=True,
    tags=["attendance"],
)
def my_flags():
    """Each signed-in user's own (only engineers are stationed anywhere): the phone keeps the
    answer and asks for the explanation on its home screen (docs/attendance.md)."""
    return attendance.flags_of(_actor(), clock.now())
