"""Two engineers' phones use the site's last microphone at the same time while the office sends
two more from its store. Each movement locks the stock item's row before it counts, so each
reads the quantity the one before it left: the item's quantity is the sum of its movements,
one use takes the last part and the other is counted short (or takes one of the two sent,
whichever way the transfer fell). Without the lock, the second use counts from the quantity
read before the first committed and one movement is lost from the quantity."""

from __future__ import annotations

import threading
import time
import uuid

from tests import factories
from tests.sync_client import Device
from webapp.faults import operations as fault_ops
from webapp.models import Fault, PartMovement, PartStock, PartUse
from webapp.records import create_record

from .served import HttpClient, filler_mutations

OVERLAP_DELAY = 0.25
AT = "2026-12-02T10:00:00+08:00"


def _signed_in(served, user) -> HttpClient:
    http = HttpClient(served.base_url)
    assert http.sign_in(user.username, factories.PASSWORD).status_code == 200
    return http


def _use(device: Device, fault, stock) -> dict:
    changes = {
        "fault_id": str(fault.id),
        "stock_id": str(stock.id),
        "quantity": 1,
        "used_at": AT,
    }
    return device.edit("part_use", str(uuid.uuid4()), changes, op="create")


def test_two_uses_of_the_last_part_and_a_transfer_at_once_add_up(served):
    world = factories.make_world()
    site, equipment = world["sites"][0], world["equipment"][0]
    other = factories.create_user("engineer", "eng7")
    factories.assign(other, site)
    office = world["users"]["dispatcher"]
    values = {
        "number": "F-2026-00001",
        "site": site.id,
        "description": "话筒无声",
        "reported_at": AT,
        "reported_by": world["users"]["engineer"].id,
    }
    fault = create_record(Fault, actor=None, **values, **fault_ops.derived(Fault(**values)))
    from webapp.parts import operations as ops

    store = ops.create_stock(
        actor=office,
        data={
            "site_id": None,
            "name": "话筒",
            "model": "",
            "location": "",
            "minimum": 0,
            "opening": 5,
        },
    )
    ops.transfer(store, actor=office, site_id=site.id, quantity=1, reason="")
    stock = PartStock.get(PartStock.site == site.id)
    from webapp.extensions import db

    db.close()  # the server sees the committed world

    p_http, q_http = _signed_in(served, world["users"]["engineer"]), _signed_in(served, other)
    desk = _signed_in(served, office)
    p, q = Device(client=p_http, csrf=p_http.csrf), Device(client=q_http, csrf=q_http.csrf)
    first = _use(p, fault, stock)
    filler_mutations(p, str(equipment.id), 499)  # holds P's transaction open
    second = _use(q, fault, stock)

    errors: list[BaseException] = []
    answers: dict = {}

    def run(name, work):
        try:
            answers[name] = work()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def send_two():
        return desk.post(
            f"/office/parts/{store.id}/transfer",
            data={"csrf_token": desk.csrf, "site_id": str(site.id), "quantity": "2"},
            allow_redirects=False,
        )

    threads = [threading.Thread(target=run, args=("p", p.push))]
    threads[0].start()
    time.sleep(OVERLAP_DELAY)
    threads += [
        threading.Thread(target=run, args=("q", q.push)),
        threading.Thread(target=run, args=("transfer", send_two)),
    ]
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert answers["transfer"].status_code == 302, answers["transfer"].get_data(as_text=True)[:500]
    assert p.answers[first["mutation_id"]]["status"] == "applied"
    assert q.answers[second["mutation_id"]]["status"] == "applied"

    db.connect(reuse_if_open=True)
    item = PartStock.get_by_id(stock.id)
    moves = list(PartMovement.select().where(PartMovement.stock == stock.id))
    assert sorted(m.kind for m in moves) == ["transfer_in", "transfer_in", "use", "use"]
    # The quantity and the shortfall are their movements' sums, and nothing went missing:
    # one part at first and two sent, two used; what the stock did not hold is counted short.
    assert item.quantity == sum(m.quantity for m in moves) >= 0
    assert item.short == sum(m.short for m in moves)
    taken = -sum(m.quantity for m in moves if m.kind == "use")
    assert taken + item.short == 2 == sum(u.quantity for u in PartUse.select())
    assert item.quantity == 1 + 2 - taken
    assert PartStock.get_by_id(store.id).quantity == 5 - 1 - 2
