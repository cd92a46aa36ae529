"""The escalation sweep, run by the worker each round: an open fault with a running clock at
80 % of a limit or past it is escalated to the dispatchers on duty by a system step (once per
fault) and its assignee and the dispatchers are told (once per clock and level). The rule and
its idempotence are in `faults.operations.escalate_by_itself`; each fault is its own short
transaction, so a slow one holds no other.

Which faults to look at is read in two queries whatever their number: the open faults with
their clocks from the columns their events wrote (the board's read, `faults.board.near_limit`),
then the notices already queued for the clocks found near. Only a fault not yet escalated, or
with a notice not yet queued, is taken to the locked pass, which reads it again from its events
and decides."""

from __future__ import annotations

import logging
from datetime import datetime

from .. import clock
from ..db import write_transaction
from ..faults import operations as faults
from ..faults.board import near_limit
from ..models import Notification

log = logging.getLogger(__name__)

KEYS_PER_QUERY = 500  # bound the IN list


def sweep(now: datetime | None = None) -> int:
    """Returns how many faults it escalated or told of (work done this round)."""
    now = now or clock.now()
    found = 0
    for fault_id in needing_work(now):
        try:
            with write_transaction():
                _fault, near = faults.escalate_by_itself(fault_id, now)
        except Exception:  # one fault's trouble does not stop the sweep
            log.exception("escalation of fault %s failed", fault_id)
            continue
        found += bool(near)
    return found


def needing_work(now: datetime) -> list:
    """The faults the locked pass could do anything for: a clock near or past its limit, and
    either no escalation yet or a notice not yet queued. Read without locks."""
    near = near_limit(now)
    keys = {
        fault.id: [f"clock:{fault.id}:{name}:{level}" for name, level in levels.items()]
        for fault, levels in near
    }
    wanted = [key for some in keys.values() for key in some]
    queued = set()
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        chunk = wanted[start : start + KEYS_PER_QUERY]
        queued.update(
            n.key for n in Notification.select(Notification.key).where(Notification.key.in_(chunk))
        )
    return [
        fault.id
        for fault, _levels in near
        if not fault.escalated_to or not queued.issuperset(keys[fault.id])
    ]
