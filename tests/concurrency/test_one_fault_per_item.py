"""Two phones of one engineer raise a fault for the same item of the same round at the same time
(a double submission): the round's row is locked while the first is checked and written, so the
second sees it and is refused. Without the lock both are applied and the item has two F-numbers."""

from __future__ import annotations

import threading
import time
import uuid

from tests import factories
from tests.sync_client import Device
from webapp.checklists import operations as checklists
from webapp.models import ChecklistTemplate, Fault, TemplateVersion

from .served import HttpClient, filler_mutations

OVERLAP_DELAY = 0.25


def _device(served, user) -> Device:
    http = HttpClient(served.base_url)
    assert http.sign_in(user.username, factories.PASSWORD).status_code == 200
    return Device(client=http, csrf=http.csrf)


def _fault(device: Device, round_id: str, site_id: str, key: str) -> dict:
    return device.edit(
        "fault",
        str(uuid.uuid4()),
        {
            "site_id": site_id,
            "round_id": round_id,
            "item_key": key,
            "description": "外壳破损",
            "reported_at": "2026-11-21T07:40:00+08:00",
        },
        op="create",
    )


def test_two_phones_raising_the_same_items_fault_at_once_make_one_fault(served):
    world = factories.make_world()
    engineer = world["users"]["engineer"]
    site, device_row = world["sites"][0], world["equipment"][0]
    checklists.install_shipped()
    template = ChecklistTemplate.get(ChecklistTemplate.key == "daily-round")
    version = TemplateVersion.get(
        (TemplateVersion.template == template) & (TemplateVersion.status == "published")
    )
    p, q = _device(served, engineer), _device(served, engineer)
    round_id = str(uuid.uuid4())
    p.edit(
        "round",
        round_id,
        {
            "template_version_id": str(version.id),
            "site_id": str(site.id),
            "equipment_ids": [str(device_row.id)],
            "started_at": "2026-11-21T07:05:00+08:00",
        },
        op="create",
    )
    assert p.push().get_json()["results"][0]["status"] == "applied"

    key = f"look@{device_row.id}"
    from_p = _fault(p, round_id, str(site.id), key)
    filler_mutations(p, str(device_row.id), 499)  # holds P's transaction open
    from_q = _fault(q, round_id, str(site.id), key)

    errors: list[BaseException] = []

    def push_p():
        try:
            p.push()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    first = threading.Thread(target=push_p)
    first.start()
    time.sleep(OVERLAP_DELAY)
    q.push()
    first.join(120)
    assert not errors, errors

    answers = {
        "p": p.answers[from_p["mutation_id"]],
        "q": q.answers[from_q["mutation_id"]],
    }
    assert sorted(a["status"] for a in answers.values()) == ["applied", "rejected"], answers
    refused = next(a for a in answers.values() if a["status"] == "rejected")
    assert refused["error"]["code"] == "fault_exists"
    assert Fault.select().where(Fault.item_key == key).count() == 1
