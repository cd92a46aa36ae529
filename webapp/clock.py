"""The server's clock, replaceable in tests, and what "today" means for a date someone typed.

A register date (installed on, warranty until) is a calendar day typed on a phone or an office
PC, on that device's own calendar. The server does not know the device's time zone, and at
07:00 in China it is still yesterday in UTC. So the server takes a typed date to be in the future
only when it is after today's date in the latest time zone in use (UTC+14, the Line Islands):
no real "today" anywhere is ever refused, and a date at most a day ahead slips through. The
phone checks the stricter rule itself, against its own local date (static/js/equipment-fields.js).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

# The earliest calendar on Earth runs 14 hours ahead of UTC (Kiribati, Line Islands).
LATEST_UTC_OFFSET = timedelta(hours=14)


def now() -> datetime:
    """The current time, aware, in UTC. Tests set `CLOCK` in the app's config to a callable
    returning an aware datetime, and the server lives at that moment."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    moment = clock() if clock is not None else datetime.now(UTC)
    return moment.astimezone(UTC)


def latest_today() -> date:
    """Today's date where it is latest: a typed date after this is in the future everywhere."""
    return (now() + LATEST_UTC_OFFSET).date()


def today() -> date:
    """Today's date where the team works (`BABEL_DEFAULT_TIMEZONE`, China by default): what a
    device's years in use and an export's file name count from."""
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else "UTC"
    return now().astimezone(ZoneInfo(zone)).date()
