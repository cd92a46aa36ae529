"""The registry of sync adapters: how each kind of mutation is applied and which tables feed
the pull. The protocol (push.py, pull.py) knows no feature; each feature brings a `sync.py`
adapter and the app factory registers it with one line (`register(adapter)`).

An adapter module may declare:
- HANDLERS: {(entity, op): handler}. A handler returns the result fields of an applied or
  conflicting mutation, or raises ApiError, which the push turns into a rejection. Handlers
  validate everything before they write anything: a rejection leaves no trace.
- FEEDS: [Feed(...)]: the tables a pull delivers, and how each row is tied to a site.
- prepare(ctx, mutations): reads once per push what its handlers need for the whole batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from peewee import Model

from ..auth import scope
from ..errors import ApiError, validation_error
from ..models import User
from ..validation import translate_messages


class Mutation(dict):
    """One loaded mutation: mutation_id, client_seq, entity, id, op, base_version, changes."""


class Context:
    """What every mutation of one push shares: who sends it, from which device, what they may
    see, and what the adapters read once for the whole batch (`prepare`)."""

    equipment: dict  # the equipment the batch touches (inventory/sync.py reads it)

    def __init__(
        self, user: User, author: str, mutations: list[dict[str, Any]], locked=None
    ) -> None:
        self.user = user
        self.author = author
        self.sites = scope.visible_sites(user)
        self.site_ids = scope.site_ids(user)
        self.memo: dict = {}  # what handlers read once per push (a round's checklist items)
        # rows the push locked before anything else, by model and id, as stored now
        self.locked: dict[type, dict] = locked or {}
        for prepare in PREPARE.values():
            prepare(self, mutations)


Handler = Callable[..., dict[str, Any]]


def load(schema, data: dict) -> dict:
    """The mutation's changes loaded by `schema`; a failure is a rejection with field messages."""
    try:
        return schema.load(data)
    except ValidationError as err:
        raise validation_error(translate_messages(err.normalized_messages())) from None


RECORD = "_record"  # the written row, handed from a handler to the push; never sent or stored


def applied(record) -> dict[str, Any]:
    return {
        "status": "applied",
        "version": record.version,
        "server_seq": record.server_seq,
        RECORD: record,
    }


GLOBAL = "global"


@dataclass(frozen=True)
class Feed:
    entity: str
    model: type[Model]
    dump: Callable[[Any], dict]
    site_column: Any  # the column that ties a row to a site (None: the client table; GLOBAL)
    only: Any = None  # a condition rows must meet to be delivered at all
    unless_held: Any = None  # a site column: rows are skipped by devices that hold that site
    change: Callable[[Any], dict] | None = None  # how a row is sent (default: the record)
    prepare: Callable[[list], Any] | None = None  # loads what the dump needs, once per page
    owner: Any = None  # a user column: a device gets only its user's rows (the office: all)
    # rows a user reads beyond their sites, as a condition of their id (auth/scope.py says
    # which): a fault assigned to an engineer of another site, and its steps
    reader: Callable[[Any], Any] | None = None
    # The row's dump needs nothing but the row (and today's date): the push may answer a
    # device's own clean write with it, so the pull need not echo it (docs/sync-protocol.md,
    # "No echo"), and pulls may reuse a dump made for another device (pull.py, `_dumped`).
    self_contained: bool = False


HANDLERS: dict[tuple[str, str], Handler] = {}
FEEDS: dict[str, Feed] = {}  # by entity, in the order adapters were registered
PREPARE: dict[str, Callable[[Context, list], None]] = {}


def register(adapter: ModuleType) -> None:
    """Take in a feature's adapter; registering the same one again (a second app) changes
    nothing."""
    HANDLERS.update(getattr(adapter, "HANDLERS", {}))
    for feed in getattr(adapter, "FEEDS", ()):
        FEEDS[feed.entity] = feed
    if hasattr(adapter, "prepare"):
        PREPARE[adapter.__name__] = adapter.prepare


def handler_for(entity: str, op: str) -> Handler:
    handler = HANDLERS.get((entity, op))
    if handler is None:
        raise ApiError(
            422,
            "unsupported",
            _("This kind of change cannot be sent: %(what)s.", what=f"{entity}/{op}"),
        )
    return handler
