"""The rules of spare parts (docs/parts.md). Operations take the acting user as `actor=`, check
the permissions table themselves, validate before they write, flush and never commit.

- A stock item's quantity changes only by a movement (`_move`): received, sent to a site,
  received from the office, used on a fault, shortfall reconciled. Each movement says who,
  when, how many and why, so an item's movements add up to its quantity.
- Every movement locks its stock items first (`lock_rows`, in id order, before the first change
  number): two movements of one item arriving at once are counted one after the other.
- A use is recorded in full even when the stock is short (the part WAS used): the stock goes
  down to zero, never below, and the units it did not hold are counted in its `short` for the
  office to reconcile (`rules.take`, the phone's `parts.js` alike).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_babel import gettext as _

from ..auth import permissions
from ..errors import ApiError, not_found, validation_error
from ..faults import operations as fault_ops
from ..inventory import operations as inventory_ops
from ..models import (
    Equipment,
    Fault,
    PartMovement,
    PartRequest,
    PartStock,
    PartUse,
    Site,
    User,
    utcnow,
)
from ..records import create_record, lock_rows, update_record
from . import rules


def _exists(model, id: UUID) -> None:
    if model.select().where(model.id == id).exists():
        raise ApiError(409, "exists", _("A record with this id already exists."))


def _move(
    stock: PartStock,
    change: int,
    *,
    kind: str,
    actor: User | None,
    reason: str = "",
    short: int = 0,
    **links: Any,
) -> PartStock:
    """Record one movement and apply it to the (locked) stock item."""
    PartMovement.create(
        stock=stock.id,
        kind=kind,
        quantity=change,
        short=short,
        reason=reason,
        by=actor.id if actor is not None else None,
        at=utcnow(),
        **links,
    )
    return update_record(
        stock,
        actor=actor,
        changes={"quantity": stock.quantity + change, "short": stock.short + short},
    )


def _locked(*ids) -> dict:
    return lock_rows(PartStock, ids)


def stock_item(stock_id: Any) -> PartStock:
    record = PartStock.get_or_none(PartStock.id == stock_id)
    if record is None or record.deleted_at is not None:
        raise not_found()
    return record


# The office's stock -----------------------------------------------------------------------------


def _site(site_id: Any) -> Site | None:
    if site_id is None:
        return None
    site = Site.live().where(Site.id == site_id).first()
    if site is None:
        raise validation_error({"site_id": [_("No such site.")]})
    return site


def create_stock(*, actor: User, data: dict[str, Any]) -> PartStock:
    """A new stock item; an opening quantity is recorded as its first receipt."""
    permissions.require(actor, "part", "manage")
    site = _site(data.get("site_id"))
    stock = create_record(
        PartStock,
        actor=actor,
        site=site.id if site else None,
        name=data["name"].strip(),
        model=data["model"].strip(),
        location=data["location"].strip(),
        minimum=data["minimum"],
    )
    if data.get("opening"):
        _move(stock, data["opening"], kind="receive", actor=actor, reason=_("Opening stock"))
    return stock


def edit_stock(stock: PartStock, *, actor: User, data: dict[str, Any]) -> PartStock:
    """Name, brand and model, where it is kept, minimum: never the quantity."""
    permissions.require(actor, "part", "manage")
    changes = {k: data[k].strip() if isinstance(data[k], str) else data[k] for k in data}
    return update_record(stock, actor=actor, changes=changes)


def receive(stock: PartStock, *, actor: User, quantity: int, reason: str) -> PartStock:
    permissions.require(actor, "part", "manage")
    stock = _locked(stock.id)[stock.id]
    return _move(stock, quantity, kind="receive", actor=actor, reason=reason.strip())


def _site_item(source: PartStock, site_id: Any, preferred: Any = None) -> PartStock:
    """The site's item of the same part (the one named, or the same name and model), made if
    the site has none yet."""
    if preferred is not None:
        item = PartStock.live().where(PartStock.id == preferred, PartStock.site == site_id).first()
        if item is not None:
            return item
    item = (
        PartStock.live()
        .where(
            (PartStock.site == site_id)
            & (PartStock.name == source.name)
            & (PartStock.model == source.model)
        )
        .order_by(PartStock.created_at)
        .first()
    )
    return item


def transfer(
    source: PartStock,
    *,
    actor: User,
    site_id: Any,
    quantity: int,
    reason: str,
    request: PartRequest | None = None,
    target_id: Any = None,
) -> tuple[PartStock, PartStock]:
    """Send parts from the office's store to a site: out of one item, into the site's item of
    the same part. Both rows are locked (in id order) before anything is counted."""
    permissions.require(actor, "part", "manage")
    if source.site_id is not None:
        raise validation_error({"_": [_("Parts are sent to a site from the office's store.")]})
    site = _site(site_id)
    if site is None:
        raise validation_error({"site_id": [_("No such site.")]})
    target = _site_item(source, site.id, target_id)
    rows = _locked(source.id, target.id if target else None)
    source = rows[source.id]
    if source.quantity < quantity:
        raise validation_error(
            {
                "quantity": [
                    _(
                        "The office holds %(num)d of this part; send at most that.",
                        num=source.quantity,
                    )
                ]
            }
        )
    if target is None:  # new to the site: nobody else sees it before commit
        target = create_record(
            PartStock,
            actor=actor,
            site=site.id,
            name=source.name,
            model=source.model,
            minimum=0,
        )
    else:
        target = rows[target.id]
    link = {"request": request.id if request else None}
    _move(
        source, -quantity, kind="transfer_out", actor=actor, reason=reason, other=target.id, **link
    )
    _move(target, quantity, kind="transfer_in", actor=actor, reason=reason, other=source.id, **link)
    return source, target


def reconcile(stock: PartStock, *, actor: User, reason: str) -> PartStock:
    """The office has looked into a shortfall (a count, a late receipt): it is cleared."""
    permissions.require(actor, "part", "manage")
    stock = _locked(stock.id)[stock.id]
    if stock.short == 0:
        raise validation_error({"_": [_("This part has no shortfall to reconcile.")]})
    return _move(stock, 0, kind="reconcile", actor=actor, reason=reason.strip(), short=-stock.short)


def movements_of(stock: PartStock):
    return (
        PartMovement.select()
        .where(PartMovement.stock == stock.id)
        .order_by(PartMovement.at.desc(), PartMovement.id.desc())
    )


def low_stock(site_id: Any = ""):
    """Items at or below their minimum, or short: the office's list, by site."""
    query = PartStock.live().where(
        (PartStock.quantity <= PartStock.minimum) | (PartStock.short > 0)
    )
    if site_id == "office":
        query = query.where(PartStock.site.is_null())
    elif site_id:
        query = query.where(PartStock.site == site_id)
    return query


# Parts used on a fault --------------------------------------------------------------------------


def use_part(
    *,
    actor: User,
    id: UUID,
    data: dict[str, Any],
    site_ids: set,
    allowed_sites,
    mutation_id: Any = None,
    devices: dict | None = None,
    author: str | None = None,
) -> PartUse:
    """Parts taken from the fault's site's stock, sent from the phone. The stock goes down on
    arrival, never below zero: what it did not hold is still used (and counted short). A new
    serial replaces the fault's device's serial through the register's own operation, merged
    like an offline edit of the device made on `device_version`: where someone else changed the
    serial since, theirs is kept and the new one waits as a conflict."""
    permissions.require(actor, "part", "use")
    _exists(PartUse, id)
    fault = fault_ops.fault_for(actor, data["fault_id"], site_ids)
    stock = PartStock.get_or_none(PartStock.id == data["stock_id"])
    if stock is None or stock.deleted_at is not None or stock.site_id not in site_ids:
        raise not_found()
    if stock.site_id != fault.site_id:
        raise validation_error(
            {"stock_id": [_("This part is not in the stock of the fault's site.")]}
        )
    new_serial = data["new_serial"].strip()
    if new_serial and fault.equipment_id is None:
        raise validation_error(
            {"new_serial": [_("This fault names no device whose serial could change.")]}
        )
    # The rows this use changes, locked before the first change number: the stock item and the
    # device whose serial it replaces.
    if new_serial:
        lock_rows(Equipment, [fault.equipment_id])
    stock = _locked(stock.id)[stock.id]
    taken, short = rules.take(stock.quantity, data["quantity"])
    use = create_record(
        PartUse,
        actor=actor,
        id=id,
        site=fault.site_id,
        stock=stock.id,
        fault=fault.id,
        equipment=fault.equipment_id,
        quantity=data["quantity"],
        short=short,
        old_serial=data["old_serial"].strip(),
        new_serial=new_serial,
        used_at=data["used_at"],
        by=actor.id,
    )
    _move(
        stock,
        -taken,
        kind="use",
        actor=actor,
        reason=fault.number,
        short=short,
        fault=fault.id,
        use=use.id,
    )
    if new_serial:
        # the push's own copy when it holds one (a later edit of the device in the same push
        # then works on the row as this use left it)
        device = (devices or {}).get(fault.equipment_id) or Equipment.get_by_id(fault.equipment_id)
        held = inventory_ops.update_equipment(
            device,
            actor=actor,
            changes={"serial_number": new_serial},
            allowed_sites=allowed_sites,
            author=author,
            base_version=data["device_version"],
            mutation_id=mutation_id,
        )
        inventory_ops.hold_conflicts(
            device,
            held,
            actor=actor,
            base_version=data["device_version"],
            mutation_id=mutation_id,
        )
    return use


def attach_uses(uses: list[PartUse]) -> None:
    """Load the faults and stock items a page of uses names, once."""
    faults = {f.id: f for f in Fault.select().where(Fault.id.in_({u.fault_id for u in uses}))}
    items = {
        s.id: s for s in PartStock.select().where(PartStock.id.in_({u.stock_id for u in uses}))
    }
    for use in uses:
        use.fault = faults[use.fault_id]
        use.stock = items[use.stock_id]


def uses_of_fault(fault: Fault):
    return PartUse.live().where(PartUse.fault == fault.id).order_by(PartUse.created_at)


# Requests for parts -----------------------------------------------------------------------------


def create_request(*, actor: User, id: UUID, data: dict[str, Any], site_ids: set) -> PartRequest:
    permissions.require(actor, "part_request", "create")
    _exists(PartRequest, id)
    if data["site_id"] not in site_ids:
        raise not_found()
    if data["stock_id"] is not None:
        item = PartStock.live().where(PartStock.id == data["stock_id"]).first()
        if item is None or item.site_id != data["site_id"]:
            raise validation_error({"stock_id": [_("This part is not in this site's stock.")]})
    if data["fault_id"] is not None:
        fault = Fault.live().where(Fault.id == data["fault_id"]).first()
        if fault is None or fault.site_id != data["site_id"]:
            raise validation_error({"fault_id": [_("This fault is not at this site.")]})
    return create_record(
        PartRequest,
        actor=actor,
        id=id,
        site=data["site_id"],
        engineer=actor.id,
        stock=data["stock_id"],
        name=data["name"].strip(),
        model=data["model"].strip(),
        quantity=data["quantity"],
        reason=data["reason"].strip(),
        fault=data["fault_id"],
        asked_at=data["asked_at"],
    )


def request_item(request_id: Any) -> PartRequest:
    record = PartRequest.get_or_none(PartRequest.id == request_id)
    if record is None or record.deleted_at is not None:
        raise not_found()
    return record


def decide_request(record: PartRequest, *, actor: User, data: dict[str, Any]) -> PartRequest:
    """Approve (the parts leave the office's store for the site) or refuse with a note."""
    permissions.require(actor, "part_request", "decide")
    lock_rows(PartRequest, [record.id])
    record = PartRequest.get_by_id(record.id)
    if record.status != "waiting":
        raise ApiError(409, "decided", _("This request is no longer waiting for a decision."))
    if data["decision"] == "approve":
        source = PartStock.live().where(PartStock.id == data["source_id"]).first()
        if source is None or source.site_id is not None:
            raise validation_error({"source_id": [_("Choose an item of the office's store.")]})
        transfer(
            source,
            actor=actor,
            site_id=record.site_id,
            quantity=data["quantity"] or record.quantity,
            reason=data["note"].strip() or record.reason,
            request=record,
            target_id=record.stock_id,
        )
    return update_record(
        record,
        actor=actor,
        changes={
            "status": "approved" if data["decision"] == "approve" else "refused",
            "office_note": data["note"].strip(),
            "decided_by": actor.id,
            "decided_at": utcnow(),
        },
    )
