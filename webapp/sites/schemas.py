"""Contracts for clients, sites, locations and assignments."""

from __future__ import annotations

import re
from itertools import pairwise

from flask_babel import gettext as _
from marshmallow import ValidationError, fields

from ..models.choices import CLIENT_TYPES, CLOCK_MODES, LOCATION_KINDS, SITE_DAY_KINDS
from ..schemas import SyncedOut
from ..validation import Choice, Day, Int, Name, Schema, Text, in_range, max_length, partial

PERIOD = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


def working_hours(value: str) -> None:
    periods = [p.strip() for p in value.split(",") if p.strip()]
    if not periods or any(not PERIOD.match(p) or p[:5] >= p[6:] for p in periods):
        raise ValidationError(_("Write working hours as periods like 08:30-12:00,14:00-17:30."))
    # Overlapping periods would count the same minutes twice in the fault clocks.
    ordered = sorted(periods)
    if any(later[:5] < earlier[6:] for earlier, later in pairwise(ordered)):
        raise ValidationError(_("The working periods overlap; write each stretch of time once."))


class ClientIn(Schema):
    name = Name()
    client_type = Choice(CLIENT_TYPES, load_default="annual_contract")
    contact_name = Text(100)
    contact_phone = Text(50)
    address = Text(300)
    response_minutes = Int(load_default=10, validate=in_range(1, 10_080))
    request_response_minutes = Int(load_default=30, validate=in_range(1, 10_080))
    resolution_hours = Int(load_default=2, validate=in_range(1, 8_760))
    clock_mode = Choice(CLOCK_MODES, load_default="round_the_clock")
    waiting_stops_clock = fields.Boolean(load_default=True)
    notes = Text(2000)


ClientPatch = partial(ClientIn)


class ClientOut(SyncedOut, ClientIn):
    pass


class SiteIn(Schema):
    client_id = fields.UUID(required=True)
    name = Name()
    address = Text(300)
    contact_name = Text(100)
    contact_phone = Text(50)
    working_hours = fields.String(
        load_default="08:30-12:00,14:00-17:30", validate=[max_length(100), working_hours]
    )
    late_after_minutes = Int(load_default=15, validate=in_range(0, 240))
    early_leave_minutes = Int(load_default=15, validate=in_range(0, 240))
    notes = Text(2000)


SitePatch = partial(SiteIn)


class SiteOut(SyncedOut, SiteIn):
    client_name = fields.Function(lambda site: site.client.name)
    timezone = fields.String()  # the phone reads the leave notice on the site's calendar


class LocationIn(Schema):
    site_id = fields.UUID(required=True)
    name = Name()
    kind = Choice(LOCATION_KINDS, load_default="machine_room")
    floor = Text(50)
    notes = Text(2000)
    # a check-in there asks for purpose, people and escorts (机房出入登记, docs/checkins.md)
    restricted = fields.Boolean(load_default=False)


LocationPatch = partial(LocationIn)


class LocationOut(SyncedOut, LocationIn):
    pass


class AssignmentIn(Schema):
    engineer_id = fields.UUID(required=True)
    site_id = fields.UUID(required=True)


class AssignmentOut(SyncedOut, AssignmentIn):
    engineer_name = fields.Function(lambda a: a.engineer.name)
    site_name = fields.Function(lambda a: a.site.name)


class SiteDayIn(Schema):
    """A site's own calendar exception, as the office's site page posts it."""

    day = Day(required=True)
    kind = Choice(SITE_DAY_KINDS, required=True)
    note = Name(200)
