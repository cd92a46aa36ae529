"""Schedules: a round of a template is due every day, week, month or quarter for a site, one of
its locations, or one category of its equipment.

Every function flushes and never commits: the caller's transaction commits once.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import clock
from ..errors import validation_error
from ..models import ChecklistTemplate, Location, Schedule, Site, User
from ..models.choices import EQUIPMENT_SYSTEMS
from ..records import create_record, update_record

FREQUENCIES = {
    "daily": _l("Daily"),
    "weekly": _l("Weekly"),
    "monthly": _l("Monthly"),
    "quarterly": _l("Quarterly"),
}
FIELDS = ("template_id", "site_id", "location_id", "system", "frequency", "starts_on")


def schedulable_templates():
    """Templates new rounds can start from: published at least once and not retired."""
    return (
        ChecklistTemplate.live()
        .where(
            (ChecklistTemplate.status == "published") & (ChecklistTemplate.published_version > 0)
        )
        .order_by(ChecklistTemplate.key)
    )


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Check every field against the others; name each problem; return the model's values."""
    errors: dict[str, list[str]] = {}
    template = site = location = None
    if data.get("template_id") is None:
        errors["template_id"] = [_("Choose a template.")]
    else:
        template = ChecklistTemplate.live().where(ChecklistTemplate.id == data["template_id"])
        template = template.first()
        if template is None:
            errors["template_id"] = [_("No such template.")]
        elif template.status == "retired":
            errors["template_id"] = [_("This template is retired; choose another one.")]
        elif template.status != "published" or not template.published_version:
            errors["template_id"] = [_("This template has no published version yet.")]
    if data.get("site_id") is None:
        errors["site_id"] = [_("Choose a site.")]
    else:
        site = Site.live().where(Site.id == data["site_id"]).first()
        if site is None:
            errors["site_id"] = [_("No such site.")]
    if data.get("location_id") is not None:
        location = Location.live().where(Location.id == data["location_id"]).first()
        if location is None:
            errors["location_id"] = [_("No such location.")]
        elif site is not None and location.site_id != site.id:
            errors["location_id"] = [_("This location is not at the chosen site.")]
    system = data.get("system") or ""
    if system and system not in EQUIPMENT_SYSTEMS:
        errors["system"] = [_("Choose one of: %(allowed)s.", allowed=", ".join(EQUIPMENT_SYSTEMS))]
    frequency = data.get("frequency")
    if frequency not in FREQUENCIES:
        errors["frequency"] = [_("Choose one of: %(allowed)s.", allowed=", ".join(FREQUENCIES))]
    starts_on = data.get("starts_on")
    if starts_on is not None and not isinstance(starts_on, date):
        errors["starts_on"] = [_("Not a valid date.")]
    if errors:
        raise validation_error(errors)
    return {
        "template": template,
        "site": site,
        "location": location,
        "system": system,
        "frequency": frequency,
        "starts_on": starts_on,
    }


def _current(schedule: Schedule) -> dict[str, Any]:
    return {
        "template_id": schedule.template_id,
        "site_id": schedule.site_id,
        "location_id": schedule.location_id,
        "system": schedule.system,
        "frequency": schedule.frequency,
        "starts_on": schedule.starts_on,
    }


def create_schedule(*, actor: User | None, data: dict[str, Any]) -> Schedule:
    """A schedule without a start date starts on the day it is made, at its site: the period
    before it was never due, so the phone does not show it as missed."""
    values = _resolve({name: data.get(name) for name in FIELDS})
    if values["starts_on"] is None:
        values["starts_on"] = clock.now().astimezone(ZoneInfo(values["site"].timezone)).date()
    return create_record(Schedule, actor=actor, active=True, **values)


def update_schedule(schedule: Schedule, *, actor: User | None, changes: dict[str, Any]) -> Schedule:
    """Apply the changes; the whole schedule must still hold together afterwards."""
    merged = {**_current(schedule), **{k: v for k, v in changes.items() if k in FIELDS}}
    return update_record(schedule, actor=actor, changes=_resolve(merged))


def deactivate_schedule(schedule: Schedule, *, actor: User | None) -> Schedule:
    """No new rounds fall due; the rounds it made keep pointing at it."""
    return update_record(schedule, actor=actor, changes={"active": False})


def reactivate_schedule(schedule: Schedule, *, actor: User | None) -> Schedule:
    """Make it due again, as long as it still holds together (its template may be retired)."""
    _resolve(_current(schedule))
    return update_record(schedule, actor=actor, changes={"active": True})
