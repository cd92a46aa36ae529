"""Sync of spare parts (docs/sync-protocol.md, "Spare parts"): the handlers of a part used on a
fault and of a request for parts, both made offline with a client-made id, and the pull feeds
of a site's stock and its uses, and of the engineer's own requests (with the office's answer).
The office's own store (no site) reaches only office devices. Registered by the app factory."""

from __future__ import annotations

from typing import Any

from ..auth import permissions
from ..models import PartRequest, PartStock, PartUse
from ..sync.registry import Feed, applied, load
from . import operations as ops
from .schemas import PartRequestIn, PartRequestOut, PartUseIn, PartUseOut, StockOut

PART_USE_IN = PartUseIn()
PART_REQUEST_IN = PartRequestIn()


def create_use(m, *, ctx) -> dict[str, Any]:
    permissions.require(ctx.user, "part", "use")
    data = load(PART_USE_IN, m["changes"])
    use = ops.use_part(
        actor=ctx.user,
        id=m["id"],
        data=data,
        site_ids=ctx.site_ids,
        allowed_sites=ctx.sites,
        mutation_id=m["mutation_id"],
        devices=getattr(ctx, "equipment", None),
        author=ctx.author,
    )
    stock = PartStock.get_by_id(use.stock_id)
    return {**applied(use), "short": use.short, "stock_quantity": stock.quantity}


def create_request(m, *, ctx) -> dict[str, Any]:
    permissions.require(ctx.user, "part_request", "create")
    data = load(PART_REQUEST_IN, m["changes"])
    return applied(ops.create_request(actor=ctx.user, id=m["id"], data=data, site_ids=ctx.site_ids))


HANDLERS = {
    ("part_use", "create"): create_use,
    ("part_request", "create"): create_request,
}

FEEDS = [
    Feed("part_stock", PartStock, StockOut().dump, PartStock.site),
    Feed("part_use", PartUse, PartUseOut().dump, PartUse.site, prepare=ops.attach_uses),
    # a request is between the engineer who asked and the office
    Feed(
        "part_request",
        PartRequest,
        PartRequestOut().dump,
        PartRequest.site,
        owner=PartRequest.engineer,
    ),
]
