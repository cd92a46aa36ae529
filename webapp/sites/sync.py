"""The sites' sync adapter: clients, sites, locations and assignments reach devices through the
pull; devices do not change them (the office does). Registered by the app factory."""

from __future__ import annotations

from ..models import Assignment, Client, Location, Site
from ..sync.registry import Feed
from .schemas import AssignmentOut, ClientOut, LocationOut, SiteOut

FEEDS = [
    Feed("client", Client, ClientOut().dump, None),
    Feed("site", Site, SiteOut().dump, Site.id),
    Feed("location", Location, LocationOut().dump, Location.site),
    Feed("assignment", Assignment, AssignmentOut().dump, Assignment.site),
]
