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
import bisect
import functools
import json
import uuid
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from peewee import SqliteDatabase, fn

from .. import clock
from ..auth.scope import ALL, held_sites
from ..checkins.clock import make_stamp
from ..errors import ApiError
from ..extensions import db
from ..models import Counter, Departure, Site, SyncClient, SyncConflict, User
from ..records import SERVER_SEQ
from . import registry
from .conflicts import annotate
from .epoch import current_epoch
from .registry import GLOBAL, Feed
from .schemas import ConflictOut

# The protocol's own feeds, after the features' (registry.FEEDS): conflicts between a device's
# edit and the server's, and departures of records that left a site.
CONFLICTS = Feed("conflict", SyncConflict, ConflictOut().dump, SyncConflict.site, prepare=annotate)


def _removal(row: Departure) -> dict[str, Any]:
    """A record that left a site, for the old site's devices: they drop their copy. Where it
    went is not said (it may be another client's site)."""
    return {
        "entity": row.entity,  # the name devices know it by (records.note_departure)
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


class _Narrow:
    """A row read in part: what a change needs besides its data (whose dump is kept), and the
    whole row when its dump was not kept."""

    __slots__ = ("id", "version", "server_seq", "deleted_at", "whole")

    def __init__(self, id, version, server_seq, deleted_at):  # noqa: A002 - the column's name
        self.id, self.version, self.server_seq, self.deleted_at = (
            id,
            version,
            server_seq,
            deleted_at,
        )
        self.whole = None


def _rows(
    feed: Feed,
    sites: str | set[str],
    after: int,
    upto: int | None,
    limit: int,
    fill=False,
    user_id=None,
    newest=None,
):
    model = feed.model
    if newest is not None and newest.get(model, 0) <= after:
        return []  # nothing of this table past the cursor (`_horizon`)
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
    # Rows read beyond the sites come with the main stream, never a fill (sent there already).
    reader = feed.reader(user_id) if feed.reader and user_id and not fill else None
    if sites != ALL and feed.site_column is not GLOBAL:
        if not sites and reader is None:
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
            query = query.where(in_scope | reader if reader is not None else in_scope)
            if feed.unless_held is not None:
                query = query.where(feed.unless_held.not_in(ids))
    narrow = feed.self_contained and feed.prepare is None and feed.change is None
    if narrow:
        # Most rows' dumps are kept (`_Kept`): read only what a change needs besides its
        # data, as plain tuples; `_read_whole` reads whole rows for the page's dumps not kept.
        query = query.select(model.id, model.version, model.server_seq, model.deleted_at)
        return [_Narrow(*t) for t in query.order_by(model.server_seq).limit(limit + 1).tuples()]
    rows = list(query.order_by(model.server_seq).limit(limit + 1))  # the one more: more follow
    if feed.prepare is not None and rows:
        feed.prepare(rows)
    return rows


def _horizon() -> tuple[int | None, dict | None]:
    """The last change number committed, and each feed table's highest change number, read in
    one statement (one snapshot).

    Numbers follow commit order (records.py), so every row numbered up to the counter's value
    is committed and visible to the page's later queries; a page reads only up to it. Its feeds
    are read one query each: without that bound, a transaction committing rows of two feeds
    between their queries could be seen in the second feed and not the first, and the cursor
    would pass the first one's row. A table whose highest number is not past the cursor holds
    nothing new and is not queried. (None, None): no number taken yet, every feed is read."""
    models = tuple(dict.fromkeys(feed.model for feed in feeds()))
    sql, params = _horizon_sql(models, type(db.obj))
    row = db.execute_sql(sql, params).fetchone()
    if row is None:
        return None, None
    return row[0], {m: n or 0 for m, n in zip(models, row[1:], strict=True)}


@functools.cache
def _horizon_sql(models: tuple, _dialect: type) -> tuple[str, list]:
    """`_horizon`'s statement, built once per set of feeds and kind of database: every page
    runs it, and building it took as long as the database took to answer it."""
    newest = [m.select(fn.MAX(m.server_seq)).alias(f"n{i}") for i, m in enumerate(models)]
    return Counter.select(Counter.value, *newest).where(Counter.name == SERVER_SEQ).sql()


def _page(
    sites,
    after: int,
    upto: int | None,
    limit: int,
    kept: _Kept,
    fill: bool = False,
    user_id=None,
    skip=None,
    newest=None,
) -> tuple[list[tuple[Feed, Any]], bool]:
    """The next `limit` rows of all feeds together, and whether more follow. `skip`: the
    change numbers that will not be sent (their whole rows are not read). `newest`: each
    table's highest change number (`_horizon`); a table with none past `after` is passed."""
    merged: list[tuple[Feed, Any]] = []
    for feed in feeds():
        merged.extend(
            (feed, row) for row in _rows(feed, sites, after, upto, limit, fill, user_id, newest)
        )
    merged.sort(key=lambda pair: pair[1].server_seq)
    page = merged[:limit]
    _read_whole(page, kept, skip)
    return page, len(merged) > limit


def _read_whole(page: list[tuple[Feed, Any]], kept: _Kept, skip) -> None:
    """The whole rows of the page's rows read in part whose dumps are not kept, one query a
    table: only for the rows that made the page (each feed read up to `limit` + 1 of them, and
    most of a table's may fall after the page's end), and none for the rows `skip` passes."""
    missing: dict[Feed, list[_Narrow]] = {}
    for feed, row in page:
        if (
            isinstance(row, _Narrow)
            and _dump_key(feed, row) not in kept.dumps
            and not (skip and skip(row.server_seq))
        ):
            missing.setdefault(feed, []).append(row)
    for feed, rows in missing.items():
        model = feed.model
        whole = {r.id: r for r in model.select().where(model.id.in_([r.id for r in rows]))}
        for row in rows:
            row.whole = whole.get(row.id)


class _Kept:
    """Dumps of self-contained rows by (entity, id, version, server_seq), and their changes as
    JSON text, for one day: every device of a site pulls the same new versions, and dumping
    and encoding them was most of a pull's time. A version is never reused and the row and
    today's date are all a dump reads, so a kept one is what dumping again would give.

    Only versions among the last `RECENT` change numbers are kept (`_change`): those are what
    the other devices are about to pull. A first sync or a newly assigned site's older rows
    would fill the memory with versions no one else is waiting for (a worker kept up to 20,000,
    about 55 MB, whatever their age). Kept by one process; when `MAX` are kept, the recent ones
    go on in a new one (`recent`) and the rest are let go: some 7 to 14 MB a process."""

    MAX = 5_000
    RECENT = 2_500

    def __init__(self, day) -> None:
        self.day = day
        self.dumps: dict[tuple, dict[str, Any]] = {}
        self.texts: dict[tuple, str] = {}  # by dump key and "deleted"

    def full(self) -> bool:
        return len(self.dumps) >= self.MAX or len(self.texts) >= self.MAX

    def recent(self) -> _Kept:
        """A new one with only the versions among the last `RECENT` numbers this one holds. It
        is a copy: pages of other threads may still be adding to this one."""
        dumps, texts = list(self.dumps.items()), list(self.texts.items())  # each one step
        newest = max([k[3] for k, _v in dumps] + [k[0][3] for k, _v in texts], default=0)
        since = newest - self.RECENT
        fresh = _Kept(self.day)
        fresh.dumps = {k: v for k, v in dumps if k[3] > since}
        fresh.texts = {k: v for k, v in texts if k[0][3] > since}
        return fresh


_kept_now = _Kept(None)  # per process; replaced when the day changes or when full


def _kept() -> _Kept:
    """Today's kept dumps (read once a page: the date is not asked again for every row). A
    page that began with the one before keeps using it: it is replaced, never emptied."""
    global _kept_now
    kept, today = _kept_now, clock.today()
    if kept.day != today:
        kept = _kept_now = _Kept(today)
    elif kept.full():
        kept = _kept_now = kept.recent()
    return kept


def _dump_key(feed: Feed, row: Any) -> tuple:
    return (feed.entity, row.id, row.version, row.server_seq)


def keep_dump(entity: str, record_id: Any, data: dict[str, Any]) -> None:
    """A dump made elsewhere (a push's answer) of the version in `data`, for the pulls."""
    _kept().dumps[(entity, record_id, data["version"], data["server_seq"])] = data


class Change(dict):
    """A change of a self-contained row, with its JSON text (`page_json` sends that text)."""

    __slots__ = ("text",)


def _change(feed: Feed, row: Any, kept: _Kept, since: int = 0) -> dict[str, Any]:
    """The change a device receives for `row`; its dump and text are kept when the version is
    numbered after `since` (recent: `_Kept`)."""
    if feed.change is not None:
        return feed.change(row)
    if not feed.self_contained:
        return _plain_change(feed, row, feed.dump(row))
    key = _dump_key(feed, row)
    data = kept.dumps.get(key)
    if data is None:
        if isinstance(row, _Narrow):
            # Read in part and its dump not kept: the whole row, as stored now. If it changed
            # since (a newer version), that is sent here and again at its own change number.
            row = row.whole or feed.model.get_by_id(row.id)
            key = _dump_key(feed, row)
        data = feed.dump(row)
        if row.server_seq > since:
            kept.dumps[key] = data
    change = Change(_plain_change(feed, row, data))
    text_key = (key, change["deleted"])
    text = kept.texts.get(text_key)
    if text is None:
        text = _json(change)
        if row.server_seq > since:
            kept.texts[text_key] = text
    change.text = text
    return change


def _plain_change(feed: Feed, row: Any, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "entity": feed.entity,
        "id": str(row.id),
        "version": row.version,
        "server_seq": row.server_seq,
        "deleted": row.deleted_at is not None,
        "data": data,
    }


def _json(value: Any) -> str:
    """JSON as the app's `jsonify` writes it outside debug mode: compact, keys sorted, UTF-8."""
    return current_app.json.dumps(value, separators=(",", ":"))


def page_json(page: dict[str, Any]) -> str:
    """The page as JSON, as `jsonify` writes it, with each kept change's text reused."""
    head = _json({k: v for k, v in page.items() if k != "changes"})
    changes = ",".join(c.text if isinstance(c, Change) else _json(c) for c in page["changes"])
    return f'{{"changes":[{changes}],{head[1:]}\n'  # "changes" sorts first, as jsonify has it


def _held(ranges, seq: int, firsts: list[int]) -> bool:
    """Whether `seq` is in one of the sorted (first, last) ranges."""
    i = bisect.bisect_right(firsts, seq) - 1
    return i >= 0 and ranges[i][0] <= seq <= ranges[i][1]


def pull_changes(
    *, user: User, cursor: str | None, limit: int, client_id=None, own=()
) -> dict[str, Any]:
    """The next page. `own`: sorted (first, last) ranges of change numbers the device holds
    exactly, from its own pushes' answers; the main stream passes over those rows without
    sending them (the cursor moves past them all the same). The fill (a newly assigned site's
    older rows) never skips: the device may have dropped that site before."""
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
    horizon, newest = _horizon()
    kept = _kept()
    since = max(0, (horizon or 0) - _Kept.RECENT)  # older versions are not kept
    if fill:
        rows, more = _page(
            fill,
            state.get("fa", 0),
            seq,
            limit,
            kept,
            fill=True,
            user_id=user.id,
            newest=newest,
        )
        changes = [_change(f, r, kept, since) for f, r in rows]
        if more:
            next_state.update(f=sorted(fill), fa=rows[-1][1].server_seq)
            has_more = True
        else:
            known = known | fill
            next_state["k"] = sorted(known)
    if not has_more:
        room = limit - len(changes)
        if room > 0:
            firsts = [first for first, _last in own]

            def skip(number: int) -> bool:
                return bool(own) and _held(own, number, firsts)

            upto = horizon if horizon is not None and horizon > seq else None
            rows, more = _page(
                known, seq, upto, room, kept, user_id=user.id, skip=skip, newest=newest
            )
            changes.extend(
                _change(f, r, kept, since)
                for f, r in rows
                if not (f.change is None and skip(r.server_seq))
            )
            if more:
                next_state["s"] = rows[-1][1].server_seq
            elif upto is not None:
                next_state["s"] = upto  # everything in scope up to it was delivered
            elif rows:
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
