"""Pages of changes in a user's scope, in change-number order, that never skip one.

The cursor is opaque to devices: base64 of {"s": last change number delivered, "k": the sites
the device holds ("*" for office roles), "f": sites being filled in, "fa": fill position}.
When an engineer is newly assigned to a site, its older records are delivered first (the fill);
when a site leaves the scope it is listed once in `removed_sites`. A record that leaves a site
(a device moved to another client's site) reaches the devices of the old site as a removal.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from typing import Any

from flask_babel import gettext as _
from peewee import SqliteDatabase

from ..auth.scope import ALL, held_sites
from ..checkins.clock import make_stamp
from ..errors import ApiError
from ..extensions import db
from ..models import Departure, Site, SyncClient, SyncConflict, User
from . import registry
from .conflicts import annotate
from .epoch import current_epoch
from .registry import GLOBAL, Feed
from .schemas import ConflictOut

# The protocol's own feeds, after the features' (registry.FEEDS): conflicts between a device's
# edit and the server's, and departures of records that left a site.
CONFLICTS = Feed("conflict", SyncConflict, ConflictOut().dump, SyncConflict.site, prepare=annotate)


def _entity_of(table: str) -> str:
    for feed in registry.FEEDS.values():
        if feed.model._meta.table_name == table:
            return feed.entity
    return table


def _removal(row: Departure) -> dict[str, Any]:
    """A record that left a site, for the old site's devices: they drop their copy. Where it
    went is not said (it may be another client's site)."""
    return {
        "entity": _entity_of(row.entity),
        "id": row.entity_id,
        "version": row.version,
        "server_seq": row.server_seq,
        "deleted": True,
        "moved": True,
        "data": {},
    }


# A device that also holds the new site receives the record there, so it gets no removal; the
# office holds every site and gets none. A newly assigned site's fill sends none either: the
# device never held what left it before.
DEPARTURES = Feed(
    "departure",
    Departure,
    dump=lambda _row: {},
    site_column=Departure.site,
    unless_held=Departure.to_site,
    change=_removal,
)


def feeds() -> list[Feed]:
    """Every feed of a pull: the registered features', then the protocol's own."""
    return [*registry.FEEDS.values(), CONFLICTS, DEPARTURES]


def encode_cursor(state: dict) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        state = json.loads(raw)
        if not isinstance(state, dict) or set(state) - {"s", "k", "f", "fa"}:
            raise ValueError
        if not _change_number(state.get("s")) or not _change_number(state.get("fa", 0)):
            raise ValueError
        known = state.get("k")
        if known != ALL and not _site_ids(known):
            raise ValueError
        if "f" in state and not _site_ids(state["f"]):
            raise ValueError
        return state
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise ApiError(
            422, "bad_cursor", _("The sync position is not valid; the app will start over.")
        ) from None


def _change_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def _site_ids(value) -> bool:
    """A list of site ids, as the server wrote it: a forged cursor cannot reach the query."""
    if not isinstance(value, list):
        return False
    try:
        return all(isinstance(k, str) and str(uuid.UUID(k)) == k for k in value)
    except ValueError:
        return False


def _rows(
    feed: Feed,
    sites: str | set[str],
    after: int,
    upto: int | None,
    limit: int,
    fill=False,
    user_id=None,
):
    model = feed.model
    if feed.site_column is GLOBAL and (fill or not sites):
        return []  # delivered by the main stream, once, to devices that hold a site
    if feed.unless_held is not None and (fill or sites == ALL):
        return []
    query = model.select().where(model.server_seq > after)
    if feed.only is not None:
        query = query.where(feed.only)
    if upto is not None:
        query = query.where(model.server_seq <= upto)
    if feed.owner is not None and sites != ALL:
        query = query.where(feed.owner == user_id)
    if sites != ALL and feed.site_column is not GLOBAL:
        if not sites:
            return []
        ids = list(sites)
        if feed.site_column is None:  # clients: those of the sites in scope
            query = query.where(model.id.in_(Site.select(Site.client).where(Site.id.in_(ids))))
        else:
            in_scope = feed.site_column.in_(ids)
            if isinstance(db.obj, SqliteDatabase):
                # Walk the server_seq index and filter by site: each row is read once over a
                # whole pull. Left alone, SQLite picks the site index and sorts the site's
                # remaining rows for every page, quadratic in the scope's size.
                in_scope = in_scope == True  # noqa: E712 - makes the term unindexable
            query = query.where(in_scope)
            if feed.unless_held is not None:
                query = query.where(feed.unless_held.not_in(ids))
    rows = list(query.order_by(model.server_seq).limit(limit))
    if feed.prepare is not None and rows:
        feed.prepare(rows)
    return rows


def _page(
    sites, after: int, upto: int | None, limit: int, fill: bool = False, user_id=None
) -> tuple[list[tuple[Feed, Any]], bool]:
    """The next `limit` rows of all feeds together, and whether more may follow."""
    merged: list[tuple[Feed, Any]] = []
    full = False
    for feed in feeds():
        rows = _rows(feed, sites, after, upto, limit, fill, user_id)
        full = full or len(rows) == limit
        merged.extend((feed, row) for row in rows)
    merged.sort(key=lambda pair: pair[1].server_seq)
    return merged[:limit], full or len(merged) > limit


def _change(feed: Feed, row: Any) -> dict[str, Any]:
    if feed.change is not None:
        return feed.change(row)
    return {
        "entity": feed.entity,
        "id": str(row.id),
        "version": row.version,
        "server_seq": row.server_seq,
        "deleted": row.deleted_at is not None,
        "data": feed.dump(row),
    }


def pull_changes(*, user: User, cursor: str | None, limit: int, client_id=None) -> dict[str, Any]:
    state = decode_cursor(cursor) or {"s": 0, "k": None}
    scope = held_sites(user)
    seq = state["s"]
    fill: set[str] = set()
    removed: list[str] = []
    if scope == ALL:
        known: str | set[str] = ALL
    else:
        held = state.get("k")
        known = set(scope) if held is None or held == ALL else set(held)
        if seq == 0:
            known = set(scope)  # a first pull delivers the whole scope anyway
        removed = sorted(known - scope)
        fill = (set(state.get("f", [])) | (scope - known)) & scope
        known &= scope

    changes: list[dict[str, Any]] = []
    has_more = False
    next_state: dict[str, Any] = {"s": seq, "k": ALL if known == ALL else sorted(known)}
    if fill:
        rows, more = _page(fill, state.get("fa", 0), seq, limit, fill=True, user_id=user.id)
        changes = [_change(f, r) for f, r in rows]
        if more:
            next_state.update(f=sorted(fill), fa=rows[-1][1].server_seq)
            has_more = True
        else:
            known = known | fill
            next_state["k"] = sorted(known)
    if not has_more:
        room = limit - len(changes)
        if room > 0:
            rows, more = _page(known, seq, None, room, user_id=user.id)
            changes.extend(_change(f, r) for f, r in rows)
            if rows:
                next_state["s"] = rows[-1][1].server_seq
            has_more = more
        else:
            has_more = True

    last_seq = None
    if client_id is not None:
        device = SyncClient.get_or_none(SyncClient.id == client_id)
        if device is not None and device.user_id == user.id:
            last_seq = device.last_seq
    return {
        "epoch": current_epoch(),
        "cursor": encode_cursor(next_state),
        "has_more": has_more,
        "last_seq": last_seq,
        "removed_sites": removed,
        "changes": changes,
        "server_time": make_stamp(),  # signed: a lower bound for check-ins made after it
    }
