"""Office pages for check-ins: the list with its filters, and the attendance month sheet per site
or per engineer. Server-rendered, usable at phone width. Office roles only."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from ..attendance import rules
from ..auth.scope import parse_id
from ..errors import ApiError, not_found
from ..models import Site, User
from ..pages import office_page
from . import attendance
from . import operations as ops

bp = Blueprint("checkins", __name__, url_prefix="/office/checkins")

# A cell's mark; the legend under the sheet names each.
MARKS = {
    rules.PRESENT: "✓",
    rules.ABSENT: "✗",
    rules.REST: "·",
    rules.INCOMPLETE: "◐",
    rules.LEAVE: "⊘",
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
    }


def reason_label(reason: str) -> str:
    name, _sep, value = reason.partition(":")
    labels = {
        "rest_day": _("Not a working day (%(source)s)", source=value),
        "approved_leave": _("Approved leave"),
        "no_check_in": _("No check-in on a working day"),
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
        today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
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
    start, end = attendance.month_bounds(year, month)
    day = request.args.get("day", "")
    if day:
        try:
            picked = date.fromisoformat(day)
        except ValueError:
            raise ApiError(400, "bad_day", _("Write the day as YYYY-MM-DD.")) from None
        start = datetime.combine(picked, datetime.min.time()) - timedelta(hours=14)
        end = start + timedelta(hours=14 + 24 + 12)  # every time zone's version of that day
    rows = ops.checkins_for(
        _actor(),
        site_id=site.id if site else None,
        user_id=user.id if user else None,
        start=start,
        end=end,
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


@bp.route("/sheet")
@office_page
def sheet():
    year, month = _month()
    site = _optional(Site, "site_id")
    user = _optional(User, "user_id")
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    if site is not None:
        rows = attendance.site_sheet(site, year, month, today)
    elif user is not None:
        rows = attendance.engineer_sheet(user, year, month, today)
    else:
        rows = []
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    days = [first + timedelta(days=n) for n in range((following - first).days)]
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
        absences_allowed=rules.MONTHLY_ABSENCES_ALLOWED,
        late_allowed=rules.MONTHLY_LATE_MINUTES_ALLOWED,
    )


def _actor():
    from flask_login import current_user

    return current_user._get_current_object()
