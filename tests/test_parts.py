"""Spare parts (备品备件, docs/parts.md): the stock moved only by movements that add up, parts
used on a fault from the phone (offline, idempotent, short stock still recorded, a new serial
through the register), requests answered by the office, scope, and the office's pages."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import sign_in_as
from tests.factories import assign, create_equipment
from tests.sync_client import Device
from webapp.faults import operations as fault_ops
from webapp.models import (
    Equipment,
    Fault,
    PartMovement,
    PartRequest,
    PartStock,
    PartUse,
    RecordHistory,
    SyncConflict,
)
from webapp.parts import operations as ops
from webapp.records import create_record

AT = "2026-12-02T10:00:00+08:00"


def movements_add_up(stock: PartStock) -> None:
    stock = PartStock.get_by_id(stock.id)
    rows = list(PartMovement.select().where(PartMovement.stock == stock.id))
    assert sum(m.quantity for m in rows) == stock.quantity
    assert sum(m.short for m in rows) == stock.short
    assert stock.quantity >= 0


def make_fault(site, reporter, equipment=None, number="F-2026-00007") -> Fault:
    values = {
        "number": number,
        "site": site.id,
        "equipment": equipment.id if equipment else None,
        "description": "调音台无输出",
        "reported_at": AT,
        "reported_by": reporter.id,
    }
    return create_record(Fault, actor=None, **values, **fault_ops.derived(Fault(**values)))


@pytest.fixture
def office(world):
    return world["users"]["dispatcher"]


@pytest.fixture
def store(office):
    """The office's store: 5 microphones."""
    data = {"site_id": None, "name": "无线话筒", "model": "Shure ULXD2", "location": "仓库A-3"}
    return ops.create_stock(actor=office, data={**data, "minimum": 2, "opening": 5})


@pytest.fixture
def site_stock(world, office, store):
    """Site A holds 2 microphones, sent from the office."""
    ops.transfer(store, actor=office, site_id=world["sites"][0].id, quantity=2, reason="备用")
    return PartStock.get(PartStock.site == world["sites"][0].id)


@pytest.fixture
def fault(world):
    return make_fault(world["sites"][0], world["users"]["engineer"], world["equipment"][0])


def phone_of(app, user) -> Device:
    client = app.test_client()
    client.set_cookie("rounds_lang", "zh_Hans")
    return Device(client=client, csrf=sign_in_as(client, user))


@pytest.fixture
def phone(app, world):
    return phone_of(app, world["users"]["engineer"])


def use(phone, fault, stock, quantity=1, **extra) -> dict:
    changes = {
        "fault_id": str(fault.id),
        "stock_id": str(stock.id),
        "quantity": quantity,
        "used_at": AT,
        **extra,
    }
    return phone.edit("part_use", str(uuid.uuid4()), changes, op="create")


def answers(phone) -> list[dict]:
    response = phone.push()
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


# The stock and its movements ------------------------------------------------------------------


def test_opening_stock_and_a_transfer_are_movements_that_add_up(world, store, site_stock):
    assert PartStock.get_by_id(store.id).quantity == 3
    assert (site_stock.quantity, site_stock.name, site_stock.model) == (
        2,
        "无线话筒",
        "Shure ULXD2",
    )
    kinds = [m.kind for m in PartMovement.select().order_by(PartMovement.id)]
    assert kinds == ["receive", "transfer_out", "transfer_in"]
    movements_add_up(store)
    movements_add_up(site_stock)


def test_a_second_transfer_fills_the_same_site_item(world, office, store, site_stock):
    ops.transfer(store, actor=office, site_id=world["sites"][0].id, quantity=1, reason="")
    assert PartStock.select().where(PartStock.site == world["sites"][0].id).count() == 1
    assert PartStock.get_by_id(site_stock.id).quantity == 3


def test_the_office_cannot_send_more_than_it_holds(world, office, store):
    from webapp.errors import ApiError

    with pytest.raises(ApiError) as err:
        ops.transfer(store, actor=office, site_id=world["sites"][0].id, quantity=6, reason="")
    assert "quantity" in err.value.fields
    assert PartStock.get_by_id(store.id).quantity == 5


def test_only_the_office_manages_stock(world, store):
    from webapp.errors import ApiError

    with pytest.raises(ApiError) as err:
        ops.receive(store, actor=world["users"]["engineer"], quantity=1, reason="")
    assert err.value.status == 403


def test_editing_an_item_never_touches_its_quantity(office, store):
    ops.edit_stock(
        store, actor=office, data={"name": "话筒", "model": "", "location": "B", "minimum": 1}
    )
    stored = PartStock.get_by_id(store.id)
    assert (stored.name, stored.quantity, stored.minimum) == ("话筒", 5, 1)


def test_low_stock_is_at_or_below_the_minimum(world, office, store, site_stock):
    ops.edit_stock(
        site_stock,
        actor=office,
        data={"name": site_stock.name, "model": site_stock.model, "location": "", "minimum": 2},
    )
    low = {s.id for s in ops.low_stock(str(world["sites"][0].id))}
    assert low == {site_stock.id}
    assert not list(ops.low_stock("office"))  # 3 in store, minimum 2


# Parts used on a fault ------------------------------------------------------------------------


def test_a_use_takes_the_part_from_the_site_s_stock(phone, fault, site_stock):
    use(phone, fault, site_stock)
    (result,) = answers(phone)
    assert result["status"] == "applied", result
    assert (result["short"], result["stock_quantity"]) == (0, 1)
    stored = PartUse.get()
    assert (stored.quantity, stored.fault_id, stored.equipment_id) == (
        1,
        fault.id,
        fault.equipment_id,
    )
    movement = PartMovement.get(PartMovement.kind == "use")
    assert (movement.quantity, movement.fault_id, movement.use_id) == (-1, fault.id, stored.id)
    movements_add_up(site_stock)


def test_a_replayed_use_counts_once(phone, fault, site_stock):
    mutation = use(phone, fault, site_stock)
    first = answers(phone)[0]
    # The answer was lost on the way: the phone sends the same mutation again.
    again = phone.push([mutation]).get_json()["results"][0]
    assert first["status"] == "applied" and again["status"] == "duplicate", again
    assert PartStock.get_by_id(site_stock.id).quantity == 1
    assert PartUse.select().count() == 1
    # The same record under another mutation id is refused, and counts nothing either.
    other = {**mutation, "mutation_id": str(uuid.uuid4()), "client_seq": 2}
    refused = phone.push([other]).get_json()["results"][0]
    assert refused["status"] == "rejected" and refused["error"]["code"] == "exists"
    assert PartStock.get_by_id(site_stock.id).quantity == 1
    movements_add_up(site_stock)


def test_a_use_beyond_the_stock_is_kept_and_the_item_marked_short(phone, fault, site_stock):
    use(phone, fault, site_stock, quantity=3)
    (result,) = answers(phone)
    assert result["status"] == "applied", result
    assert (result["short"], result["stock_quantity"]) == (1, 0)
    stored = PartStock.get_by_id(site_stock.id)
    assert (stored.quantity, stored.short) == (0, 1)
    assert PartUse.get().quantity == 3
    movements_add_up(site_stock)
    assert stored.id in {s.id for s in ops.low_stock()}


def test_the_office_reconciles_a_shortfall(phone, office, fault, site_stock):
    use(phone, fault, site_stock, quantity=3)
    answers(phone)
    ops.reconcile(PartStock.get_by_id(site_stock.id), actor=office, reason="盘点：旧库存一件")
    stored = PartStock.get_by_id(site_stock.id)
    assert (stored.quantity, stored.short) == (0, 0)
    movements_add_up(site_stock)


def test_a_new_serial_changes_the_device_through_the_register(phone, fault, site_stock):
    use(phone, fault, site_stock, old_serial="SN-A", new_serial="SN-A2")
    (result,) = answers(phone)
    assert result["status"] == "applied", result
    device = Equipment.get_by_id(fault.equipment_id)
    assert device.serial_number == "SN-A2"
    history = RecordHistory.get(
        (RecordHistory.entity == "equipment") & (RecordHistory.field == "serial_number")
    )
    assert (history.old_value, history.new_value) == ("SN-A", "SN-A2")
    assert str(history.mutation_id) == phone.acked[-1]["mutation_id"]
    phone.pull_all()
    pulled = phone.records[("part_use", str(PartUse.get().id))]["data"]
    assert pulled["fault_number"] == "F-2026-00007"
    assert (pulled["old_serial"], pulled["new_serial"]) == ("SN-A", "SN-A2")
    assert phone.records[("equipment", str(device.id))]["data"]["serial_number"] == "SN-A2"


def test_a_serial_someone_changed_meanwhile_is_kept_and_the_new_one_waits_as_a_conflict(
    app, world, phone, fault, site_stock
):
    """Offline, the engineer replaces the device and records its new serial on the version of the
    device they hold; meanwhile a colleague corrects the serial in the register. The colleague's
    serial is kept, the engineer's waits as an open conflict on the device; the use counts."""
    phone.pull_all()
    held = phone.records[("equipment", str(fault.equipment_id))]["version"]
    colleague = phone_of(app, world["users"]["admin"])
    colleague.pull_all()
    colleague.edit("equipment", str(fault.equipment_id), {"serial_number": "SN-OFFICE"})
    assert colleague.push().get_json()["results"][0]["status"] == "applied"

    use(phone, fault, site_stock, old_serial="SN-A", new_serial="SN-A2", device_version=held)
    (result,) = answers(phone)
    assert result["status"] == "applied", result
    assert Equipment.get_by_id(fault.equipment_id).serial_number == "SN-OFFICE"
    conflict = SyncConflict.get(SyncConflict.entity_id == str(fault.equipment_id))
    assert (conflict.field, conflict.server_value, conflict.client_value) == (
        "serial_number",
        "SN-OFFICE",
        "SN-A2",
    )
    assert str(conflict.mutation_id) == phone.acked[-1]["mutation_id"]
    assert conflict.status == "open"
    assert PartStock.get_by_id(site_stock.id).quantity == 1


def test_a_serial_nobody_changed_meanwhile_is_replaced(phone, fault, site_stock):
    phone.pull_all()
    held = phone.records[("equipment", str(fault.equipment_id))]["version"]
    use(phone, fault, site_stock, old_serial="SN-A", new_serial="SN-A2", device_version=held)
    (result,) = answers(phone)
    assert result["status"] == "applied", result
    assert Equipment.get_by_id(fault.equipment_id).serial_number == "SN-A2"
    assert SyncConflict.select().count() == 0


def test_the_fault_s_office_page_lists_the_parts_used(client, phone, office, fault, site_stock):
    use(phone, fault, site_stock, quantity=3, old_serial="SN-A", new_serial="SN-A2")
    answers(phone)
    sign_in_as(client, office)
    page = client.get(f"/office/faults/{fault.id}").get_data(as_text=True)
    assert 'data-testid="fault-part"' in page and "SN-A → SN-A2" in page
    assert "无线话筒" in page and "1 not in stock" in page


def test_a_new_serial_needs_a_device_on_the_fault(phone, world, site_stock):
    fault = make_fault(world["sites"][0], world["users"]["engineer"])
    use(phone, fault, site_stock, new_serial="SN-X")
    (result,) = answers(phone)
    assert result["status"] == "rejected" and "new_serial" in result["error"]["fields"]
    assert PartStock.get_by_id(site_stock.id).quantity == 2


def test_stock_of_another_site_is_refused(phone, world, office, store, fault):
    ops.transfer(store, actor=office, site_id=world["sites"][1].id, quantity=1, reason="")
    elsewhere = PartStock.get(PartStock.site == world["sites"][1].id)
    use(phone, fault, elsewhere)
    (result,) = answers(phone)
    assert result["status"] == "rejected" and result["error"]["code"] == "not_found"
    assert PartStock.get_by_id(elsewhere.id).quantity == 1


def test_an_engineer_of_another_site_cannot_use_or_see_the_stock(app, world, fault, site_stock):
    stranger = world["engineer2"]
    assign(stranger, world["sites"][1])
    other = phone_of(app, stranger)
    use(other, fault, site_stock)
    (result,) = answers(other)
    assert result["status"] == "rejected" and result["error"]["code"] == "not_found"
    assert PartStock.get_by_id(site_stock.id).quantity == 2
    other.pull_all()
    assert not [k for k in other.records if k[0] == "part_stock"]


def test_the_phone_pulls_its_sites_stock_and_not_the_office_store(phone, store, site_stock):
    phone.pull_all()
    held = {k[1] for k in phone.records if k[0] == "part_stock"}
    assert held == {str(site_stock.id)}
    data = phone.records[("part_stock", str(site_stock.id))]["data"]
    assert (data["name"], data["quantity"], data["location"]) == ("无线话筒", 2, "")


def test_client_users_do_not_use_parts(app, world, fault, site_stock):
    client_phone = phone_of(app, world["users"]["client"])
    use(client_phone, fault, site_stock)
    (result,) = answers(client_phone)
    assert result["status"] == "rejected" and result["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": "1"}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"used_at": "yesterday"}, "used_at"),
        ({"new_serial": "x" * 101}, "new_serial"),
        ({"device_version": 0}, "device_version"),
        ({"device_version": "3"}, "device_version"),
        ({"stock_id": "nope"}, "stock_id"),
    ],
)
def test_bad_uses_are_refused_field_by_field(phone, fault, site_stock, changes, field):
    mutation = use(phone, fault, site_stock)
    mutation["changes"].update(changes)
    (result,) = answers(phone)
    assert result["status"] == "rejected" and field in result["error"]["fields"], result


# Requests for parts ---------------------------------------------------------------------------


def ask(phone, site, **extra) -> str:
    rid = str(uuid.uuid4())
    changes = {
        "site_id": str(site.id),
        "name": "无线话筒",
        "model": "Shure ULXD2",
        "quantity": 2,
        "reason": "两只话筒电池仓损坏",
        "asked_at": AT,
        **extra,
    }
    phone.edit("part_request", rid, changes, op="create")
    return rid


def test_a_request_approved_sends_parts_and_the_phone_sees_the_answer(
    phone, world, office, store, site_stock, fault
):
    rid = ask(phone, world["sites"][0], stock_id=str(site_stock.id), fault_id=str(fault.id))
    assert answers(phone)[0]["status"] == "applied"
    record = PartRequest.get_by_id(rid)
    ops.decide_request(
        record,
        actor=office,
        data={"decision": "approve", "source_id": store.id, "quantity": None, "note": ""},
    )
    assert PartStock.get_by_id(site_stock.id).quantity == 4
    assert PartStock.get_by_id(store.id).quantity == 1
    assert PartMovement.select().where(PartMovement.request == record.id).count() == 2
    phone.pull_all()
    assert phone.records[("part_request", rid)]["data"]["status"] == "approved"
    assert phone.records[("part_stock", str(site_stock.id))]["data"]["quantity"] == 4


def test_a_request_refused_carries_the_office_s_note(phone, world, office, store):
    rid = ask(phone, world["sites"][0])
    answers(phone)
    ops.decide_request(
        PartRequest.get_by_id(rid),
        actor=office,
        data={"decision": "refuse", "source_id": None, "quantity": None, "note": "请先用旧件"},
    )
    phone.pull_all()
    pulled = phone.records[("part_request", rid)]["data"]
    assert (pulled["status"], pulled["office_note"]) == ("refused", "请先用旧件")
    assert PartStock.get_by_id(store.id).quantity == 5


def test_a_request_for_another_site_is_refused(phone, world):
    ask(phone, world["sites"][1])
    (result,) = answers(phone)
    assert result["status"] == "rejected" and result["error"]["code"] == "not_found"


def test_a_request_reaches_the_engineer_who_asked_not_colleagues_or_the_client(
    app, phone, world, fault
):
    rid = ask(phone, world["sites"][0], fault_id=str(fault.id))
    assert answers(phone)[0]["status"] == "applied"
    assert PartRequest.get_by_id(rid).fault_id == fault.id
    colleague = world["engineer2"]
    assign(colleague, world["sites"][0])
    for other in (phone_of(app, colleague), phone_of(app, world["users"]["client"])):
        other.pull_all()
        assert ("part_request", rid) not in other.records
    phone.pull_all()
    assert ("part_request", rid) in phone.records


def test_a_request_for_a_fault_of_another_site_is_refused(phone, world):
    elsewhere = make_fault(world["sites"][1], world["users"]["dispatcher"], number="F-2026-00009")
    ask(phone, world["sites"][0], fault_id=str(elsewhere.id))
    (result,) = answers(phone)
    assert result["status"] == "rejected" and "fault_id" in result["error"]["fields"]


def test_a_decided_request_is_not_decided_again(phone, world, office, store):
    from webapp.errors import ApiError

    rid = ask(phone, world["sites"][0])
    answers(phone)
    refuse = {"decision": "refuse", "source_id": None, "quantity": None, "note": "不需要"}
    ops.decide_request(PartRequest.get_by_id(rid), actor=office, data=refuse)
    with pytest.raises(ApiError) as err:
        ops.decide_request(PartRequest.get_by_id(rid), actor=office, data=refuse)
    assert err.value.status == 409


# The office's pages ---------------------------------------------------------------------------


@pytest.fixture
def desk(client, office):
    token = sign_in_as(client, office)
    client.set_cookie("rounds_lang", "zh_Hans")

    def post(url, data):
        return client.post(url, data={"csrf_token": token, **data})

    return post


def test_the_office_adds_receives_and_sends_from_its_pages(client, desk, world):
    response = desk(
        "/office/parts/new",
        {"site_id": "", "name": "投影灯泡", "model": "Epson ELPLP", "minimum": "1", "opening": "2"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    item = PartStock.get(PartStock.name == "投影灯泡")
    assert item.site_id is None and item.quantity == 2
    assert (
        desk(f"/office/parts/{item.id}/receive", {"quantity": "3", "reason": "采购"}).status_code
        == 302
    )
    sent = desk(
        f"/office/parts/{item.id}/transfer",
        {"site_id": str(world["sites"][0].id), "quantity": "4", "reason": "备件"},
    )
    assert sent.status_code == 302
    assert PartStock.get_by_id(item.id).quantity == 1
    page = client.get(f"/office/parts/{item.id}").get_data(as_text=True)
    assert "采购" in page and "+3" in page and "-4" in page
    too_many = desk(
        f"/office/parts/{item.id}/transfer",
        {"site_id": str(world["sites"][0].id), "quantity": "9", "reason": ""},
    )
    assert too_many.status_code == 422
    assert "办公室" in too_many.get_data(as_text=True)  # the refusal, in the user's language
    movements_add_up(item)


def test_the_quantity_cannot_be_posted_on_the_edit_form(client, desk, store):
    response = desk(
        f"/office/parts/{store.id}",
        {"name": "话筒", "model": "", "location": "", "minimum": "0", "quantity": "99"},
    )
    assert response.status_code == 302
    assert PartStock.get_by_id(store.id).quantity == 5


def test_bad_numbers_on_the_pages_are_refused_in_words(desk, store):
    response = desk(f"/office/parts/{store.id}/receive", {"quantity": "many"})
    assert response.status_code == 422
    response = desk(f"/office/parts/{store.id}/receive", {"quantity": "0"})
    assert response.status_code == 422
    assert PartStock.get_by_id(store.id).quantity == 5


def test_low_stock_list_by_site(client, desk, world, office, store, site_stock):
    ops.edit_stock(
        site_stock,
        actor=office,
        data={"name": site_stock.name, "model": "", "location": "", "minimum": 3},
    )
    page = client.get(f"/office/parts?low=1&site={world['sites'][0].id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert world["sites"][0].name in text and text.count('data-testid="stock-row"') == 1
    assert client.get("/office/parts?site=nowhere").status_code == 422


def test_the_office_answers_a_request_from_its_page(client, desk, phone, world, store):
    rid = ask(phone, world["sites"][0])
    answers(phone)
    missing = desk(f"/office/parts/requests/{rid}", {"decision": "refuse", "note": ""})
    assert missing.status_code == 422
    done = desk(
        f"/office/parts/requests/{rid}",
        {"decision": "approve", "source_id": str(store.id), "quantity": "1", "note": "先发一只"},
    )
    assert done.status_code == 302
    assert PartRequest.get_by_id(rid).status == "approved"
    site_item = PartStock.get(PartStock.site == world["sites"][0].id)
    assert site_item.quantity == 1
    assert client.get("/office/parts/requests").status_code == 200


def test_equipment_made_for_other_tests_is_not_needed(world):
    # make sure the factories used above keep their shape
    assert create_equipment(world["sites"][0]).site_id == world["sites"][0].id
