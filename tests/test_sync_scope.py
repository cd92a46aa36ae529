"""Scope through sync, for the checks an earlier suite would not have noticed missing: a client's
device holds its own organisation only, and a round is reached through sync only by engineers of
its site, also after they leave it."""

from __future__ import annotations

from tests import factories
from tests.conftest import sign_in_as
from tests.sync_client import Device
from tests.test_rounds import answer, attach, results, start, version  # noqa: F401
from webapp.models import Answer, Assignment, Attachment, Round
from webapp.sites.operations import unassign_engineer


def _device(app, user) -> Device:
    client = app.test_client()
    return Device(client=client, csrf=sign_in_as(client, user))


def _held(device: Device) -> dict[str, set[str]]:
    held: dict[str, set[str]] = {}
    for entity, record_id in device.records:
        held.setdefault(entity, set()).add(str(record_id))
    return held


def test_a_client_device_holds_its_own_organisation_only(app, world):
    customer = _device(app, world["users"]["client"])
    customer.pull_all()
    held = _held(customer)
    site_a, site_b = world["sites"]
    assert held["site"] == {str(site_a.id)}
    assert held["equipment"] == {str(world["equipment"][0].id)}
    assert str(site_b.id) not in held.get("site", set())
    assert str(world["locations"][1].id) not in held.get("location", set())


def test_another_sites_round_cannot_be_reached_through_sync(app, world, version):  # noqa: F811
    site_b = world["sites"][1]
    other = world["engineer2"]
    factories.assign(other, site_b)
    theirs = _device(app, other)
    rid = start(theirs, version, site_b)
    assert [r["status"] for r in results(theirs)] == ["applied"]

    mine = _device(app, world["users"]["engineer"])
    attach(mine, rid)
    answer(mine, rid, "terminal.image", "normal")
    mine.edit("round", rid, {"submitted_at": "2026-11-21T09:40:00+08:00"}, op="submit")
    answers = results(mine)
    assert [r["status"] for r in answers] == ["rejected"] * 3, answers
    assert {r["error"]["code"] for r in answers} == {"not_found"}
    assert Attachment.select().count() == 0 and Answer.select().count() == 0
    assert Round.get_by_id(rid).status != "submitted"


def test_an_engineer_who_left_the_site_can_no_longer_change_its_round(app, world, version):  # noqa: F811
    engineer = world["users"]["engineer"]
    phone = _device(app, engineer)
    rid = start(phone, version, world["sites"][0])
    aid = answer(phone, rid, "terminal.image", "normal")
    assert [r["status"] for r in results(phone)] == ["applied", "applied"]

    unassign_engineer(Assignment.get(Assignment.engineer == engineer), actor=None)
    answer(phone, rid, "terminal.image", "abnormal", note="偏色", op="update", aid=aid)
    attach(phone, rid)
    phone.edit("round", rid, {"submitted_at": "2026-11-21T09:40:00+08:00"}, op="submit")
    answers = results(phone)
    assert [r["status"] for r in answers] == ["rejected"] * 3, answers
    assert Answer.get_by_id(aid).status == "normal"
    assert Round.get_by_id(rid).status != "submitted"
