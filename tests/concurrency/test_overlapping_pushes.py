"""Two devices push at the same time and touch the same record (issue: integrity under real
concurrency). The first push carries the interesting change followed by cheap ones that hold its
transaction open; the second starts while the first is still inside its transaction."""

from __future__ import annotations

import threading
import time

import pytest

from tests import factories
from tests.sync_client import Device
from webapp.models import Equipment, SyncConflict

from .served import HttpClient, filler_mutations

OVERLAP_DELAY = 0.25
# Both reproduce the defects on the code before the push took its locks; the fix removes these.
KNOWN_RACE = pytest.mark.xfail(strict=True, reason="push decides on rows it has not locked")


def _device(served, user) -> Device:
    http = HttpClient(served.base_url)
    assert http.sign_in(user.username, factories.PASSWORD).status_code == 200
    device = Device(client=http, csrf=http.csrf)
    device.pull_all()
    return device


def _in_parallel(first, second, delay: float = OVERLAP_DELAY) -> None:
    """Run `first` in a thread, start `second` `delay` seconds later, wait for both."""
    errors: list[BaseException] = []

    def run(fn):
        try:
            fn()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    a = threading.Thread(target=run, args=(first,))
    a.start()
    time.sleep(delay)
    run(second)
    a.join(120)
    assert not errors, errors


@KNOWN_RACE
def test_two_serial_changes_on_one_base_make_a_conflict_not_a_lost_update(served):
    world = factories.make_world()
    engineer = world["users"]["engineer"]
    item = world["equipment"][0]
    p, q = _device(served, engineer), _device(served, engineer)
    filler = factories.create_equipment(world["sites"][0], name="填充")
    p.pull_all()

    p.edit("equipment", str(item.id), {"serial_number": "SN-FROM-P"})
    filler_mutations(p, str(filler.id), 499)
    q.edit("equipment", str(item.id), {"serial_number": "SN-FROM-Q"})
    _in_parallel(p.push, q.push)

    answers = [*p.answers.values(), *q.answers.values()]
    first_p = next(iter(p.answers.values()))
    only_q = next(iter(q.answers.values()))
    statuses = sorted([first_p["status"], only_q["status"]])
    assert statuses == ["applied", "conflict"], answers[:1] + [only_q]
    stored = Equipment.get_by_id(item.id)
    conflicts = list(SyncConflict.select().where(SyncConflict.entity_id == str(item.id)))
    assert len(conflicts) == 1 and conflicts[0].field == "serial_number"
    assert {stored.serial_number, conflicts[0].client_value} == {"SN-FROM-P", "SN-FROM-Q"}


@KNOWN_RACE
def test_a_version_never_goes_down_under_overlapping_pushes(served):
    world = factories.make_world()
    engineer = world["users"]["engineer"]
    item = world["equipment"][0]
    p, q = _device(served, engineer), _device(served, engineer)
    filler_mutations(p, str(item.id), 500)  # P edits the same device 500 times
    q.edit("equipment", str(item.id), {"brand": "Q 的品牌"})
    _in_parallel(p.push, q.push)

    stored = Equipment.get_by_id(item.id)
    versions = [a["version"] for a in p.answers.values()] + [
        a["version"] for a in q.answers.values()
    ]
    assert len(set(versions)) == len(versions), "two changes were given one version"
    assert stored.version == max(versions) == 1 + 501
