"""The tags' sync adapter: a device pulls the tags of its sites to recognise a scan offline.
Registered by the app factory."""

from __future__ import annotations

from ..models import Tag
from ..sync.registry import Feed
from .schemas import TagOut

FEEDS = [Feed("tag", Tag, TagOut().dump, Tag.site)]
